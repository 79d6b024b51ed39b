/** The emulator clock, expiry (tokens are deleted), login and reset against the real emulator process. */
import type { RunningEmulator } from '../helper/emulator';
import { call, createToken, inSeconds, uniqueName, useEmulator } from './support';

let emu: RunningEmulator;
const tokens = () => `/registries/${emu.registryId}/tokens`;

useEmulator((e) => (emu = e), { resetEach: true });

describe('clock', () => {
  test('POST /__emulator/clock moves the clock forward and answers the new time', async () => {
    const now = await emu.advanceClock(86400);
    expect(Date.parse(now) - Date.now()).toBeGreaterThan(86400_000 - 60_000);
    const res = await fetch(`${emu.url}/__emulator/clock`);
    expect(await res.json()).toMatchObject({ offsetSeconds: 86400 });
    const t = await createToken(emu, uniqueName('late'));
    expect(Date.parse(t.metadata.createdDate) - Date.now()).toBeGreaterThan(86400_000 - 60_000);
  });

  test("the API's answers carry the emulator clock in their Date header, as a server's own time", async () => {
    await emu.advanceClock(86400);
    const res = await call(emu, 'GET', tokens());
    expect(Date.parse(res.headers.get('date')!) - Date.now()).toBeGreaterThan(86400_000 - 60_000);
  });

  test('the clock does not move backwards', async () => {
    const res = await fetch(`${emu.url}/__emulator/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: -1 }),
    });
    expect(res.status).toBe(400);
  });

  test('the one-hour rule is measured on the emulator clock', async () => {
    const expiryDate = inSeconds(2 * 3600); // two real hours ahead
    await emu.advanceClock(1.5 * 3600); // the emulator is 90 minutes ahead: only 30 minutes left
    const res = await call(emu, 'POST', tokens(), { body: { properties: { name: uniqueName(), scopes: [{ type: 'registry', name: '*', actions: ['pull'] }], expiryDate } } });
    expect(res.status).toBe(400);
  });
});

describe('expiry deletes the token', () => {
  test('after its expiry a token is gone from GET, list, PATCH, DELETE and login', async () => {
    // GIVEN a token that expires in two hours and one that never expires
    const t = await createToken(emu, uniqueName('exp'), { expiryDate: inSeconds(2 * 3600) });
    const keep = await createToken(emu, uniqueName('keep'));
    const password = t.properties.credentials.password;
    await emu.advanceClock(3600);
    expect((await call(emu, 'GET', `${tokens()}/${t.id}`)).status).toBe(200);
    expect(await emu.login(emu.registryId, t.properties.name, password)).toBe(true);
    // WHEN the clock passes the expiry
    await emu.advanceClock(3601);
    // THEN
    expect((await call(emu, 'GET', `${tokens()}/${t.id}`)).status).toBe(404);
    const list = await call(emu, 'GET', tokens());
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([keep.id]);
    expect(list.body.total).toBe(1);
    expect((await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { status: 'enabled' } })).status).toBe(404);
    expect((await call(emu, 'DELETE', `${tokens()}/${t.id}`)).status).toBe(404);
    expect(await emu.login(emu.registryId, t.properties.name, password)).toBe(false);
    // and the name is free again
    expect((await call(emu, 'POST', tokens(), { body: { properties: { name: t.properties.name, scopes: t.properties.scopes } } })).status).toBe(201);
  });

  test('PATCH expiryDate null saves a token from expiry', async () => {
    const t = await createToken(emu, uniqueName('save'), { expiryDate: inSeconds(2 * 3600) });
    await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { expiryDate: null } });
    await emu.advanceClock(3 * 3600);
    expect((await call(emu, 'GET', `${tokens()}/${t.id}`)).status).toBe(200);
  });
});

describe('login', () => {
  test('right credentials: true; wrong password, wrong name, other registry: false', async () => {
    const t = await createToken(emu, uniqueName('login'));
    const { username, password } = t.properties.credentials;
    expect(await emu.login(emu.registryId, username, password)).toBe(true);
    expect(await emu.login(emu.registryId.toUpperCase(), username, password)).toBe(true);
    expect(await emu.login(emu.registryId, username, `${password}x`)).toBe(false);
    expect(await emu.login(emu.registryId, `${username}x`, password)).toBe(false);
    expect(await emu.login(emu.registryId, username, '')).toBe(false);
    expect(await emu.login('00000000-0000-4000-8000-000000000000', username, password)).toBe(false);
  });

  test('a disabled token cannot log in; enabled again, it can', async () => {
    const t = await createToken(emu, uniqueName('dis'), { status: 'disabled' });
    const { username, password } = t.properties.credentials;
    expect(await emu.login(emu.registryId, username, password)).toBe(false);
    await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { status: 'enabled' } });
    expect(await emu.login(emu.registryId, username, password)).toBe(true);
  });

  test('a successful login names the registry hostname', async () => {
    const t = await createToken(emu, uniqueName('host'));
    const res = await fetch(`${emu.url}/__emulator/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ registryId: emu.registryId, username: t.properties.name, password: t.properties.credentials.password }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ login: 'succeeded', hostname: 'registry-5b2a4e1c.cr.de-fra.ionos.com' });
  });

  test('a malformed login body is a 400', async () => {
    const res = await fetch(`${emu.url}/__emulator/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ registryId: 'x', username: 'a' }),
    });
    expect(res.status).toBe(400);
  });
});

describe('GET /__emulator/tokens', () => {
  test('lists live tokens without a password and without entering the request log', async () => {
    const t = await createToken(emu, uniqueName('ctl'));
    await emu.clearRequests();
    const live = await emu.listTokens();
    expect(live.map((x) => x.id)).toEqual([t.id]);
    expect(live[0].properties.credentials.password).toBe('');
    expect(await emu.requests()).toEqual([]);
    const bad = await fetch(`${emu.url}/__emulator/tokens?registryId=nope`);
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${emu.url}/__emulator/tokens?registryId=00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(404);
  });
});

describe('reset', () => {
  test('empties tokens, faults and the request log, and puts the clock back', async () => {
    await createToken(emu, uniqueName('gone'));
    await emu.addFault({ path: '/nothing', status: 500 });
    await emu.advanceClock(100);
    await emu.reset();
    expect(await emu.requests()).toEqual([]);
    expect(await emu.faults()).toEqual([]);
    expect(((await (await fetch(`${emu.url}/__emulator/clock`)).json()) as { offsetSeconds: number }).offsetSeconds).toBe(0);
    expect((await call(emu, 'GET', tokens())).body.total).toBe(0);
    expect((await call(emu, 'GET', '/registries')).body.items).toHaveLength(1);
  });
});
