/** Token endpoints against the real emulator process: success paths and documented errors. */
import { randomUUID } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../helper/emulator';
import { call, createToken, inSeconds, messagesOf, scope, tokenInput, uniqueName, useEmulator } from './support';

let emu: RunningEmulator;
const tokens = () => `/registries/${emu.registryId}/tokens`;

useEmulator((e) => (emu = e));

describe('POST /registries/{id}/tokens', () => {
  test('creates: 201, Location = href, password shown once, defaults filled', async () => {
    // WHEN
    const name = uniqueName('create');
    const res = await call(emu, 'POST', tokens(), { body: tokenInput(name) });
    // THEN
    expect(res.status).toBe(201);
    const t = res.body;
    expect(res.headers.get('location')).toBe(`${emu.url}/containerregistries/registries/${emu.registryId}/tokens/${t.id}`);
    expect(t.href).toBe(res.headers.get('location'));
    expect(t.properties).toMatchObject({ name, status: 'enabled', expiryDate: null, scopes: [scope()] });
    expect(t.properties.credentials.username).toBe(name);
    expect(t.properties.credentials.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t.metadata).toMatchObject({ createdBy: 'emulator', state: 'enabled' });
    expect(t.metadata.lastModifiedDate).toBeUndefined();
    expect(Math.abs(Date.parse(t.metadata.createdDate) - Date.now())).toBeLessThan(60_000);
  });

  test('password is shown only in the create answer: GET and list show ""', async () => {
    const t = await createToken(emu, uniqueName('once'));
    const got = await call(emu, 'GET', `${tokens()}/${t.id}`);
    expect(got.status).toBe(200);
    expect(got.body.properties.credentials).toEqual({ username: t.properties.name, password: '' });
    const list = await call(emu, 'GET', `${tokens()}?limit=1000`);
    const item = list.body.items.find((i: { id: string }) => i.id === t.id);
    expect(item.properties.credentials.password).toBe('');
    expect(list.text).not.toContain(t.properties.credentials.password);
  });

  test('two creates get different passwords, and each logs in only with its own', async () => {
    const a = await createToken(emu, uniqueName('pw-a'));
    const b = await createToken(emu, uniqueName('pw-b'));
    expect(a.properties.credentials.password).not.toBe(b.properties.credentials.password);
    expect(await emu.login(emu.registryId, a.properties.name, a.properties.credentials.password)).toBe(true);
    expect(await emu.login(emu.registryId, a.properties.name, b.properties.credentials.password)).toBe(false);
  });

  test('fails with the documented 409 when the name is taken in the registry', async () => {
    const name = uniqueName('dup');
    await createToken(emu, name);
    const res = await call(emu, 'POST', tokens(), { body: tokenInput(name) });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ httpStatus: 409, messages: [{ errorCode: '0', message: 'already exists: name is not available' }] });
  });

  test('keeps status, expiryDate and several scopes as given', async () => {
    const expiryDate = inSeconds(86400);
    const scopes = [scope('a/*', ['pull', 'push']), scope('*', ['pull', 'push', 'delete']), scope('*', ['pull'], 'registry')];
    const t = await createToken(emu, uniqueName('full'), { status: 'disabled', expiryDate, scopes });
    expect(t.properties).toMatchObject({ status: 'disabled', expiryDate, scopes });
    expect(t.metadata.state).toBe('disabled');
  });

  test('fails with 404 on an unknown registry', async () => {
    const res = await call(emu, 'POST', `/registries/${randomUUID()}/tokens`, { body: tokenInput(uniqueName()) });
    expect(res.status).toBe(404);
    expect(messagesOf(res)).toMatch(/registry .* not found/);
  });
});

