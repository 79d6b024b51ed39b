import nock from 'nock';
import { ApiError, backoffDelayMs, isRetriedStatus, isTransientError, parseRetryAfter, RegistryApiClient, retryDelayMs } from '../../lib/client';
import { apiError, config, netError, HOST, JSON_HEADERS, REGISTRY, token, TOKEN_ID, TOKEN_PASSWORD, TOKEN_PATH, useNock, failure } from './helpers';

useNock();

const PROPS = { name: 'ci-pull' };

describe('retries', () => {
  test('503 then 200: ok, one retry', async () => {
    const scope = nock(HOST)
      .get(TOKEN_PATH)
      .reply(503, apiError(503, 'try later'), JSON_HEADERS)
      .get(TOKEN_PATH)
      .reply(200, token(), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    expect((await client.getToken(REGISTRY, TOKEN_ID))?.id).toBe(TOKEN_ID);
    expect(client.stats).toEqual({ requests: 2, retries: 1 });
    expect(scope.isDone()).toBe(true);
  });

  test('429 with Retry-After (seconds) is honoured', async () => {
    nock(HOST)
      .get(TOKEN_PATH)
      .reply(429, apiError(429, 'too many requests'), { ...JSON_HEADERS, 'Retry-After': '1' })
      .get(TOKEN_PATH)
      .reply(200, token(), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    const start = Date.now();
    await client.getToken(REGISTRY, TOKEN_ID);
    expect(Date.now() - start).toBeGreaterThanOrEqual(980);
    expect(client.stats.retries).toBe(1);
  });

  test('429 with Retry-After as an HTTP date is honoured', async () => {
    // An HTTP date has whole seconds: 2 s ahead means a wait of more than 1 s.
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toUTCString();
    nock(HOST)
      .delete(TOKEN_PATH)
      .reply(429, apiError(429, 'slow down'), { ...JSON_HEADERS, 'Retry-After': at })
      .delete(TOKEN_PATH)
      .reply(204);
    const client = new RegistryApiClient(config());
    const start = Date.now();
    expect(await client.deleteToken(REGISTRY, TOKEN_ID)).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
  });

  test('a Retry-After beyond the time budget: stop at once and say so', async () => {
    const scope = nock(HOST)
      .get(TOKEN_PATH)
      .reply(429, apiError(429, 'too many requests'), { ...JSON_HEADERS, 'Retry-After': '30' })
      .get(TOKEN_PATH)
      .reply(200, token(), JSON_HEADERS);
    const client = new RegistryApiClient(config({ totalTimeoutMs: 2_000, maxAttempts: 5 }));
    const start = Date.now();
    const e = await failure(client.getToken(REGISTRY, TOKEN_ID));
    expect(Date.now() - start).toBeLessThan(1_000);
    expect(e.status).toBe(429);
    expect(e.attempts).toBe(1);
    expect(e.message).toBe(
      `GET token ${TOKEN_ID}: HTTP 429 too many requests (gave up after 1 attempt: the time budget of 2s ` +
        '(IONOS_REGISTRY_TOKEN_TIMEOUT_SECONDS) is used up; the next retry in 30s would pass it)',
    );
    expect(scope.isDone()).toBe(false);
    expect(client.stats).toEqual({ requests: 1, retries: 0 });
  });

  test('the budget bounds the backoff: no sleep past it', async () => {
    // Backoff of up to 10 s against a 600 ms budget: gives up long before 10 s.
    nock(HOST).get(TOKEN_PATH).times(10).reply(503, apiError(503, 'busy'), JSON_HEADERS);
    const client = new RegistryApiClient(
      config({ totalTimeoutMs: 600, maxAttempts: 10, retryBaseDelayMs: 10_000, retryMaxDelayMs: 10_000 }),
    );
    const start = Date.now();
    const e = await failure(client.getToken(REGISTRY, TOKEN_ID));
    expect(Date.now() - start).toBeLessThan(700);
    expect(e.status).toBe(503);
    expect(e.message).toMatch(/gave up after \d+ attempts?: the time budget of 0\.6s/);
    expect(e.attempts).toBe(client.stats.requests);
  });

  test('attempts exhausted: the error says how many were made', async () => {
    nock(HOST).put(TOKEN_PATH).times(3).reply(503, apiError(503, 'service unavailable'), JSON_HEADERS);
    const client = new RegistryApiClient(config({ maxAttempts: 3 }));
    const e = await failure(client.putToken(REGISTRY, TOKEN_ID, PROPS));
    expect(e.status).toBe(503);
    expect(e.retriable).toBe(true);
    expect(e.attempts).toBe(3);
    expect(e.message).toBe(
      `PUT token ${TOKEN_ID}: HTTP 503 service unavailable (gave up after 3 attempts (IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS=3))`,
    );
    expect(client.stats).toEqual({ requests: 3, retries: 2 });
  });

  test('a permanent error after a retry is not retried further', async () => {
    nock(HOST)
      .put(TOKEN_PATH)
      .reply(504, apiError(504, 'gateway timeout'), JSON_HEADERS)
      .put(TOKEN_PATH)
      .reply(409, apiError(409, 'already exists: name is not available'), JSON_HEADERS);
    const client = new RegistryApiClient(config({ maxAttempts: 5 }));
    const e = await failure(client.putToken(REGISTRY, TOKEN_ID, PROPS));
    expect(e.status).toBe(409);
    expect(e.message).toBe(`PUT token ${TOKEN_ID}: HTTP 409 already exists: name is not available (after 2 attempts)`);
    expect(client.stats).toEqual({ requests: 2, retries: 1 });
  });

  test('PUT 502 is retried', async () => {
    nock(HOST)
      .put(TOKEN_PATH)
      .reply(502, apiError(502, 'bad gateway'), JSON_HEADERS)
      .put(TOKEN_PATH)
      .reply(201, token({ password: TOKEN_PASSWORD }), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    const res = await client.putToken(REGISTRY, TOKEN_ID, PROPS);
    expect(res.created).toBe(true);
    expect(client.stats).toEqual({ requests: 2, retries: 1 });
  });

  test('PATCH and DELETE are retried on 503/504', async () => {
    nock(HOST)
      .patch(TOKEN_PATH)
      .reply(504, 'upstream timed out', { 'Content-Type': 'text/plain' })
      .patch(TOKEN_PATH)
      .reply(200, token(), JSON_HEADERS)
      .delete(TOKEN_PATH)
      .reply(503, apiError(503, 'busy'), JSON_HEADERS)
      .delete(TOKEN_PATH)
      .reply(204);
    const client = new RegistryApiClient(config());
    await client.patchToken(REGISTRY, TOKEN_ID, { status: 'disabled' });
    expect(await client.deleteToken(REGISTRY, TOKEN_ID)).toBe(true);
    expect(client.stats).toEqual({ requests: 4, retries: 2 });
  });

  test('GET is retried on connection resets', async () => {
    nock(HOST)
      .get(TOKEN_PATH)
      .replyWithError(netError('ECONNRESET', 'socket hang up'))
      .get(TOKEN_PATH)
      .replyWithError(netError('ECONNRESET', 'read ECONNRESET'))
      .get(TOKEN_PATH)
      .reply(200, token(), JSON_HEADERS);
    const client = new RegistryApiClient(config({ maxAttempts: 3 }));
    expect((await client.getToken(REGISTRY, TOKEN_ID))?.id).toBe(TOKEN_ID);
    expect(client.stats).toEqual({ requests: 3, retries: 2 });
  });

  test('500 and 4xx are not retried', async () => {
    nock(HOST)
      .get(TOKEN_PATH)
      .reply(500, apiError(500, 'internal error'), JSON_HEADERS)
      .delete(TOKEN_PATH)
      .reply(401, apiError(401, 'unauthorized'), JSON_HEADERS);
    const client = new RegistryApiClient(config());
    expect((await failure(client.getToken(REGISTRY, TOKEN_ID))).message).toBe(`GET token ${TOKEN_ID}: HTTP 500 internal error`);
    const e = await failure(client.deleteToken(REGISTRY, TOKEN_ID));
    expect(e.status).toBe(401);
    expect(client.stats).toEqual({ requests: 2, retries: 0 });
  });

  test('maxAttempts 1 means no retries', async () => {
    nock(HOST).get(TOKEN_PATH).reply(503, apiError(503, 'busy'), JSON_HEADERS);
    const client = new RegistryApiClient(config({ maxAttempts: 1 }));
    const e = await failure(client.getToken(REGISTRY, TOKEN_ID));
    expect(e.message).toBe(`GET token ${TOKEN_ID}: HTTP 503 busy`);
    expect(client.stats).toEqual({ requests: 1, retries: 0 });
  });
});

describe('timeouts', () => {
  test('a request that does not answer in time: status 0, says timeout', async () => {
    nock(HOST).get(TOKEN_PATH).delay(400).reply(200, token(), JSON_HEADERS);
    const client = new RegistryApiClient(config({ timeoutMs: 100, maxAttempts: 1 }));
    const start = Date.now();
    const e = await failure(client.getToken(REGISTRY, TOKEN_ID));
    expect(Date.now() - start).toBeLessThan(350);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(0);
    expect(e.retriable).toBe(true);
    expect(e.message).toBe(`GET token ${TOKEN_ID}: no response within 0.1s (timeout)`);
  });

  test('a timed-out GET is retried', async () => {
    nock(HOST)
      .get(TOKEN_PATH)
      .delay(400)
      .reply(200, token(), JSON_HEADERS)
      .get(TOKEN_PATH)
      .reply(200, token(), JSON_HEADERS);
    const client = new RegistryApiClient(config({ timeoutMs: 100 }));
    expect((await client.getToken(REGISTRY, TOKEN_ID))?.id).toBe(TOKEN_ID);
    expect(client.stats).toEqual({ requests: 2, retries: 1 });
  });

  test('the time budget caps the per-request timeout', async () => {
    nock(HOST).get(TOKEN_PATH).delay(700).reply(200, token(), JSON_HEADERS);
    const client = new RegistryApiClient(config({ timeoutMs: 30_000, totalTimeoutMs: 300, maxAttempts: 5 }));
    const start = Date.now();
    const e = await failure(client.getToken(REGISTRY, TOKEN_ID));
    expect(Date.now() - start).toBeLessThan(650);
    expect(e.message).toContain('no response within 0.3s (timeout)');
    expect(e.message).toContain('gave up after 1 attempt: the time budget of 0.3s');
  });
});

describe('policy helpers', () => {
  test('parseRetryAfter: seconds, HTTP date, past date, garbage', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  test('backoff: full jitter under min(cap, base * 2^(n-1))', () => {
    expect(backoffDelayMs(1, 200, 10_000, () => 0.999)).toBe(199);
    expect(backoffDelayMs(3, 200, 10_000, () => 0.5)).toBe(400);
    expect(backoffDelayMs(20, 200, 10_000, () => 0.999)).toBe(9_990);
    expect(backoffDelayMs(4, 200, 10_000, () => 0)).toBe(0);
  });

  test('transient: 429, 502, 503, 504 and connection errors after which the same request may succeed', () => {
    expect([429, 502, 503, 504].every(isRetriedStatus)).toBe(true);
    expect([400, 401, 404, 409, 500].some(isRetriedStatus)).toBe(false);
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN']) expect(isTransientError({ code })).toBe(true);
    expect(isTransientError({ message: 'socket hang up' })).toBe(true);
    expect(isTransientError({ code: 'ENOTFOUND' })).toBe(false);
    expect(isTransientError(undefined)).toBe(false);
  });

  test("the wait: the server's Retry-After when it gave one (even above the cap), else the jittered backoff", () => {
    expect(retryDelayMs(1, '30', 200, 10_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(3, undefined, 200, 10_000, () => 0.5)).toBe(400);
  });
});
