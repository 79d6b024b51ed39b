/** Request log, injected faults and latency against the real emulator process. */
import { DEFAULT_AUTH, startEmulator, type RunningEmulator } from '../helper/emulator';
import { call, expectShape, tokenInput, uniqueName, useEmulator } from './support';

let emu: RunningEmulator;
const tokens = () => `/registries/${emu.registryId}/tokens`;
const listPath = () => `/containerregistries/registries/${emu.registryId}/tokens`;

useEmulator((e) => (emu = e), { resetEach: true });

const names = async () =>
  (await call(emu, 'GET', `${tokens()}?limit=1000`)).body.items.map((t: { properties: { name: string } }) => t.properties.name) as string[];

describe('request log', () => {
  test('one entry per API call, in order, path without query, status; control calls not logged', async () => {
    await call(emu, 'GET', `${tokens()}?limit=5`);
    await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName()) });
    await call(emu, 'GET', '/registries', { auth: null });
    await emu.faults();
    const log = await emu.requests();
    expect(log.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'GET', path: listPath(), status: 200 },
      { method: 'POST', path: listPath(), status: 201 },
      { method: 'GET', path: '/containerregistries/registries', status: 401 },
    ]);
    for (const e of log) expect(Math.abs(Date.parse(e.at) - Date.now())).toBeLessThan(60_000);
    await emu.clearRequests();
    expect(await emu.requests()).toEqual([]);
  });
});

describe('faults', () => {
  test('times: the next n matching calls answer the status, then calls pass', async () => {
    const fault = await emu.addFault({ method: 'get', path: '/tokens$', status: 503, times: 2 });
    expect(fault).toMatchObject({ id: expect.any(String), method: 'GET', status: 503, times: 2, remaining: 2, commit: false });
    expect((await call(emu, 'GET', '/registries')).status).toBe(200); // path does not match
    const first = await call(emu, 'GET', tokens());
    expect(first.status).toBe(503);
    expect(first.body.httpStatus).toBe(503);
    expect(first.headers.get('retry-after')).toBeNull();
    expect((await emu.faults())[0]).toMatchObject({ remaining: 1, hits: 1 });
    expect((await call(emu, 'GET', tokens())).status).toBe(503);
    expect((await call(emu, 'GET', tokens())).status).toBe(200);
    expect(await emu.faults()).toEqual([]);
    expect((await emu.requests()).map((e) => e.status)).toEqual([200, 503, 503, 200]);
  });

  test('without times a fault hits once; method matching is exact', async () => {
    await emu.addFault({ method: 'POST', status: 500 });
    expect((await call(emu, 'GET', tokens())).status).toBe(200);
    expect((await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName()) })).status).toBe(500);
    expect((await call(emu, 'POST', tokens(), { body: tokenInput(uniqueName()) })).status).toBe(201);
  });

  test('a fault without commit has no effect: the token is not created', async () => {
    const name = uniqueName('nocommit');
    await emu.addFault({ method: 'POST', status: 502 });
    expect((await call(emu, 'POST', tokens(), { body: tokenInput(name) })).status).toBe(502);
    expect(await names()).not.toContain(name);
  });

  test('commit: the call takes effect, then answers the fault ("502 but created"); the retry gets 409', async () => {
    const name = uniqueName('commit');
    await emu.addFault({ method: 'POST', path: '/tokens$', status: 502, commit: true });
    const res = await call(emu, 'POST', tokens(), { body: tokenInput(name) });
    expect(res.status).toBe(502);
    expect(res.text).not.toContain('password');
    expect(await names()).toContain(name);
    const retry = await call(emu, 'POST', tokens(), { body: tokenInput(name) });
    expect(retry.status).toBe(409);
  });

  test('retryAfterSeconds adds Retry-After', async () => {
    await emu.addFault({ status: 429, retryAfterSeconds: 7 });
    const res = await call(emu, 'GET', tokens());
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  test('status 0 resets the connection, and is logged as 0', async () => {
    await emu.addFault({ path: '/tokens$', status: 0 });
    await expect(fetch(`${emu.url}${listPath()}`, { headers: { Authorization: DEFAULT_AUTH.basic } })).rejects.toThrow();
    expect((await call(emu, 'GET', tokens())).status).toBe(200);
    expect((await emu.requests()).map((e) => e.status)).toEqual([0, 200]);
  });

  test('status 0 with commit: created, then reset', async () => {
    const name = uniqueName('reset');
    await emu.addFault({ method: 'POST', status: 0, commit: true });
    await expect(
      fetch(`${emu.url}${listPath()}`, {
        method: 'POST',
        headers: { Authorization: DEFAULT_AUTH.basic, 'Content-Type': 'application/json' },
        body: JSON.stringify(tokenInput(name)),
      }),
    ).rejects.toThrow();
    expect(await names()).toContain(name);
  });

  test('rate: a random fraction of matching calls, bounded by times when given', async () => {
    await emu.addFault({ path: '/registries$', status: 503, rate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await call(emu, 'GET', '/registries')).status);
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(50); // expectation 100, these bounds fail with p < 1e-12
    expect(failed).toBeLessThan(150);
    expect(failed + statuses.filter((s) => s === 200).length).toBe(200);
    await emu.clearFaults();

    await emu.addFault({ path: '/registries$', status: 500, rate: 1, times: 3 });
    const bounded: number[] = [];
    for (let i = 0; i < 10; i++) bounded.push((await call(emu, 'GET', '/registries')).status);
    expect(bounded.filter((s) => s === 500)).toHaveLength(3);

    await emu.addFault({ path: '/registries$', status: 500, rate: 0 });
    for (let i = 0; i < 20; i++) expect((await call(emu, 'GET', '/registries')).status).toBe(200);
  });

  test('latencyMs delays matching calls only; a latency-only fault answers normally', async () => {
    await emu.addFault({ path: '/registries$', latencyMs: 1000 });
    const t0 = Date.now();
    const slow = await call(emu, 'GET', '/registries');
    const slowMs = Date.now() - t0;
    expect(slow.status).toBe(200);
    expect(slowMs).toBeGreaterThanOrEqual(990);
    const t1 = Date.now();
    await call(emu, 'GET', '/registries');
    expect(Date.now() - t1).toBeLessThan(600);
  });

  test('the first registered fault that matches wins', async () => {
    await emu.addFault({ status: 500 });
    await emu.addFault({ status: 503 });
    expect((await call(emu, 'GET', '/registries')).status).toBe(500);
    expect((await call(emu, 'GET', '/registries')).status).toBe(503);
  });

  test('DELETE /__emulator/faults clears them', async () => {
    await emu.addFault({ status: 500, times: 5 });
    await emu.clearFaults();
    expect(await emu.faults()).toEqual([]);
    expect((await call(emu, 'GET', '/registries')).status).toBe(200);
  });

  test.each([
    ['no status nor latency', {}],
    ['a 2xx status', { status: 200 }],
    ['status 600', { status: 600 }],
    ['a bad regular expression', { status: 500, path: '(' }],
    ['times 0', { status: 500, times: 0 }],
    ['rate 2', { status: 500, rate: 2 }],
    ['an unknown field', { status: 500, when: 'now' }],
    ['commit without a status', { latencyMs: 10, commit: true }],
  ])('a fault with %s is refused with 400', async (_, spec) => {
    const res = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(spec) });
    expect(res.status).toBe(400);
    expectShape('ApiErrorResponse', await res.json());
  });
});

