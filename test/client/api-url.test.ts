/**
 * Where the credentials may go: the API URL from the prop, IONOS_API_URL or the IONOS config file is
 * refused before any request unless it is https (http only to loopback) inside *.ionos.com, or a
 * host the environment allows; and a response is read only up to a limit. Every origin an attacker
 * names is trapped with nock: a refusal must leave the trap untouched.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import nock from 'nock';
import {
  apiEndpointNotice,
  ApiError,
  clientConfigFromEnv,
  InvalidConfigError,
  MAX_RESPONSE_BYTES,
  RegistryApiClient,
  resolveApiEndpoint,
} from '../../lib/client';
import { BEARER, config, failure, HOST, JSON_HEADERS, REGISTRY, token, TOKEN_ID, TOKEN_PATH, useNock } from './helpers';

useNock();

const ALLOW = 'IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS';
const FILE_TOKEN = 'file-token-SECRET-42';
const HTTP_RULE = 'must use https:// (plain http:// only to a loopback host: 127.0.0.0/8, localhost, [::1])';
const outside = (host: string) =>
  `host ${host} is outside the IONOS API's domain (*.ionos.com) and would receive the IONOS credentials; if you trust it, set ${ALLOW}=${host} in the environment`;

let dir: string;
/** Every request that reached a trap or no interceptor at all. */
let seen: string[];
const noMatch = (req: { method?: string; href?: string; host?: string; path?: string }) => seen.push(`unmatched ${req.method} ${req.href ?? `${req.host}${req.path}`}`);
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-url-'));
  seen = [];
  nock.emitter.on('no match', noMatch);
});
afterEach(() => {
  nock.emitter.removeListener('no match', noMatch);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Answers every method and path at `origin` as the API would, and records the request. */
function trap(origin: string): void {
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
    nock(origin)
      .persist()
      .intercept(/.*/, method)
      .reply(function (uri) {
        seen.push(`${method} ${origin}${uri} authorization=${String(this.req.headers.authorization)}`);
        return method === 'PUT' ? [201, token({ password: 'pw' }), JSON_HEADERS] : [200, token(), JSON_HEADERS];
      });
  }
}

type Kind = 'prop' | 'env' | 'file';
let files = 0;
interface Source {
  env: NodeJS.ProcessEnv;
  prop?: string;
  /** How the error names the source. */
  label: string;
}

/** `url` given the way `kind` gives it; the credentials from the environment, or from the file for a file. */
function source(kind: Kind, url: string, extra: NodeJS.ProcessEnv = {}): Source {
  const base = { HOME: dir, IONOS_CONFIG_FILE: path.join(dir, 'none'), ...extra };
  if (kind === 'prop') return { env: { ...base, IONOS_TOKEN: BEARER }, prop: url, label: 'prop apiUrl' };
  if (kind === 'env') return { env: { ...base, IONOS_TOKEN: BEARER, IONOS_API_URL: url }, label: 'IONOS_API_URL' };
  const file = path.join(dir, `config-${++files}`);
  // A JSON string is a YAML double-quoted scalar: the URL arrives as written.
  const yaml = [
    'currentProfile: p',
    'profiles:',
    '  - name: p',
    '    environment: e',
    `    credentials: { token: ${FILE_TOKEN} }`,
    'environments:',
    '  - name: e',
    '    products:',
    '      - name: containerregistry',
    '        endpoints:',
    `          - name: ${JSON.stringify(url)}`,
    '',
  ].join('\n');
  fs.writeFileSync(file, yaml, { mode: 0o600 });
  return { env: { ...base, IONOS_CONFIG_FILE: file }, label: `config file ${file}` };
}

/** What the handler does: build the client from the source, then call the API. The error, if any. */
async function attempt(src: Source): Promise<unknown> {
  try {
    const client = new RegistryApiClient(clientConfigFromEnv(src.env, { apiUrl: src.prop }));
    await client.getToken(REGISTRY, TOKEN_ID);
    await client.putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] });
    return undefined;
  } catch (e) {
    return e;
  }
}

const KINDS: Kind[] = ['prop', 'env', 'file'];

