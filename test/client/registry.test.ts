/** GET /registries/{registryId}: the registry's hostname, for a create with lookupRegistryHostname. */
import nock from 'nock';
import { ApiError, RegistryApiClient, UnexpectedResponseError } from '../../lib/client';
import { apiError, BASE, config, HOST, JSON_HEADERS, REGISTRY, useNock } from './helpers';

useNock();

const PATH = `/containerregistries/registries/${REGISTRY}`;
const registry = (hostname?: string) => ({
  id: REGISTRY,
  type: 'registry',
  href: `${BASE}/registries/${REGISTRY}`,
  metadata: { createdBy: 'u', createdByUserId: 'u', createdDate: '2026-01-01T00:00:00Z', state: 'Running' },
  properties: { name: 'demo', location: 'de/fra', ...(hostname === undefined ? {} : { hostname }) },
});

describe('getRegistry', () => {
  test('one GET; the registry with its hostname', async () => {
    nock(HOST).get(PATH).reply(200, registry('demo.cr.de-fra.ionos.com'), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    expect((await client.getRegistry(REGISTRY)).properties.hostname).toBe('demo.cr.de-fra.ionos.com');
    expect(client.stats).toEqual({ requests: 1, retries: 0 });
  });

  test('retries 503 like every read', async () => {
    nock(HOST).get(PATH).reply(503, apiError(503, 'busy'), JSON_HEADERS).get(PATH).reply(200, registry('demo.cr.de-fra.ionos.com'), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    await client.getRegistry(REGISTRY);
    expect(client.stats).toEqual({ requests: 2, retries: 1 });
  });

  test('fails if the registry is unknown: an ApiError naming the call, the status and the API message', async () => {
    nock(HOST).get(PATH).reply(404, apiError(404, `registry ${REGISTRY} not found`), JSON_HEADERS);
    const err = await new RegistryApiClient(config()).getRegistry(REGISTRY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect((err as ApiError).message).toBe(`GET registry ${REGISTRY}: HTTP 404 registry ${REGISTRY} not found`);
  });

  test('fails if the answer has no hostname', async () => {
    nock(HOST).get(PATH).reply(200, registry(), JSON_HEADERS);
    const err = await new RegistryApiClient(config()).getRegistry(REGISTRY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect((err as Error).message).toMatch(/^GET registry .*: unexpected response: expected a JSON registry \(properties\.hostname\); got HTTP 200 with no properties\.hostname/);
  });
});
