import nock from 'nock';
import { ApiError, RegistryApiClient, UnexpectedResponseError } from '../../lib/client';
import {
  apiError,
  BASE,
  BEARER,
  config,
  HOST,
  JSON_HEADERS,
  PASSWORD,
  REGISTRY,
  token,
  TOKEN_ID,
  TOKEN_PASSWORD,
  TOKEN_PATH,
  USERNAME,
  useNock,
  failure,
} from './helpers';

useNock();

describe('requests', () => {
  test('bearer auth, Accept, User-Agent; no contract header unless configured', async () => {
    let headers: Record<string, unknown> = {};
    nock(HOST)
      .get(TOKEN_PATH)
      .reply(function () {
        headers = this.req.headers;
        return [200, token(), JSON_HEADERS];
      });
    await new RegistryApiClient(config({ userAgent: 'cdktf-ionos-registry-token/9.9.9' })).getToken(REGISTRY, TOKEN_ID);
    expect(headers.authorization).toBe(`Bearer ${BEARER}`);
    expect(headers.accept).toBe('application/json');
    expect(headers['user-agent']).toBe('cdktf-ionos-registry-token/9.9.9');
    expect(headers['x-contract-number']).toBeUndefined();
  });

  test('basic auth and X-Contract-Number', async () => {
    let headers: Record<string, unknown> = {};
    nock(HOST)
      .get(TOKEN_PATH)
      .reply(function () {
        headers = this.req.headers;
        return [200, token(), JSON_HEADERS];
      });
    const client = new RegistryApiClient(
      config({ auth: { kind: 'basic', username: USERNAME, password: PASSWORD }, contractNumber: '31415926' }),
    );
    await client.getToken(REGISTRY, TOKEN_ID);
    expect(headers.authorization).toBe(`Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`);
    expect(headers['x-contract-number']).toBe('31415926');
  });

  test('bodies are JSON with Content-Type application/json; bare properties are wrapped', async () => {
    const seen: Array<{ method: string; type: unknown; body: unknown }> = [];
    const record = function (this: nock.ReplyFnContext, _uri: string, body: nock.Body) {
      seen.push({ method: this.req.method, type: this.req.headers['content-type'], body });
    };
    const props = { name: 'ci-pull', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], status: 'enabled' };
    nock(HOST)
      .put(TOKEN_PATH)
      .times(2)
      .reply(function (uri, body) {
        record.call(this, uri, body);
        return [201, token({ password: TOKEN_PASSWORD }), JSON_HEADERS];
      })
      .patch(TOKEN_PATH)
      .reply(function (uri, body) {
        record.call(this, uri, body);
        return [200, token(), JSON_HEADERS];
      });
    const client = new RegistryApiClient(config());
    const created = await client.putToken(REGISTRY, TOKEN_ID, props);
    await client.putToken(REGISTRY, TOKEN_ID, { properties: props });
    await client.patchToken(REGISTRY, TOKEN_ID, { status: 'disabled', expiryDate: null });
    expect(created.token.properties.credentials.password).toBe(TOKEN_PASSWORD);
    expect(seen).toEqual([
      { method: 'PUT', type: 'application/json', body: { properties: props } },
      { method: 'PUT', type: 'application/json', body: { properties: props } },
      { method: 'PATCH', type: 'application/json', body: { status: 'disabled', expiryDate: null } },
    ]);
  });

  test('the base URL keeps its path prefix and ids are path-encoded', async () => {
    const scope = nock('http://localhost:8080')
      .get('/prefix/containerregistries/registries/a%2Fb/tokens/x%3Fy')
      .reply(404, apiError(404, 'not found'), JSON_HEADERS);
    const client = new RegistryApiClient(config({ apiUrl: 'http://localhost:8080/prefix/containerregistries' }));
    expect(await client.getToken('a/b', 'x?y')).toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });
});

