/** Each request rule with a good and a bad value, against the real emulator process. */
import { randomUUID } from 'node:crypto';
import type { RunningEmulator } from '../helper/emulator';
import { call, createToken, inSeconds, messagesOf, scope, tokenInput, uniqueName, useEmulator } from './support';

let emu: RunningEmulator;
const tokens = () => `/registries/${emu.registryId}/tokens`;

useEmulator((e) => (emu = e));

/** A name that is unique per test run but keeps the shape under test. */
const unique = (name: string) => (name.length < 50 ? `${name}${Date.now() % 100000}${Math.floor(Math.random() * 1000)}` : name);

describe('name', () => {
  test.each([
    ['three characters', 'abc'],
    ['upper case after the first', 'aBC-9'],
    ['63 characters', `a${'b'.repeat(61)}c`],
    ['dashes inside', 'a--b'],
  ])('accepts %s', async (_, name) => {
    const res = await call(emu, 'POST', tokens(), { body: tokenInput(name === 'abc' || name.length === 63 ? name : unique(name)) });
    expect(res.status).toBe(201);
  });

  test.each([
    ['two characters', 'ab', 'must be 3-63 characters long'],
    ['64 characters', `a${'b'.repeat(63)}`, 'must be 3-63 characters long'],
    ['an upper-case first letter', 'Abc', 'must start with a letter a-z'],
    ['a digit first', '1abc', 'must start with a letter a-z'],
    ['an underscore', 'ab_c', 'may only contain a-z, A-Z, 0-9 and "-"'],
    ['a dot', 'ab.c', 'may only contain'],
    ['a dash last', 'abc-', 'must end with a letter or a digit'],
    ['a number', 42, 'must be a string'],
  ])('refuses %s with 400', async (_, name, words) => {
    const res = await call(emu, 'POST', tokens(), { body: tokenInput(name as string) });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain(`properties.name ${JSON.stringify(name)} ${words}`);
  });

  test('refuses a missing name', async () => {
    const res = await call(emu, 'POST', tokens(), { body: { properties: { scopes: [scope()] } } });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain("must have required property 'name'");
  });
});

describe('scopes', () => {
  test.each([
    ['repository pull', [scope('app', ['pull'])]],
    ['registry type', [scope('*', ['pull'], 'registry')]],
    ['push with pull', [scope('app', ['push', 'pull'])]],
    ['delete alone', [scope('app', ['delete'])]],
    ['wildcards', [scope('*', ['pull']), scope('team/*/app', ['pull', 'push', 'delete'])]],
  ])('accepts %s', async (_, scopes) => {
    expect((await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName('sc'), { scopes }) })).status).toBe(201);
  });

  test.each([
    ['an empty list', [], 'properties.scopes [] must contain at least one scope'],
    ['an unknown type', [scope('app', ['pull'], 'repo')], 'properties.scopes[0].type "repo" must be one of registry, repository'],
    ['an empty path', [scope('', ['pull'])], 'properties.scopes[0].name "" must be a repository path'],
    ['no actions', [scope('app', [])], 'properties.scopes[0].actions [] must list at least one of pull, push, delete'],
    ['an unknown action', [scope('app', ['pull', 'write'])], 'may only contain pull, push, delete'],
    ['push without pull', [scope('app', ['push'])], 'must contain "pull" when it contains "push" (push requires pull)'],
    ['a duplicate action', [scope('app', ['pull', 'pull'])], 'must not contain duplicates'],
    ['two scopes on one path', [scope('app', ['pull']), scope('app', ['pull', 'push'])], 'duplicates properties.scopes[0]'],
    ['a scope without actions field', [{ type: 'repository', name: 'app' }], 'properties.scopes[0].actions undefined must list'],
    ['an extra scope field', [{ ...scope(), extra: true }], 'must not have property "extra"'],
  ])('refuses %s with 400', async (_, scopes, words) => {
    const body = { properties: { name: uniqueName('sc'), ...(scopes === undefined ? {} : { scopes }) } };
    const res = await call(emu, 'POST', tokens(), { body });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain(words);
  });

  // ionosctl `token create` sends no scopes (they are added later with `token scopes add`); the
  // OpenAPI description has them nullable and optional. See docs/emulator.md.
  test.each([
    ['no scopes', undefined],
    ['null scopes', null],
  ])('accepts %s on POST and PUT (the token has scopes null)', async (_, scopes) => {
    const body = { properties: { name: uniqueName('ns'), ...(scopes === undefined ? {} : { scopes }) } };
    const res = await call(emu, 'POST', tokens(), { body });
    expect(res.status).toBe(201);
    expect((res.body as { properties: { scopes: unknown } }).properties.scopes).toBeNull();
    const id = randomUUID();
    const put = await call(emu, 'PUT', `${tokens()}/${id}`, { body: { properties: { name: uniqueName('nsp') } } });
    expect(put.status).toBe(201);
    expect((put.body as { properties: { scopes: unknown } }).properties.scopes).toBeNull();
    const patched = await call(emu, 'PATCH', `${tokens()}/${id}`, { body: { scopes: [scope('app', ['pull'])] } });
    expect(patched.status).toBe(200);
    expect((patched.body as { properties: { scopes: unknown[] } }).properties.scopes).toHaveLength(1);
  });

  test('PATCH scopes follow the same rules', async () => {
    const t = await createToken(emu, uniqueName('psc'));
    const bad = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { scopes: [scope('app', ['push'])] } });
    expect(bad.status).toBe(400);
    expect(messagesOf(bad)).toContain('scopes[0].actions ["push"] must contain "pull"');
    const empty = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { scopes: [] } });
    expect(empty.status).toBe(400);
    const good = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { scopes: [scope('app', ['push', 'pull'])] } });
    expect(good.status).toBe(200);
  });
});

