import { inspect } from 'node:util';
import nock from 'nock';
import { ApiError, bodySnippet, ClientConfig, makeRedactor, RegistryApiClient } from '../../lib/client';
import {
  BEARER,
  config,
  HOST,
  JSON_HEADERS,
  netError,
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

const BASIC_B64 = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');

const BEARER_CONFIG = config({ maxAttempts: 2 });
const BASIC_CONFIG = config({ maxAttempts: 2, auth: { kind: 'basic', username: USERNAME, password: PASSWORD } });

/** Everything of an error that could end up printed. */
function printable(e: unknown): string {
  return [
    String(e),
    (e as Error).stack ?? '',
    JSON.stringify(e),
    inspect(e, { depth: 20, showHidden: true, getters: true }),
  ].join('\n');
}

type Scenario = [string, (cfg: ClientConfig, echoed: string) => Promise<ApiError>];

/** What a careless server or proxy might echo back: the credentials the client sent, and a token password. */
function echo(cfg: ClientConfig): string {
  const own =
    cfg.auth.kind === 'bearer'
      ? `Authorization: Bearer ${BEARER} token ${BEARER}`
      : `Authorization: Basic ${BASIC_B64} login ${USERNAME}:${PASSWORD} password ${PASSWORD}`;
  return `${own} {"password":"${TOKEN_PASSWORD}"}`;
}

const scenarios: Scenario[] = [
  [
    'an ApiErrorResponse whose message echoes the credentials',
    (cfg, echoed) => {
      nock(HOST).put(TOKEN_PATH).reply(400, { httpStatus: 400, messages: [{ errorCode: '7', message: echoed }] }, JSON_HEADERS);
      return failure(new RegistryApiClient(cfg).putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull' }));
    },
  ],
  [
    'an HTML error page that echoes the request headers',
    (cfg, echoed) => {
      nock(HOST).get(TOKEN_PATH).times(2).reply(502, `<html><pre>${echoed}</pre></html>`, { 'Content-Type': 'text/html' });
      return failure(new RegistryApiClient(cfg).getToken(REGISTRY, TOKEN_ID));
    },
  ],
  [
    'a created token without an id (the body holds the new password)',
    (cfg, _echoed) => {
      // The credentials come first, so they fall inside the quoted part of the body.
      const { id: _id, properties, ...rest } = token({ password: TOKEN_PASSWORD });
      const body = { properties: { credentials: properties.credentials, name: properties.name }, ...rest };
      expect(JSON.stringify(body).indexOf(TOKEN_PASSWORD)).toBeLessThan(80);
      nock(HOST).put(TOKEN_PATH).reply(201, body, JSON_HEADERS);
      return failure(new RegistryApiClient(cfg).putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull' }));
    },
  ],
  [
    'a password early in a text/plain body',
    (cfg, _echoed) => {
      nock(HOST).get(TOKEN_PATH).reply(200, `password=${PASSWORD}&token=${TOKEN_PASSWORD}`, { 'Content-Type': 'text/plain' });
      return failure(new RegistryApiClient(cfg).getToken(REGISTRY, TOKEN_ID));
    },
  ],
  [
    'a connection error whose message holds the header',
    (cfg, echoed) => {
      nock(HOST).delete(TOKEN_PATH).times(2).replyWithError(netError('ECONNRESET', `reset while sending ${echoed}`));
      return failure(new RegistryApiClient(cfg).deleteToken(REGISTRY, TOKEN_ID));
    },
  ],
  [
    'a non-network failure inside the request',
    (cfg, echoed) => {
      nock(HOST).patch(TOKEN_PATH).replyWithError(netError('EPROTO', `tls failure ${echoed}`));
      return failure(new RegistryApiClient(cfg).patchToken(REGISTRY, TOKEN_ID, { status: 'enabled' }));
    },
  ],
  [
    'a timeout',
    (cfg, _echoed) => {
      nock(HOST).get(TOKEN_PATH).times(2).delay(300).reply(200, token(), JSON_HEADERS);
      return failure(new RegistryApiClient({ ...cfg, timeoutMs: 50 }).getToken(REGISTRY, TOKEN_ID));
    },
  ],
  [
    'a 401',
    (cfg, _echoed) => {
      nock(HOST).get(TOKEN_PATH).reply(401, { httpStatus: 401, messages: [{ errorCode: '1', message: 'Unauthorized' }] }, JSON_HEADERS);
      return failure(new RegistryApiClient(cfg).getToken(REGISTRY, TOKEN_ID));
    },
  ],
];

describe.each([
  ['bearer', BEARER_CONFIG, [BEARER, TOKEN_PASSWORD]],
  ['basic', BASIC_CONFIG, [PASSWORD, BASIC_B64, `${USERNAME}:${PASSWORD}`, TOKEN_PASSWORD]],
])('no secret in any error (%s auth)', (_kind, cfg, secrets) => {
  test.each(scenarios)('%s', async (_name, run) => {
    const e = await run(cfg, echo(cfg));
    expect(e).toBeInstanceOf(ApiError);
    const text = printable(e);
    for (const secret of secrets) expect(text).not.toContain(secret);
    // Only safe, copied fields: no axios error, request config or response object.
    expect(Object.keys(e)).not.toEqual(expect.arrayContaining(['cause']));
    for (const key of ['cause', 'config', 'request', 'response', 'headers']) expect(key in e).toBe(false);
  });
});

test('the client object does not show its credentials when printed', () => {
  for (const cfg of [BEARER_CONFIG, BASIC_CONFIG]) {
    const text = inspect(new RegistryApiClient(cfg), { depth: 20, showHidden: true });
    for (const secret of [BEARER, PASSWORD, BASIC_B64]) expect(text).not.toContain(secret);
  }
});

test('the message still says what came, with the secret parts replaced', async () => {
  nock(HOST).get(TOKEN_PATH).reply(200, `password=${PASSWORD}&token=${TOKEN_PASSWORD}`, { 'Content-Type': 'text/plain' });
  const e = await failure(new RegistryApiClient(BASIC_CONFIG).getToken(REGISTRY, TOKEN_ID));
  expect(e.message).toContain('body "password=[REDACTED]&token=[REDACTED]"');
});

describe('redaction helpers', () => {
  const redact = makeRedactor(['literal-secret-value']);
  test.each([
    ['{"credentials":{"username":"u","password":"p@ss w0rd"}}', '{"credentials":{"username":"u","password":"[REDACTED]"}}'],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: Bearer [REDACTED]'],
    ['X-Api-Key: abc123\nok', 'X-Api-Key: [REDACTED]\nok'],
    ['use Basic dXNlcjpwYXNz now', 'use Basic [REDACTED] now'],
    ['https://user:pw@host/path', 'https://[REDACTED]@host/path'],
    ['api_key=123456&x=1', 'api_key=[REDACTED]&x=1'],
    ['it was literal-secret-value.', 'it was [REDACTED].'],
  ])('%p', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test('a snippet is redacted before it is cut, so half a secret never shows', () => {
    const body = `${'x'.repeat(80)} {"password": "${'s'.repeat(40)}"}`;
    const snippet = bodySnippet(body, redact, 100);
    expect(snippet).not.toContain('ssss');
    expect(snippet.length).toBeLessThanOrEqual(101);
  });
});