describe('GET /registries/{id}/tokens/{id}', () => {
  test('reads the token', async () => {
    const t = await createToken(emu, uniqueName('read'));
    const res = await call(emu, 'GET', `${tokens()}/${t.id}`);
    expect(res.status).toBe(200);
    expect({ ...res.body, properties: { ...res.body.properties, credentials: undefined } }).toEqual({
      ...t,
      properties: { ...t.properties, credentials: undefined },
    });
  });

  test('accepts an upper-case id and answers the stored (lower-case) one', async () => {
    const t = await createToken(emu, uniqueName('upper'));
    const res = await call(emu, 'GET', `${tokens()}/${t.id.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(t.id);
  });

  test('fails with 404 for an unknown token and an unknown registry', async () => {
    expect((await call(emu, 'GET', `${tokens()}/${randomUUID()}`)).status).toBe(404);
    expect((await call(emu, 'GET', `/registries/${randomUUID()}/tokens/${randomUUID()}`)).status).toBe(404);
  });

  test('fails with 400 for ids that are not uuids', async () => {
    const bad = await call(emu, 'GET', `${tokens()}/not-a-uuid`);
    expect(bad.status).toBe(400);
    expect(messagesOf(bad)).toContain('tokenId "not-a-uuid" must be a uuid');
    const badRegistry = await call(emu, 'GET', `/registries/nope/tokens/${randomUUID()}`);
    expect(badRegistry.status).toBe(400);
    expect(messagesOf(badRegistry)).toContain('registryId "nope" must be a uuid');
  });
});

describe('PUT /registries/{id}/tokens/{id}', () => {
  test('creates at the client-chosen id: 201, Location, password', async () => {
    const id = randomUUID();
    const res = await call(emu, 'PUT', `${tokens()}/${id}`, { body: tokenInput(uniqueName('put')) });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe(id);
    expect(res.headers.get('location')).toBe(`${emu.url}/containerregistries/registries/${emu.registryId}/tokens/${id}`);
    expect(res.body.properties.credentials.password).toHaveLength(43);
  });

  test('replaces an existing token: 200, password "", everything but the name replaced, password kept', async () => {
    const id = randomUUID();
    const name = uniqueName('replace');
    const first = await call(emu, 'PUT', `${tokens()}/${id}`, { body: tokenInput(name, { expiryDate: inSeconds(86400) }) });
    const password = first.body.properties.credentials.password;
    // WHEN: the same name, other scopes, no status and no expiry
    const res = await call(emu, 'PUT', `${tokens()}/${id}`, { body: tokenInput(name, { scopes: [scope('other', ['pull', 'push'])] }) });
    // THEN
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.body.properties).toMatchObject({ name, status: 'enabled', expiryDate: null, scopes: [scope('other', ['pull', 'push'])] });
    expect(res.body.properties.credentials.password).toBe('');
    expect(res.body.metadata.createdDate).toBe(first.body.metadata.createdDate);
    expect(res.body.metadata).toMatchObject({ lastModifiedBy: 'emulator' });
    expect(await emu.login(emu.registryId, name, password)).toBe(true);
  });

  test('fails with 400 when the name of an existing token would change', async () => {
    const id = randomUUID();
    const name = uniqueName('fixed');
    await call(emu, 'PUT', `${tokens()}/${id}`, { body: tokenInput(name) });
    const res = await call(emu, 'PUT', `${tokens()}/${id}`, { body: tokenInput(`${name}-x`) });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain(`properties.name cannot be changed: token ${id} is named "${name}"`);
    expect((await call(emu, 'GET', `${tokens()}/${id}`)).body.properties.name).toBe(name);
  });

  test('fails with the documented 409 when creating at a new id with a taken name', async () => {
    const name = uniqueName('taken');
    await createToken(emu, name);
    const res = await call(emu, 'PUT', `${tokens()}/${randomUUID()}`, { body: tokenInput(name) });
    expect(res.status).toBe(409);
    expect(res.body.messages).toEqual([{ errorCode: '0', message: 'already exists: name is not available' }]);
  });

  test('fails with 404 on an unknown registry and 400 on a bad token id', async () => {
    expect((await call(emu, 'PUT', `/registries/${randomUUID()}/tokens/${randomUUID()}`, { body: tokenInput(uniqueName()) })).status).toBe(404);
    expect((await call(emu, 'PUT', `${tokens()}/123`, { body: tokenInput(uniqueName()) })).status).toBe(400);
  });
});

describe('PATCH /registries/{id}/tokens/{id}', () => {
  test('changes only the fields given', async () => {
    const expiryDate = inSeconds(86400);
    const t = await createToken(emu, uniqueName('patch'), { expiryDate });
    // WHEN: status only
    const res = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { status: 'disabled' } });
    // THEN
    expect(res.status).toBe(200);
    expect(res.body.properties).toMatchObject({ status: 'disabled', expiryDate, scopes: t.properties.scopes });
    expect(res.body.properties.credentials.password).toBe('');
    expect(res.body.metadata.lastModifiedDate).toBeDefined();
    expect(res.body.metadata.state).toBe('disabled');
  });

  test('expiryDate null removes the expiry; scopes are replaced as a whole', async () => {
    const t = await createToken(emu, uniqueName('patch2'), { expiryDate: inSeconds(86400) });
    const res = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { expiryDate: null, scopes: [scope('x', ['pull'], 'registry')] } });
    expect(res.status).toBe(200);
    expect(res.body.properties).toMatchObject({ expiryDate: null, status: 'enabled', scopes: [scope('x', ['pull'], 'registry')] });
    const read = await call(emu, 'GET', `${tokens()}/${t.id}`);
    expect(read.body.properties.scopes).toEqual([scope('x', ['pull'], 'registry')]);
  });

  test('an empty body changes nothing', async () => {
    const t = await createToken(emu, uniqueName('noop'));
    const res = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: {} });
    expect(res.status).toBe(200);
    expect(res.body.metadata.lastModifiedDate).toBeUndefined();
  });

  test('the name cannot be patched', async () => {
    const t = await createToken(emu, uniqueName('nopatchname'));
    const res = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { name: 'other-name' } });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain('must not have property "name"');
  });

  test('fails with 404 for an unknown token', async () => {
    expect((await call(emu, 'PATCH', `${tokens()}/${randomUUID()}`, { body: { status: 'enabled' } })).status).toBe(404);
  });
});

describe('DELETE /registries/{id}/tokens/{id}', () => {
  test('deletes: 204 without a body, then 404 on GET and DELETE', async () => {
    const t = await createToken(emu, uniqueName('del'));
    const res = await call(emu, 'DELETE', `${tokens()}/${t.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await call(emu, 'GET', `${tokens()}/${t.id}`)).status).toBe(404);
    expect((await call(emu, 'DELETE', `${tokens()}/${t.id}`)).status).toBe(404);
    expect(await emu.login(emu.registryId, t.properties.name, t.properties.credentials.password)).toBe(false);
  });

  test('the name is free again after a delete', async () => {
    const name = uniqueName('reuse');
    const t = await createToken(emu, name);
    await call(emu, 'DELETE', `${tokens()}/${t.id}`);
    expect((await call(emu, 'POST', tokens(), { body: tokenInput(name) })).status).toBe(201);
  });
});

describe('names are unique per registry, not across registries', () => {
  test('the same name in two registries', async () => {
    const other = randomUUID();
    const two = await startEmulator(['--registry', emu.registryId, '--registry', other]);
    try {
      expect(two.registryIds).toEqual([emu.registryId, other]);
      await createToken(two, 'same-name', {}, emu.registryId);
      await createToken(two, 'same-name', {}, other);
      const res = await call(two, 'POST', `/registries/${other}/tokens`, { body: tokenInput('same-name') });
      expect(res.status).toBe(409);
    } finally {
      expect(await two.stop()).toBe(0);
    }
  });
});