describe('operations', () => {
  test('getToken: the token on 200, undefined on 404', async () => {
    nock(HOST)
      .get(TOKEN_PATH)
      .reply(200, token(), JSON_HEADERS)
      .get(TOKEN_PATH)
      .reply(404, apiError(404, 'token not found'), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    expect((await client.getToken(REGISTRY, TOKEN_ID))?.properties.name).toBe('ci-pull');
    expect(await client.getToken(REGISTRY, TOKEN_ID)).toBeUndefined();
  });

  test('deleteToken: true on 204, false on 404 (already gone)', async () => {
    nock(HOST).delete(TOKEN_PATH).reply(204).delete(TOKEN_PATH).reply(404, apiError(404, 'not found'), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    expect(await client.deleteToken(REGISTRY, TOKEN_ID)).toBe(true);
    expect(await client.deleteToken(REGISTRY, TOKEN_ID)).toBe(false);
  });

  test('a 404 page that is not from the API is not "gone" (a wrong URL must not make a delete succeed)', async () => {
    nock(HOST)
      .delete(TOKEN_PATH)
      .reply(404, '<html><body>Not Found</body></html>', { 'Content-Type': 'text/html' })
      .get(TOKEN_PATH)
      .reply(404, '404 page not found', { 'Content-Type': 'text/plain' })
      .get(TOKEN_PATH)
      .reply(404, '');
    const client = new RegistryApiClient(config());
    const e = await failure(client.deleteToken(REGISTRY, TOKEN_ID));
    expect(e).toBeInstanceOf(UnexpectedResponseError);
    expect(e.status).toBe(404);
    expect(e.message).toContain('check IONOS_API_URL');
    expect(e.message).toContain('<html><body>Not Found');
    await expect(client.getToken(REGISTRY, TOKEN_ID)).rejects.toThrow(/a 404 page that is not from the API/);
    // An empty 404 is still "not found".
    expect(await client.getToken(REGISTRY, TOKEN_ID)).toBeUndefined();
  });

  test('putToken: created on 201 (with the password), replaced on 200', async () => {
    nock(HOST)
      .put(TOKEN_PATH)
      .reply(201, token({ password: TOKEN_PASSWORD }), { ...JSON_HEADERS, Location: `${BASE}/x` })
      .put(TOKEN_PATH)
      .reply(200, token(), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    const first = await client.putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull' });
    expect(first.created).toBe(true);
    expect(first.token.properties.credentials.password).toBe(TOKEN_PASSWORD);
    const second = await client.putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull' });
    expect(second.created).toBe(false);
    expect(second.token.properties.credentials.password).toBe('');
  });

  test('putToken: a 201 without the password is an unexpected response', async () => {
    nock(HOST).put(TOKEN_PATH).reply(201, token({ password: '' }), JSON_HEADERS);
    const e = await failure(new RegistryApiClient(config()).putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull' }));
    expect(e).toBeInstanceOf(UnexpectedResponseError);
    expect(e.message).toContain('no password in properties.credentials.password');
  });
});

describe('error mapping', () => {
  test('409 ApiErrorResponse → ApiError with the API message and status', async () => {
    nock(HOST).put(TOKEN_PATH).reply(409, apiError(409, 'already exists: name is not available'), JSON_HEADERS);
    const e = await failure(new RegistryApiClient(config()).putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull' }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).not.toBeInstanceOf(UnexpectedResponseError);
    expect(e.status).toBe(409);
    expect(e.operation).toBe('PUT token');
    expect(e.apiMessages).toEqual(['already exists: name is not available']);
    expect(e.retriable).toBe(false);
    expect(e.message).toBe(`PUT token ${TOKEN_ID}: HTTP 409 already exists: name is not available`);
  });

  test('400 with several messages joins them', async () => {
    nock(HOST)
      .patch(TOKEN_PATH)
      .reply(400, { httpStatus: 400, messages: [{ errorCode: '1', message: 'bad status' }, { errorCode: '2', message: 'bad expiry' }] }, JSON_HEADERS);
    const e = await failure(new RegistryApiClient(config()).patchToken(REGISTRY, TOKEN_ID, { status: 'x' }));
    expect(e.message).toBe(`PATCH token ${TOKEN_ID}: HTTP 400 bad status; bad expiry`);
    expect(e.apiErrorCodes).toEqual(['1', '2']);
  });

  test('a redirect is reported with its target', async () => {
    nock(HOST).get(TOKEN_PATH).reply(301, '', { Location: 'https://elsewhere.example/containerregistries' });
    const e = await failure(new RegistryApiClient(config()).getToken(REGISTRY, TOKEN_ID));
    expect(e).toBeInstanceOf(UnexpectedResponseError);
    expect(e.status).toBe(301);
    expect(e.message).toContain('redirect to https://elsewhere.example/containerregistries');
    expect(e.message).toContain('IONOS_API_URL');
  });
});

describe('unexpected responses', () => {
  test('an HTML 502 page', async () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
    nock(HOST).get(TOKEN_PATH).times(3).reply(502, html, { 'Content-Type': 'text/html' });
    const client = new RegistryApiClient(config());
    const e = (await failure(client.getToken(REGISTRY, TOKEN_ID))) as UnexpectedResponseError;
    expect(e).toBeInstanceOf(UnexpectedResponseError);
    expect(e.status).toBe(502);
    expect(e.retriable).toBe(true);
    expect(e.contentType).toBe('text/html');
    expect(e.message).toContain('expected a JSON error body');
    expect(e.message).toContain('content type "text/html"');
    expect(e.message).toContain('<html><head><title>502 Bad Gateway</title>');
    expect(e.message).toContain('gave up after 3 attempts');
    expect(e.bodySnippet.length).toBeLessThanOrEqual(101);
    expect(client.stats).toEqual({ requests: 3, retries: 2 });
  });

  test('an empty 200 body', async () => {
    nock(HOST).get(TOKEN_PATH).reply(200, '', JSON_HEADERS);
    const e = (await failure(new RegistryApiClient(config()).getToken(REGISTRY, TOKEN_ID))) as UnexpectedResponseError;
    expect(e).toBeInstanceOf(UnexpectedResponseError);
    expect(e.status).toBe(200);
    expect(e.message).toBe(
      `GET token ${TOKEN_ID}: unexpected response: expected a JSON token (uuid id, properties.name, properties.credentials); ` +
        'got HTTP 200 with an empty body, content type "application/json", body (empty)',
    );
  });

  test('a wrong content type', async () => {
    nock(HOST).get(TOKEN_PATH).reply(200, JSON.stringify(token()), { 'Content-Type': 'text/plain; charset=utf-8' });
    const e = await failure(new RegistryApiClient(config()).getToken(REGISTRY, TOKEN_ID));
    expect(e).toBeInstanceOf(UnexpectedResponseError);
    expect(e.message).toContain('content type "text/plain; charset=utf-8"');
    expect(e.message).toContain('body "{\\"id\\":');
  });

  test('a 200 without an id', async () => {
    const { id: _id, ...noId } = token();
    nock(HOST).get(TOKEN_PATH).reply(200, noId, JSON_HEADERS);
    const e = await failure(new RegistryApiClient(config()).getToken(REGISTRY, TOKEN_ID));
    expect(e).toBeInstanceOf(UnexpectedResponseError);
    expect(e.message).toContain('got HTTP 200 with no id');
  });

  test('a 200 without credentials, and one that is not JSON', async () => {
    const t = token() as unknown as { properties: Record<string, unknown> };
    delete t.properties.credentials;
    nock(HOST)
      .patch(TOKEN_PATH)
      .reply(200, t, JSON_HEADERS)
      .get(TOKEN_PATH)
      .reply(200, '{"id": ', JSON_HEADERS);
    const client = new RegistryApiClient(config());
    expect((await failure(client.patchToken(REGISTRY, TOKEN_ID, {}))).message).toContain('no properties.credentials');
    expect((await failure(client.getToken(REGISTRY, TOKEN_ID))).message).toContain('not valid JSON');
  });
});


describe("the API's clock", () => {
  test("serverNow is the last answer's Date header, carried forward; undefined before any", async () => {
    const client = new RegistryApiClient(config());
    expect(client.serverNow()).toBeUndefined();
    nock(HOST).get(TOKEN_PATH).reply(200, token(), { ...JSON_HEADERS, Date: 'Tue, 01 Jun 2027 08:30:00 GMT' });
    await client.getToken(REGISTRY, TOKEN_ID);
    const now = client.serverNow()!.getTime();
    expect(now).toBeGreaterThanOrEqual(Date.parse('2027-06-01T08:30:00Z'));
    expect(now).toBeLessThan(Date.parse('2027-06-01T08:31:00Z'));
  });
});