describe('status', () => {
  test.each(['enabled', 'disabled'])('accepts %s', async (status) => {
    expect((await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName('st'), { status }) })).status).toBe(201);
  });

  test.each(['Enabled', 'active', '', 1])('refuses %p with 400', async (status) => {
    const res = await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName('st'), { status }) });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain(`properties.status ${JSON.stringify(status)} must be one of enabled, disabled`);
  });

  test('PATCH refuses a bad status', async () => {
    const t = await createToken(emu, uniqueName('pst'));
    const res = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { status: 'off' } });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain('status "off" must be one of enabled, disabled');
  });
});

describe('expiryDate', () => {
  test.each([
    ['null (never expires)', null],
    ['a day ahead in UTC', inSeconds(86400)],
    ['61 minutes ahead', inSeconds(61 * 60)],
    ['with an offset zone', new Date(Date.now() + 86400_000).toISOString().replace(/\.\d+Z$/, '+00:00')],
  ])('accepts %s', async (_, expiryDate) => {
    expect((await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName('ex'), { expiryDate }) })).status).toBe(201);
  });

  test.each([
    ['59 minutes ahead', inSeconds(59 * 60), 'must be at least one hour in the future'],
    ['in the past', inSeconds(-60), 'must be at least one hour in the future'],
    ['without a zone', inSeconds(86400).replace('Z', ''), 'must be an RFC 3339 date-time with a zone'],
    ['a date only', '2099-01-01', 'must be an RFC 3339 date-time with a zone'],
    ['not a date', 'tomorrow', 'must be an RFC 3339 date-time with a zone'],
    ['a number', 4102444800, 'must be string,null'],
  ])('refuses %s with 400', async (_, expiryDate, words) => {
    const res = await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName('ex'), { expiryDate }) });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain(words);
  });

  test('PATCH holds a new expiry to the one-hour rule, and PUT does not re-check an unchanged one', async () => {
    const expiryDate = inSeconds(2 * 3600);
    const t = await createToken(emu, uniqueName('pex'), { expiryDate });
    expect((await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { expiryDate: inSeconds(1800) } })).status).toBe(400);
    // The emulator clock moves 90 minutes: the stored expiry is now 30 minutes ahead.
    await emu.advanceClock(90 * 60);
    try {
      const same = await call(emu, 'PUT', `${tokens()}/${t.id}`, { body: tokenInput(t.properties.name, { expiryDate }) });
      expect(same.status).toBe(200);
      const nearer = await call(emu, 'PATCH', `${tokens()}/${t.id}`, { body: { expiryDate: inSeconds(2 * 3600 + 60) } });
      expect(nearer.status).toBe(400);
      expect(messagesOf(nearer)).toContain('must be at least one hour in the future');
    } finally {
      await emu.reset();
    }
  });
});

describe('body', () => {
  test('unknown fields are refused', async () => {
    const res = await call(emu, 'POST', tokens(), { body: { ...tokenInput(uniqueName('uf')), extra: 1 } });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain('(root) must not have property "extra"');
    const inner = await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName('uf'), { expiry: null } as never) });
    expect(inner.status).toBe(400);
    expect(messagesOf(inner)).toContain('/properties must not have property "expiry"');
  });

  test('a body without properties is refused', async () => {
    const res = await call(emu, 'POST', tokens(), { body: { name: 'abc' } });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain("must have required property 'properties'");
  });

  test('a JSON array is refused', async () => {
    const res = await call(emu, 'POST', tokens(), { body: [tokenInput('abcd')] });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toContain('(root) must be object');
  });

  test.each([
    ['truncated JSON', '{"properties": {'],
    ['an empty body', ''],
    ['plain text', 'name=abc'],
  ])('malformed JSON (%s) is a 400', async (_, rawBody) => {
    const res = await call(emu, 'POST', tokens(), { rawBody, contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toMatch(/^malformed JSON body/);
  });

  test.each([
    ['text/plain', 'text/plain'],
    ['form encoded', 'application/x-www-form-urlencoded'],
    ['no content type', null],
  ])('a body sent as %s is a 415', async (_, contentType) => {
    const res = await call(emu, 'POST', tokens(), { rawBody: JSON.stringify(tokenInput(uniqueName('ct'))), contentType });
    expect(res.status).toBe(415);
    expect(messagesOf(res)).toContain('send the body as application/json');
  });

  test('application/json with a charset is fine', async () => {
    const res = await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName('cs')), contentType: 'application/json; charset=utf-8' });
    expect(res.status).toBe(201);
  });

  test('PATCH and PUT check the content type too', async () => {
    const t = await createToken(emu, uniqueName('ct2'));
    expect((await call(emu, 'PATCH', `${tokens()}/${t.id}`, { rawBody: '{}', contentType: 'text/plain' })).status).toBe(415);
    expect((await call(emu, 'PUT', `${tokens()}/${t.id}`, { rawBody: '{', contentType: 'application/json' })).status).toBe(400);
  });

  test('a body over 1 MiB is a 413', async () => {
    const res = await call(emu, 'POST', tokens(), { rawBody: `{"x":"${'a'.repeat(1024 * 1024)}"}` });
    expect(res.status).toBe(413);
  });

  test('several problems are reported together, one message each', async () => {
    const res = await call(emu, 'POST', tokens(), {
      body: { properties: { name: 'A', status: 'on', scopes: [scope('app', ['push'])], expiryDate: 'soon' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.messages).toHaveLength(4);
    expect(res.body.messages.every((m: { errorCode: string }) => m.errorCode === '400')).toBe(true);
  });
});
