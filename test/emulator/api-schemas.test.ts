/** lib/api-schemas.ts on its own: the documented samples pass, malformed values fail. */
import { API_SCHEMAS, exactSchema, validateShape } from '../../lib/api-schemas';

/** The create answer of the IONOS how-to (seeds), with a valid uuid for `id`. */
const sample = () => ({
  id: '8fb592e4-494c-11ed-b878-0242ac120002',
  type: 'token',
  href: '',
  metadata: {
    createdBy: 'sample@sample.com',
    createdByUserId: '8hb792e4-494c-11ed-b878-0242ac120002',
    createdDate: '2022-10-08T15:56:04Z',
    state: 'enabled',
  },
  properties: {
    name: 'test',
    scopes: [{ actions: ['pull', 'push', 'delete'], name: '*', type: 'repository' }],
    expiryDate: null,
    status: 'enabled',
    credentials: { username: 'test', password: '148g592e4-494c-11ed-b878-0242ac120002' },
  },
});

describe('response schemas', () => {
  test('the documented create answer is a PostTokenOutput and a TokenResponse', () => {
    expect(validateShape('PostTokenOutput', sample())).toEqual({ valid: true, errors: [] });
    expect(validateShape('TokenResponse', sample(), { exact: true }).valid).toBe(true);
  });

  test('the documented 409 is an ApiErrorResponse', () => {
    const body = { httpStatus: 409, messages: [{ errorCode: '0', message: 'already exists: name is not available' }] };
    expect(validateShape('ApiErrorResponse', body).valid).toBe(true);
  });

  test('unknown fields pass by default and fail with exact', () => {
    const t = { ...sample(), extra: 1 };
    expect(validateShape('TokenResponse', t).valid).toBe(true);
    expect(validateShape('TokenResponse', t, { exact: true }).errors).toEqual(['(root) must not have property "extra"']);
  });

  test.each([
    ['a missing password', (t: any) => delete t.properties.credentials.password, "must have required property 'password'"],
    ['a non-uuid id', (t: any) => (t.id = '42'), '/id must match pattern'],
    ['a wrong type', (t: any) => (t.type = 'collection'), '/type must be equal to constant'],
    ['a createdDate that is no date', (t: any) => (t.metadata.createdDate = 'yesterday'), '/metadata/createdDate must match format "date-time"'],
    ['scopes as an object', (t: any) => (t.properties.scopes = {}), '/properties/scopes must be array,null'],
  ])('a TokenResponse with %s fails', (_, mutate, words) => {
    const t = sample();
    mutate(t);
    const result = validateShape('TokenResponse', t);
    expect(result.valid).toBe(false);
    expect(result.errors.join(' | ')).toContain(words);
  });

  test('TokensResponse needs count and total', () => {
    const page = { id: 'x', type: 'collection', href: '', items: [sample()], offset: 0, limit: 100, count: 1, total: 1, _links: {} };
    expect(validateShape('TokensResponse', page).valid).toBe(true);
    const { total: _total, ...noTotal } = page;
    expect(validateShape('TokensResponse', noTotal).errors).toEqual(["(root) must have required property 'total'"]);
  });

  test('an ApiErrorResponse needs at least one message', () => {
    expect(validateShape('ApiErrorResponse', { httpStatus: 500, messages: [] }).valid).toBe(false);
  });
});

describe('request schemas', () => {
  test('the documented create body is a PostTokenInput', () => {
    const body = { properties: { name: 'test', expiryDate: null, scopes: [{ name: '*', actions: ['pull', 'push', 'delete'], type: 'repository' }] } };
    expect(validateShape('PostTokenInput', body).valid).toBe(true);
    expect(validateShape('PutTokenInput', body).valid).toBe(true);
  });

  test('request bodies refuse unknown fields and follow the project name rule', () => {
    expect(validateShape('PostTokenInput', { properties: { name: 'abc', foo: 1 } }).valid).toBe(false);
    expect(validateShape('PostTokenInput', { properties: { name: 'Abc' } }).valid).toBe(false);
    expect(validateShape('PatchTokenInput', { status: 'disabled', expiryDate: null }).valid).toBe(true);
    expect(validateShape('PatchTokenInput', { name: 'abc' }).valid).toBe(false);
  });

  test('exactSchema closes every object that names its properties', () => {
    const exact = exactSchema(API_SCHEMAS.TokenResponse) as any;
    expect(exact.additionalProperties).toBe(false);
    expect(exact.properties.properties.properties.credentials.additionalProperties).toBe(false);
  });
});
