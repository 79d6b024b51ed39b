/** A client whose run is gone (its signal aborted) sends nothing more and cuts the call in flight. */
import nock from 'nock';
import { ApiError, RegistryApiClient } from '../../lib/client';
import { config, JSON_HEADERS, REGISTRY, token, TOKEN_ID, TOKEN_PATH, HOST, useNock } from './helpers';

useNock();

const gone = () => new Error('the engine run that asked for this step (pid 4242) is gone');

test('aborted before the call: no request leaves, and the error gives the reason', async () => {
  const controller = new AbortController();
  controller.abort(gone());
  const scope = nock(HOST).put(TOKEN_PATH).reply(201, token({ password: 'pw' }), JSON_HEADERS);
  const err = await new RegistryApiClient(config({ signal: controller.signal })).putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).message).toContain('pid 4242) is gone');
  expect(scope.isDone()).toBe(false);
});

test('aborted while the answer is awaited: the call is cut at once and never retried', async () => {
  const controller = new AbortController();
  let requests = 0;
  nock(HOST)
    .delete(TOKEN_PATH)
    .times(3)
    .delay(5_000)
    .reply(() => {
      requests++;
      return [204, ''];
    });
  const started = Date.now();
  setTimeout(() => controller.abort(gone()), 100);
  const err = await new RegistryApiClient(config({ signal: controller.signal, timeoutMs: 10_000 })).deleteToken(REGISTRY, TOKEN_ID).catch((e: unknown) => e);
  expect((err as ApiError).status).toBe(0);
  expect((err as ApiError).retriable).toBe(false);
  expect((err as ApiError).message).toContain('is gone');
  expect(Date.now() - started).toBeLessThan(4_000);
  expect(requests).toBeLessThanOrEqual(1);
});

test('aborted during the wait before a retry: the retry is not sent', async () => {
  const controller = new AbortController();
  const seen: string[] = [];
  nock(HOST)
    .get(TOKEN_PATH)
    .times(3)
    .reply(() => {
      seen.push('GET');
      if (seen.length === 1) setTimeout(() => controller.abort(gone()), 50);
      return [429, '', { 'Retry-After': '2' }];
    });
  const client = new RegistryApiClient(config({ signal: controller.signal, retryMaxDelayMs: 5_000 }));
  const err = await client.getToken(REGISTRY, TOKEN_ID).catch((e: unknown) => e);
  expect((err as ApiError).message).toContain('is gone');
  expect(seen).toEqual(['GET']);
});
