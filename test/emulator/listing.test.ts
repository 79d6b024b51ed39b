/** Registries and the token list (pagination) against the real emulator process. */
import { randomUUID } from 'node:crypto';
import { DEFAULT_REGISTRY_ID } from '../../lib/emulator/defaults';
import { startEmulator, type RunningEmulator } from '../helper/emulator';
import { call, createToken, messagesOf } from './support';

let emu: RunningEmulator;
const ids: string[] = [];
const page = (query: string) => call(emu, 'GET', `/registries/${emu.registryId}/tokens${query}`);

beforeAll(async () => {
  emu = await startEmulator();
  for (const name of ['t-one', 't-two', 't-three', 't-four', 't-five']) ids.push((await createToken(emu, name)).id);
});
afterAll(async () => {
  expect(await emu.stop()).toBe(0);
});

describe('registries', () => {
  test('the default registry has the fixed id and a registry hostname', async () => {
    expect(emu.registryId).toBe(DEFAULT_REGISTRY_ID);
    const res = await call(emu, 'GET', '/registries');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const r = res.body.items[0];
    expect(r).toMatchObject({ id: DEFAULT_REGISTRY_ID, type: 'registry', href: `${emu.url}/containerregistries/registries/${DEFAULT_REGISTRY_ID}` });
    expect(r.properties).toEqual({ name: 'registry-5b2a4e1c', location: 'de/fra', hostname: 'registry-5b2a4e1c.cr.de-fra.ionos.com' });
  });

  test('GET /registries/{id} reads one; 404 when unknown; 400 when not a uuid', async () => {
    const one = await call(emu, 'GET', `/registries/${DEFAULT_REGISTRY_ID}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(DEFAULT_REGISTRY_ID);
    const unknown = randomUUID();
    const missing = await call(emu, 'GET', `/registries/${unknown}`);
    expect(missing.status).toBe(404);
    expect(messagesOf(missing)).toBe(`registry ${unknown} not found`);
    expect((await call(emu, 'GET', '/registries/xyz')).status).toBe(400);
  });

  test('--registry replaces the default; several are served', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const other = await startEmulator(['--registry', a, '--registry', b.toUpperCase()]);
    try {
      expect(other.registryIds).toEqual([a, b]);
      const res = await call(other, 'GET', '/registries');
      expect(res.body.items.map((r: { id: string }) => r.id)).toEqual([a, b]);
      expect((await call(other, 'GET', `/registries/${DEFAULT_REGISTRY_ID}`)).status).toBe(404);
      expect((await call(other, 'GET', `/registries/${DEFAULT_REGISTRY_ID}/tokens`)).status).toBe(404);
    } finally {
      await other.stop();
    }
  });
});

describe('token list', () => {
  test('defaults: offset 0, limit 100, creation order, count and total', async () => {
    const res = await page('');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ offset: 0, limit: 100, count: 5, total: 5, type: 'collection' });
    expect(res.body.items.map((t: { id: string }) => t.id)).toEqual(ids);
    expect(res.body._links).toEqual({ self: `${res.body.href}?offset=0&limit=100` });
  });

  test('limit 1: one item, a next link, no previous link', async () => {
    const res = await page('?limit=1');
    expect(res.body).toMatchObject({ offset: 0, limit: 1, count: 1, total: 5 });
    expect(res.body.items[0].properties.name).toBe('t-one');
    expect(res.body._links.next).toBe(`${res.body.href}?offset=1&limit=1`);
    expect(res.body._links.previous).toBeUndefined();
  });

  test('a middle page has both links, and following next walks the whole list', async () => {
    const res = await page('?offset=2&limit=2');
    expect(res.body.items.map((t: { properties: { name: string } }) => t.properties.name)).toEqual(['t-three', 't-four']);
    expect(res.body._links).toEqual({
      self: `${res.body.href}?offset=2&limit=2`,
      previous: `${res.body.href}?offset=0&limit=2`,
      next: `${res.body.href}?offset=4&limit=2`,
    });
    const seen: string[] = [];
    let next: string | undefined = `${res.body.href}?offset=0&limit=2`;
    while (next) {
      const r: { body: any } = await call(emu, 'GET', next.slice(`${emu.url}/containerregistries`.length));
      seen.push(...r.body.items.map((t: { id: string }) => t.id));
      next = r.body._links.next;
    }
    expect(seen).toEqual(ids);
  });

  test('the last page has no next link', async () => {
    const res = await page('?offset=4&limit=2');
    expect(res.body).toMatchObject({ count: 1, total: 5 });
    expect(res.body._links.next).toBeUndefined();
    expect(res.body._links.previous).toBe(`${res.body.href}?offset=2&limit=2`);
  });

  test('offset past the end: empty page, count 0, total kept, previous points at the last page', async () => {
    const res = await page('?offset=10&limit=2');
    expect(res.body).toMatchObject({ offset: 10, limit: 2, count: 0, total: 5, items: [] });
    expect(res.body._links.next).toBeUndefined();
    expect(res.body._links.previous).toBe(`${res.body.href}?offset=3&limit=2`);
  });

  test('limit 1000 is the maximum', async () => {
    expect((await page('?limit=1000')).status).toBe(200);
  });

  test.each([
    ['offset', '-1'],
    ['offset', 'abc'],
    ['offset', '1.5'],
    ['limit', '0'],
    ['limit', '1001'],
    ['limit', ''],
    ['limit', '10&limit=20'],
  ])('%s=%s is a 400', async (name, value) => {
    const res = await page(`?${name}=${value}`);
    expect(res.status).toBe(400);
    expect(messagesOf(res)).toMatch(new RegExp(`^query parameter ${name} .* must be one integer from`));
  });

  test('an unknown registry is a 404', async () => {
    expect((await call(emu, 'GET', `/registries/${randomUUID()}/tokens`)).status).toBe(404);
  });
});
