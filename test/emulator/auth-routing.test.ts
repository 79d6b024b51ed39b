/** Credentials, routes and methods against the real emulator process. */
import { DEFAULT_AUTH, startEmulator, type RunningEmulator } from '../helper/emulator';
import { call, createToken, messagesOf, tokenInput, uniqueName } from './support';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('default credentials', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    expect(await emu.stop()).toBe(0);
  });

  test('Basic emulator:emulator and Bearer emulator both work', async () => {
    expect((await call(emu, 'GET', '/registries', { auth: DEFAULT_AUTH.basic })).status).toBe(200);
    expect((await call(emu, 'GET', '/registries', { auth: DEFAULT_AUTH.bearer })).status).toBe(200);
    expect((await call(emu, 'GET', '/registries', { auth: 'bearer emulator' })).status).toBe(200);
  });

  test('metadata names the caller: the Basic user, or bearer-<n>', async () => {
    const a = await call(emu, 'POST', `/registries/${emu.registryId}/tokens`, { body: tokenInput(uniqueName('by')), auth: DEFAULT_AUTH.bearer });
    expect(a.body.metadata.createdBy).toBe('bearer-1');
    const b = await createToken(emu, uniqueName('by'));
    expect(b.metadata.createdBy).toBe('emulator');
    expect(b.metadata.createdByUserId).not.toBe(a.body.metadata.createdByUserId);
  });

  test.each([
    ['no Authorization header', null],
    ['a wrong password', basic('emulator', 'wrong')],
    ['a wrong user', basic('admin', 'emulator')],
    ['a wrong bearer token', 'Bearer nope'],
    ['an unknown scheme', 'Digest emulator'],
    ['Basic without a colon', `Basic ${Buffer.from('emulator').toString('base64')}`],
  ])('%s is a 401 with WWW-Authenticate', async (_, auth) => {
    const res = await call(emu, 'GET', `/registries/${emu.registryId}/tokens`, { auth });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="ionos-registry-emulator", Bearer realm="ionos-registry-emulator"');
    expect(messagesOf(res)).toMatch(/^unauthorized/);
  });

  test('a 401 comes before validation and changes nothing', async () => {
    const name = uniqueName('noauth');
    const res = await call(emu, 'POST', `/registries/${emu.registryId}/tokens`, { body: tokenInput(name), auth: basic('x', 'y') });
    expect(res.status).toBe(401);
    const list = await call(emu, 'GET', `/registries/${emu.registryId}/tokens`);
    expect(list.body.items.some((t: { properties: { name: string } }) => t.properties.name === name)).toBe(false);
  });

  test('X-Contract-Number is accepted', async () => {
    const res = await call(emu, 'GET', '/registries', { headers: { 'X-Contract-Number': '31721234' } });
    expect(res.status).toBe(200);
  });

  test('the API lives only under /containerregistries', async () => {
    const res = await fetch(`${emu.url}/registries`, { headers: { Authorization: DEFAULT_AUTH.basic } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ httpStatus: 404 });
  });

  test('unknown routes are a 404 (after auth), wrong methods a 405 with Allow', async () => {
    const unknown = await call(emu, 'GET', '/repositories');
    expect(unknown.status).toBe(404);
    expect((await call(emu, 'GET', '/repositories', { auth: null })).status).toBe(401);
    expect((await call(emu, 'GET', `/registries/${emu.registryId}/tokens/`)).status).toBe(404);
    const wrong = await call(emu, 'DELETE', `/registries/${emu.registryId}/tokens`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    const wrongToken = await call(emu, 'POST', `/registries/${emu.registryId}/tokens/${emu.registryId}`, { body: {} });
    expect(wrongToken.status).toBe(405);
    expect(wrongToken.headers.get('allow')).toBe('GET, PUT, PATCH, DELETE');
    expect((await call(emu, 'POST', '/registries', { body: {} })).status).toBe(405);
  });
});

describe('custom credentials', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator([], { env: { IONOS_EMULATOR_USERS: 'ci:s3cret:with-colon,other:pw', IONOS_EMULATOR_BEARER: 'tok-1,tok-2' } });
  });
  afterAll(async () => {
    expect(await emu.stop()).toBe(0);
  });

  test('only the given users and tokens are accepted', async () => {
    expect((await call(emu, 'GET', '/registries', { auth: basic('ci', 's3cret:with-colon') })).status).toBe(200);
    expect((await call(emu, 'GET', '/registries', { auth: basic('other', 'pw') })).status).toBe(200);
    expect((await call(emu, 'GET', '/registries', { auth: 'Bearer tok-1' })).status).toBe(200);
    expect((await call(emu, 'GET', '/registries', { auth: 'Bearer tok-2' })).status).toBe(200);
    expect((await call(emu, 'GET', '/registries', { auth: DEFAULT_AUTH.basic })).status).toBe(401);
    expect((await call(emu, 'GET', '/registries', { auth: DEFAULT_AUTH.bearer })).status).toBe(401);
    expect((await call(emu, 'GET', '/registries', { auth: basic('ci', 's3cret') })).status).toBe(401);
  });

  test('the second bearer token shows as bearer-2', async () => {
    const res = await call(emu, 'POST', `/registries/${emu.registryId}/tokens`, { body: tokenInput(uniqueName()), auth: 'Bearer tok-2' });
    expect(res.body.metadata.createdBy).toBe('bearer-2');
  });

  test('a bearer token alone turns Basic off', async () => {
    const only = await startEmulator([], { env: { IONOS_EMULATOR_BEARER: 'just-this' } });
    try {
      expect((await call(only, 'GET', '/registries', { auth: 'Bearer just-this' })).status).toBe(200);
      expect((await call(only, 'GET', '/registries', { auth: DEFAULT_AUTH.basic })).status).toBe(401);
      expect(only.stderr).not.toContain('accepting Basic emulator:emulator');
    } finally {
      await only.stop();
    }
  });
});