describe('--latency-ms', () => {
  test('every API call waits, control calls do not', async () => {
    const slow = await startEmulator(['--latency-ms', '800']);
    try {
      const t0 = Date.now();
      expect((await call(slow, 'GET', '/registries')).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(790);
      const t1 = Date.now();
      expect((await call(slow, 'GET', '/nothing-here', { auth: null })).status).toBe(401);
      expect(Date.now() - t1).toBeGreaterThanOrEqual(790);
      const t2 = Date.now();
      await slow.requests();
      expect(Date.now() - t2).toBeLessThan(500);
    } finally {
      await slow.stop();
    }
  });
});

describe('control endpoints', () => {
  test('unknown control route is a 404, wrong method a 405, bad JSON a 400', async () => {
    expect((await fetch(`${emu.url}/__emulator/nothing`)).status).toBe(404);
    expect((await fetch(`${emu.url}/__emulator/reset`)).status).toBe(405);
    const bad = await fetch(`${emu.url}/__emulator/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
  });

  test('control endpoints need no credentials and are never under /containerregistries', async () => {
    expect((await fetch(`${emu.url}/__emulator/requests`)).status).toBe(200);
    expect((await call(emu, 'GET', '/__emulator/requests')).status).toBe(404);
  });
});

describe('fault answers a client does not expect', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.stop();
  });

  test('a raw body with its content type replaces the ApiErrorResponse', async () => {
    await emu.addFault({ method: 'GET', path: '/registries$', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
    const res = await fetch(`${emu.url}/containerregistries/registries`, { headers: { authorization: DEFAULT_AUTH.basic } });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<html>Bad Gateway</html>');
  });

  test('a 200 needs a body, and then answers it', async () => {
    const refused = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 200 }) });
    expect(refused.status).toBe(400);
    await emu.addFault({ method: 'GET', path: '/registries$', status: 200, body: '{}', contentType: 'application/json' });
    const res = await fetch(`${emu.url}/containerregistries/registries`, { headers: { authorization: DEFAULT_AUTH.basic } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  test('with commit, the latency comes after the call took effect', async () => {
    const id = '3f0c9a2e-1b4d-4c6e-8f7a-9b0c1d2e3f4a';
    await emu.addFault({ method: 'PUT', status: 502, commit: true, latencyMs: 1500 });
    const started = Date.now();
    const pending = fetch(`${emu.url}/containerregistries/registries/${emu.registryId}/tokens/${id}`, {
      method: 'PUT',
      headers: { authorization: DEFAULT_AUTH.basic, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { name: 'slow-commit', scopes: [{ type: 'repository', name: '*', actions: ['pull'] }] } }),
    });
    let seenAt = 0;
    while (!seenAt && Date.now() - started < 1400) {
      if ((await emu.listTokens(emu.registryId)).some((t) => t.id === id)) seenAt = Date.now();
      else await new Promise((r) => setTimeout(r, 50));
    }
    const res = await pending;
    expect(seenAt).toBeGreaterThan(0);
    expect(res.status).toBe(502);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });
});