describe('a refused API URL: one line naming the source, the URL and the rule; no request at all', () => {
  // [the URL as given, the origin the attacker listens on, the URL as the message shows it, the rule]
  const cases: Array<[string, string, string, string]> = [
    ['http://evil.example.com', 'http://evil.example.com', 'http://evil.example.com', HTTP_RULE],
    ['http://api.ionos.com', 'http://api.ionos.com', 'http://api.ionos.com', HTTP_RULE],
    ['http://127.0.0.1.nip.io:8080', 'http://127.0.0.1.nip.io:8080', 'http://127.0.0.1.nip.io:8080', HTTP_RULE],
    ['http://localhost.evil.example.com', 'http://localhost.evil.example.com', 'http://localhost.evil.example.com', HTTP_RULE],
    ['http://[::ffff:127.0.0.1]:8080', 'http://evil.example.com', 'http://[::ffff:127.0.0.1]:8080', HTTP_RULE],
    ['https://evil.example.com', 'https://evil.example.com', 'https://evil.example.com/containerregistries', outside('evil.example.com')],
    ['evil.example.com', 'https://evil.example.com', 'https://evil.example.com/containerregistries', outside('evil.example.com')],
    ['https://api.ionos.com.evil.example.com/', 'https://api.ionos.com.evil.example.com', 'https://api.ionos.com.evil.example.com/containerregistries', outside('api.ionos.com.evil.example.com')],
    ['https://evilionos.com', 'https://evilionos.com', 'https://evilionos.com/containerregistries', outside('evilionos.com')],
    ['https://api.ionos.com:443@evil.example.com', 'https://evil.example.com', 'https://[REDACTED]@evil.example.com', 'must not contain "@" or "\\" (no user or password in the URL: credentials come from IONOS_TOKEN, IONOS_USERNAME and IONOS_PASSWORD)'],
    ['https://evil.example.com\\.ionos.com', 'https://evil.example.com', 'https://evil.example.com\\.ionos.com', 'must not contain "@" or "\\" (no user or password in the URL: credentials come from IONOS_TOKEN, IONOS_USERNAME and IONOS_PASSWORD)'],
    ['https://evil.example.com?.ionos.com', 'https://evil.example.com', 'https://evil.example.com?.ionos.com', 'must not contain a query or a fragment'],
    ['https://evil.example.com#.ionos.com', 'https://evil.example.com', 'https://evil.example.com#.ionos.com', 'must not contain a query or a fragment'],
    ['https://${var.api_host}', 'https://evil.example.com', 'https://${var.api_host}', 'must not contain "${" or "%{" (template syntax)'],
    ['https://api.ionos.com%{if}.evil.example.com%{endif}', 'https://evil.example.com', 'https://api.ionos.com%{if}.evil.example.com%{endif}', 'must not contain "${" or "%{" (template syntax)'],
    ['https://api.ionos.com\n.evil.example.com', 'https://api.ionos.com.evil.example.com', 'https://api.ionos.com\n.evil.example.com', 'must not contain whitespace'],
    ['ftp://evil.example.com', 'https://evil.example.com', 'ftp://evil.example.com', 'must be an https:// URL'],
  ];

  for (const kind of KINDS) {
    test.each(cases)(`${kind}: %j`, async (url, origin, shown, rule) => {
      trap(origin);
      const src = source(kind, url);
      const error = await attempt(src);
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect(error).not.toBeInstanceOf(ApiError);
      const message = (error as Error).message;
      expect(message).toBe(`invalid ${src.label} ${JSON.stringify(shown)}: ${rule}`);
      expect(message).not.toContain('\n');
      expect(message).not.toContain(BEARER);
      expect(message).not.toContain(FILE_TOKEN);
      expect(seen).toEqual([]);
    });
  }

  test('the check needs no credentials and comes before them: a refused URL is the error even without any', async () => {
    trap('https://evil.example.com');
    const error = await attempt({ env: { HOME: dir, IONOS_CONFIG_FILE: path.join(dir, 'none'), IONOS_API_URL: 'https://evil.example.com' }, label: '' });
    expect((error as Error).message).toBe(`invalid IONOS_API_URL "https://evil.example.com/containerregistries": ${outside('evil.example.com')}`);
    expect(seen).toEqual([]);
  });

  test('a prop cannot opt in: the allowed hosts come from the environment only, matched exactly', async () => {
    trap('https://evil.example.com');
    trap('https://evil.example.com.attacker.example');
    for (const allowed of ['example.com', '*.example.com', 'evil.example.co', 'evil.example.com:443', '.example.com']) {
      const error = await attempt(source('prop', 'https://evil.example.com', { [ALLOW]: allowed }));
      expect((error as Error).message).toContain(`set ${ALLOW}=evil.example.com in the environment`);
    }
    const suffix = await attempt(source('env', 'https://evil.example.com.attacker.example', { [ALLOW]: 'evil.example.com' }));
    expect((suffix as Error).message).toContain(`set ${ALLOW}=evil.example.com.attacker.example in the environment`);
    expect(seen).toEqual([]);
  });

  test('the client itself refuses such a URL, however its config was built', async () => {
    trap('http://evil.example.com');
    let error: unknown;
    try {
      new RegistryApiClient(config({ apiUrl: 'http://evil.example.com/containerregistries' }));
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(`invalid client apiUrl "http://evil.example.com/containerregistries": ${HTTP_RULE}`);
    expect(() => new RegistryApiClient(config({ apiUrl: `https://alice:${BEARER}@api.ionos.com/containerregistries` }))).toThrow(
      /^invalid client apiUrl "https:\/\/\[REDACTED\]@api\.ionos\.com\/containerregistries": must not contain "@"/,
    );
    expect(seen).toEqual([]);
  });
});

describe('what is allowed reaches the API (the trap sees it): the control of the tests above', () => {
  for (const kind of KINDS) {
    test(`${kind}: http to loopback (the emulator), https inside ionos.com, an allowed host (any case)`, async () => {
      const allowed = source(kind, 'https://evil.example.com', { [ALLOW]: ' other.example.org , EVIL.Example.COM ' });
      for (const [origin, src] of [
        ['http://127.0.0.1:8080', source(kind, 'http://127.0.0.1:8080')],
        ['http://127.1.2.3:8080', source(kind, 'http://127.1.2.3:8080/')],
        ['http://localhost:3000', source(kind, 'http://localhost:3000')],
        ['https://de-fra.registry.ionos.com', source(kind, 'de-fra.registry.ionos.com')],
        ['https://evil.example.com', allowed],
      ] as const) {
        trap(origin);
        seen = [];
        expect(await attempt(src)).toBeUndefined();
        const auth = kind === 'file' ? `Bearer ${FILE_TOKEN}` : `Bearer ${BEARER}`;
        expect(seen).toEqual([`GET ${origin}${TOKEN_PATH} authorization=${auth}`, `PUT ${origin}${TOKEN_PATH} authorization=${auth}`]);
        nock.cleanAll();
      }
    });
  }
});

describe('resolveApiEndpoint and apiEndpointNotice (for the handler, once per step)', () => {
  const none = () => ({ HOME: dir, IONOS_CONFIG_FILE: path.join(dir, 'none') });

  test('the default origin: no notice; no credentials needed', () => {
    const endpoint = resolveApiEndpoint(none());
    expect(endpoint).toEqual({ url: 'https://api.ionos.com/containerregistries', origin: 'https://api.ionos.com', source: 'default' });
    expect(apiEndpointNotice(endpoint)).toBeUndefined();
    expect(apiEndpointNotice(resolveApiEndpoint({ ...none(), IONOS_API_URL: 'https://api.ionos.com/' }))).toBeUndefined();
  });

  test('any other origin: one line naming it and its source', () => {
    expect(apiEndpointNotice(resolveApiEndpoint(none(), 'http://127.0.0.1:3000'))).toBe('registry-token: using the IONOS API at http://127.0.0.1:3000 (prop apiUrl)');
    expect(apiEndpointNotice(resolveApiEndpoint(none(), 'http://[::1]:8080/'))).toBe('registry-token: using the IONOS API at http://[::1]:8080 (prop apiUrl)');
    expect(apiEndpointNotice(resolveApiEndpoint({ ...none(), IONOS_API_URL: 'de-fra.registry.ionos.com' }))).toBe(
      'registry-token: using the IONOS API at https://de-fra.registry.ionos.com (IONOS_API_URL)',
    );
    const src = source('file', 'https://staging.example.com', { [ALLOW]: 'staging.example.com' });
    expect(apiEndpointNotice(resolveApiEndpoint(src.env))).toBe(`registry-token: using the IONOS API at https://staging.example.com (${src.label})`);
  });

  test('it throws the same line the client config does', () => {
    expect(() => resolveApiEndpoint(none(), 'http://evil.example.com')).toThrow(`invalid prop apiUrl "http://evil.example.com": ${HTTP_RULE}`);
  });
});

describe('a response is read only up to the limit', () => {
  const LIMIT_LINE = `GET token ${TOKEN_ID}: the response is larger than the client's limit of 4 MiB and was not read (is IONOS_API_URL the IONOS API?)`;

  test('a body over the limit: one line, no retry', async () => {
    expect(MAX_RESPONSE_BYTES).toBe(4 * 1024 * 1024);
    const scope = nock(HOST).get(TOKEN_PATH).once().reply(200, 'x'.repeat(MAX_RESPONSE_BYTES + 1), { 'Content-Type': 'text/html' });
    const error = await failure(new RegistryApiClient(config()).getToken(REGISTRY, TOKEN_ID));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(LIMIT_LINE);
    expect(error.attempts).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  test('a small gzip body that inflates past the limit (a zip bomb): the same line', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    nock(HOST).get(TOKEN_PATH).reply(200, bomb, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    const error = await failure(new RegistryApiClient(config()).getToken(REGISTRY, TOKEN_ID));
    expect(error.message).toBe(LIMIT_LINE);
  });

  test('a PUT answered with a huge token: refused the same way', async () => {
    const huge = { ...token({ password: 'pw' }), padding: 'y'.repeat(MAX_RESPONSE_BYTES) };
    nock(HOST).put(TOKEN_PATH).reply(201, huge, JSON_HEADERS);
    const error = await failure(new RegistryApiClient(config()).putToken(REGISTRY, TOKEN_ID, { name: 'ci-pull', scopes: [] }));
    expect(error.message).toBe(LIMIT_LINE.replace('GET token', 'PUT token'));
  });

  test('a large body under the limit is read', async () => {
    const big = { ...token(), padding: 'z'.repeat(MAX_RESPONSE_BYTES - 2048) };
    nock(HOST).get(TOKEN_PATH).reply(200, big, JSON_HEADERS);
    expect((await new RegistryApiClient(config()).getToken(REGISTRY, TOKEN_ID))?.id).toBe(TOKEN_ID);
  });
});
