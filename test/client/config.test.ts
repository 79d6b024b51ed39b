import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  clientConfigFromEnv,
  DEFAULT_USER_AGENT,
  InvalidConfigError,
  MissingCredentialsError,
  normalizeApiUrl,
  PACKAGE_VERSION,
} from '../../lib/client';

const TOKEN_ENV = { IONOS_TOKEN: 'tok-123' };

describe('clientConfigFromEnv: credentials', () => {
  test('IONOS_TOKEN gives bearer auth', () => {
    expect(clientConfigFromEnv({ IONOS_TOKEN: 'tok-123' }).auth).toEqual({ kind: 'bearer', token: 'tok-123' });
  });

  test('IONOS_USERNAME + IONOS_PASSWORD give basic auth', () => {
    expect(clientConfigFromEnv({ IONOS_USERNAME: 'alice', IONOS_PASSWORD: 'pw-1' }).auth).toEqual({
      kind: 'basic',
      username: 'alice',
      password: 'pw-1',
    });
  });

  test('IONOS_TOKEN wins over username and password', () => {
    const c = clientConfigFromEnv({ IONOS_TOKEN: 'tok-123', IONOS_USERNAME: 'alice', IONOS_PASSWORD: 'pw-1' });
    expect(c.auth).toEqual({ kind: 'bearer', token: 'tok-123' });
  });

  test('a blank IONOS_TOKEN counts as unset', () => {
    const c = clientConfigFromEnv({ IONOS_TOKEN: '  ', IONOS_USERNAME: 'alice', IONOS_PASSWORD: 'pw-1' });
    expect(c.auth.kind).toBe('basic');
  });

  test('no credentials: one line naming the variables to set', () => {
    let error: unknown;
    try {
      clientConfigFromEnv({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingCredentialsError);
    const message = (error as Error).message;
    expect(message).toBe('no IONOS credentials: set IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD');
    expect(message).not.toContain('\n');
  });

  test('a username without a password says which one is missing, without echoing values', () => {
    expect(() => clientConfigFromEnv({ IONOS_USERNAME: 'alice' })).toThrow(
      'no IONOS credentials: set IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD (IONOS_PASSWORD is not set)',
    );
    let message = '';
    try {
      clientConfigFromEnv({ IONOS_PASSWORD: 'hunter2-secret' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('IONOS_USERNAME is not set');
    expect(message).not.toContain('hunter2-secret');
  });
});

describe('clientConfigFromEnv: API URL', () => {
  test.each([
    [undefined, 'https://api.ionos.com/containerregistries'],
    ['api.ionos.com', 'https://api.ionos.com/containerregistries'],
    ['https://api.ionos.com/', 'https://api.ionos.com/containerregistries'],
    ['https://api.ionos.com///', 'https://api.ionos.com/containerregistries'],
    ['https://api.ionos.com/containerregistries', 'https://api.ionos.com/containerregistries'],
    ['https://api.ionos.com/containerregistries/', 'https://api.ionos.com/containerregistries'],
    ['http://localhost:8080', 'http://localhost:8080/containerregistries'],
    ['localhost:8080/prefix/', 'https://localhost:8080/prefix/containerregistries'],
  ])('IONOS_API_URL %p → %p', (url, expected) => {
    const env: NodeJS.ProcessEnv = { ...TOKEN_ENV };
    if (url !== undefined) env.IONOS_API_URL = url;
    expect(clientConfigFromEnv(env).apiUrl).toBe(expected);
  });

  test('the apiUrl override wins over IONOS_API_URL; an empty override falls back to it', () => {
    const env = { ...TOKEN_ENV, IONOS_API_URL: 'env.example.com', IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS: 'env.example.com,prop.example.com' };
    expect(clientConfigFromEnv(env, { apiUrl: 'prop.example.com/' }).apiUrl).toBe(
      'https://prop.example.com/containerregistries',
    );
    expect(clientConfigFromEnv(env, { apiUrl: '' }).apiUrl).toBe('https://env.example.com/containerregistries');
  });

  test('an unusable URL names the variable and hides userinfo', () => {
    expect(() => normalizeApiUrl('ftp://host')).toThrow('invalid IONOS_API_URL "ftp://host": must be an https:// URL');
    let message = '';
    try {
      clientConfigFromEnv({ ...TOKEN_ENV, IONOS_API_URL: 'https://bob:s3cret-pw@host/x?y=1' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('IONOS_API_URL');
    expect(message).not.toContain('s3cret-pw');
    expect(() => clientConfigFromEnv(TOKEN_ENV, { apiUrl: 'http://[bad' })).toThrow(/^invalid prop apiUrl "http:\/\/\[bad": must be a URL/);
    // userinfo without a scheme is hidden too
    expect(() => normalizeApiUrl('bob:s3cret-pw@host')).toThrow('invalid IONOS_API_URL "[REDACTED]@host": must not contain "@"');
  });
});

describe('clientConfigFromEnv: other settings', () => {
  test('IONOS_CONTRACT_NUMBER is kept; unset means none', () => {
    expect(clientConfigFromEnv({ ...TOKEN_ENV, IONOS_CONTRACT_NUMBER: '31415926' }).contractNumber).toBe('31415926');
    expect(clientConfigFromEnv(TOKEN_ENV).contractNumber).toBeUndefined();
  });

  test('defaults: 5 attempts, 120 s budget, 30 s per request, versioned user agent', () => {
    const c = clientConfigFromEnv(TOKEN_ENV);
    expect(c.maxAttempts).toBe(5);
    expect(c.totalTimeoutMs).toBe(120_000);
    expect(c.timeoutMs).toBe(30_000);
    expect(c.retryBaseDelayMs).toBe(200);
    expect(c.retryMaxDelayMs).toBe(10_000);
    expect(c.userAgent).toBe(DEFAULT_USER_AGENT);
  });

  test('the user agent names the package and its version from package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name: string; version: string };
    expect(PACKAGE_VERSION).toBe(pkg.version);
    expect(DEFAULT_USER_AGENT).toBe(`${pkg.name}/${pkg.version}`);
  });

  test('retry and timeout settings from the environment', () => {
    const c = clientConfigFromEnv({
      ...TOKEN_ENV,
      IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '2',
      IONOS_REGISTRY_TOKEN_TIMEOUT_SECONDS: '7.5',
      IONOS_REGISTRY_TOKEN_REQUEST_TIMEOUT_SECONDS: '3',
    });
    expect([c.maxAttempts, c.totalTimeoutMs, c.timeoutMs]).toEqual([2, 7_500, 3_000]);
  });

  test('overrides win over the environment', () => {
    const c = clientConfigFromEnv(
      { ...TOKEN_ENV, IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '2' },
      { maxAttempts: 1, totalTimeoutMs: 500, timeoutMs: 100 },
    );
    expect([c.maxAttempts, c.totalTimeoutMs, c.timeoutMs]).toEqual([1, 500, 100]);
  });

  test.each([
    ['IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS', 'five'],
    ['IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS', '0'],
    ['IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS', '2.5'],
    ['IONOS_REGISTRY_TOKEN_TIMEOUT_SECONDS', '-1'],
    ['IONOS_REGISTRY_TOKEN_TIMEOUT_SECONDS', '0'],
    ['IONOS_REGISTRY_TOKEN_REQUEST_TIMEOUT_SECONDS', '30s'],
  ])('invalid %s=%p: one line naming the variable and the value', (name, value) => {
    let error: unknown;
    try {
      clientConfigFromEnv({ ...TOKEN_ENV, [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).toContain(JSON.stringify(value));
    expect(message).not.toContain('\n');
  });
});

describe('clientConfigFromEnv: the IONOS config file (ionosctl login), used for what the environment leaves unset', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const FIXTURE = join(__dirname, '..', 'fixtures', 'ionos-config', 'config');
  // The fixture's endpoint is outside ionos.com: the environment allows it.
  const withFile = (extra: Record<string, string> = {}) => ({ IONOS_CONFIG_FILE: FIXTURE, IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS: 'staging.example.com,env.example.com,prop.example.com', ...extra });
  const tmpFile = (content: string) => {
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'ionos-config-'));
    fs.writeFileSync(join(dir, 'config'), content, { mode: 0o600 });
    return join(dir, 'config');
  };

  test("the current profile's token and its environment's containerregistry endpoint", () => {
    const c = clientConfigFromEnv(withFile());
    expect(c.auth).toEqual({ kind: 'bearer', token: 'file-token-ci' });
    expect(c.apiUrl).toBe('https://staging.example.com/containerregistries');
  });

  test('IONOS_CURRENT_PROFILE picks another profile (names compare case-insensitively): its username and password', () => {
    const c = clientConfigFromEnv(withFile({ IONOS_CURRENT_PROFILE: 'ops' }));
    expect(c.auth).toEqual({ kind: 'basic', username: 'ops@example.com', password: 'file-password-ops' });
    // prod has no containerregistry endpoint: the default host
    expect(c.apiUrl).toBe('https://api.ionos.com/containerregistries');
  });

  test('the environment wins over the file, and the prop over both (as ionosctl: flag, env, file)', () => {
    expect(clientConfigFromEnv(withFile({ IONOS_TOKEN: 'env-token' })).auth).toEqual({ kind: 'bearer', token: 'env-token' });
    expect(clientConfigFromEnv(withFile({ IONOS_USERNAME: 'u', IONOS_PASSWORD: 'p' })).auth.kind).toBe('basic');
    expect(clientConfigFromEnv(withFile({ IONOS_API_URL: 'env.example.com' })).apiUrl).toBe('https://env.example.com/containerregistries');
    expect(clientConfigFromEnv(withFile({ IONOS_API_URL: 'env.example.com' }), { apiUrl: 'prop.example.com' }).apiUrl).toBe('https://prop.example.com/containerregistries');
  });

  test('the file at ~/.ionos/config when IONOS_CONFIG_FILE is unset', () => {
    const home = fs.mkdtempSync(join(os.tmpdir(), 'home-'));
    fs.mkdirSync(join(home, '.ionos'));
    fs.copyFileSync(FIXTURE, join(home, '.ionos', 'config'));
    expect(clientConfigFromEnv({ HOME: home, IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS: 'staging.example.com' }).auth).toEqual({ kind: 'bearer', token: 'file-token-ci' });
    // without the opt-in, the file's endpoint is refused before anything else
    expect(() => clientConfigFromEnv({ HOME: home })).toThrow(
      `invalid config file ${join(home, '.ionos', 'config')} "https://staging.example.com/containerregistries": host staging.example.com is outside the IONOS API's domain (*.ionos.com) and would receive the IONOS credentials; if you trust it, set IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS=staging.example.com in the environment`,
    );
  });

  test('a profile without credentials, or an unknown profile: the one-line error names the file and the profile', () => {
    expect(() => clientConfigFromEnv(withFile({ IONOS_CURRENT_PROFILE: 'empty' }))).toThrow(
      `no IONOS credentials: set IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD (the IONOS config file ${FIXTURE} has no token or username and password in profile "empty")`,
    );
    expect(() => clientConfigFromEnv(withFile({ IONOS_CURRENT_PROFILE: 'nobody' }))).toThrow(MissingCredentialsError);
  });

  test('no file: the error is the one without a file', () => {
    expect(() => clientConfigFromEnv({ IONOS_CONFIG_FILE: '/nonexistent/ionos/config' })).toThrow(
      /^no IONOS credentials: set IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD$/,
    );
  });

  test.each([
    ['not YAML', 'profiles: [unclosed\n  - x: {', /is not valid YAML \(/],
    ['empty', '   \n', /is empty; run "ionosctl login" to write it, or remove it/],
    ['not a mapping', '- just\n- a list\n', /is not an IONOS config file: expected a mapping/],
    ['profiles not a list', 'currentProfile: a\nprofiles: {a: 1}\n', /is not an IONOS config file: profiles must be a list/],
  ])('a malformed file (%s) is a one-line error naming the file', (_what, content, rule) => {
    const file = tmpFile(content);
    let message = '';
    try {
      clientConfigFromEnv({ IONOS_CONFIG_FILE: file });
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain(`invalid IONOS_CONFIG_FILE "${file}": `);
    expect(message).toMatch(rule);
    expect(message).not.toContain('\n');
  });

  test('a file is parsed once per version: a rewrite in place is read again', () => {
    const file = tmpFile('currentProfile: a\nprofiles:\n  - name: a\n    credentials: { token: first }\n');
    expect(clientConfigFromEnv({ IONOS_CONFIG_FILE: file }).auth).toEqual({ kind: 'bearer', token: 'first' });
    expect(clientConfigFromEnv({ IONOS_CONFIG_FILE: file }).auth).toEqual({ kind: 'bearer', token: 'first' });
    fs.writeFileSync(file, 'currentProfile: a\nprofiles:\n  - name: a\n    credentials: { token: second-one }\n');
    expect(clientConfigFromEnv({ IONOS_CONFIG_FILE: file }).auth).toEqual({ kind: 'bearer', token: 'second-one' });
    fs.writeFileSync(file, '{{{');
    expect(() => clientConfigFromEnv({ IONOS_CONFIG_FILE: file })).toThrow(InvalidConfigError);
  });

  test('the file is not needed when the environment has credentials, but a malformed one still says so', () => {
    const file = tmpFile('{{{');
    expect(() => clientConfigFromEnv({ IONOS_TOKEN: 't', IONOS_CONFIG_FILE: file })).toThrow(InvalidConfigError);
  });
});

describe('the IONOS config file is read only when it is a small regular file', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(join(os.tmpdir(), 'ionos-config-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /**
   * clientConfigFromEnv in a child process with a deadline: a read of /dev/zero or of a FIFO blocks
   * (or eats memory) in a synchronous call that no Jest timeout could stop.
   */
  const inChild = (configFile: string) => {
    const script = [
      `const { clientConfigFromEnv } = require(${JSON.stringify(join(__dirname, '..', '..', 'lib', 'client', 'config.ts'))});`,
      'try { clientConfigFromEnv(process.env); process.stdout.write("no error"); } catch (e) { process.stdout.write(`${e.name}: ${e.message}`); }',
    ].join('\n');
    return spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', script], {
      env: { PATH: process.env.PATH, HOME: dir, IONOS_TOKEN: 't', IONOS_CONFIG_FILE: configFile },
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
  };

  test.each([
    ['/dev/zero', () => '/dev/zero'],
    ['a symlink to /dev/zero', () => (fs.symlinkSync('/dev/zero', join(dir, 'config')), join(dir, 'config'))],
    ['a FIFO nobody writes to', () => (spawnSync('mkfifo', [join(dir, 'config')]), join(dir, 'config'))],
  ])('%s: refused at once with one line, never read', (_what, make) => {
    const file = make();
    const res = inChild(file);
    expect({ signal: res.signal, status: res.status, stderr: res.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
    expect(res.stdout).toBe(`InvalidConfigError: invalid IONOS_CONFIG_FILE "${file}": is not a regular file (a device, pipe or directory is never read)`);
  });

  test('a directory: the same line', () => {
    expect(() => clientConfigFromEnv({ IONOS_TOKEN: 't', IONOS_CONFIG_FILE: dir })).toThrow(
      `invalid IONOS_CONFIG_FILE "${dir}": is not a regular file (a device, pipe or directory is never read)`,
    );
  });

  test('a file over 1 MiB (valid YAML, credentials in it) is refused, not parsed', () => {
    const file = join(dir, 'config');
    const head = 'currentProfile: a\nprofiles:\n  - name: a\n    credentials: { token: big-file-token }\n';
    fs.writeFileSync(file, head + `# ${'x'.repeat(1024 * 1024)}\n`);
    expect(() => clientConfigFromEnv({ IONOS_CONFIG_FILE: file })).toThrow(
      `invalid IONOS_CONFIG_FILE "${file}": is larger than 1 MiB, the limit for an IONOS config file`,
    );
    // just under the limit is read
    fs.writeFileSync(file, head + `# ${'x'.repeat(1024 * 1024 - head.length - 3)}\n`);
    expect(fs.statSync(file).size).toBe(1024 * 1024);
    expect(clientConfigFromEnv({ IONOS_CONFIG_FILE: file }).auth).toEqual({ kind: 'bearer', token: 'big-file-token' });
  });

  describe('a YAML error names the file and the line, never the source text (it may hold the token)', () => {
    let warnings: unknown[];
    let stderr: jest.SpyInstance;
    let emit: jest.SpyInstance;
    let warn: jest.SpyInstance;
    beforeEach(() => {
      warnings = [];
      emit = jest.spyOn(process, 'emitWarning').mockImplementation((w: unknown) => void warnings.push(w));
      warn = jest.spyOn(console, 'warn').mockImplementation((w: unknown) => void warnings.push(w));
      stderr = jest.spyOn(process.stderr, 'write').mockImplementation((w: unknown) => (warnings.push(w), true));
    });
    afterEach(() => [emit, warn, stderr].forEach((s) => s.mockRestore()));

    test.each([
      ['an unknown tag', 'currentProfile: a\nprofiles:\n  - name: a\n    credentials: { token: !secret-SECRETTAG SECRET-TOKEN-VALUE }\n', 4],
      ['an unclosed flow mapping', 'currentProfile: a\nprofiles:\n  - name: a\n    credentials: { token: SECRET-TOKEN-VALUE\n', 5],
      ['a duplicate key', 'currentProfile: a\nprofiles:\n  - name: a\n    credentials:\n      token: SECRET-TOKEN-VALUE\n      token: SECRET-TOKEN-VALUE\n', 6],
      ['a tab indent', 'currentProfile: a\nprofiles:\n\t- token: SECRET-TOKEN-VALUE\n', 3],
    ])('%s', (_what, content, line) => {
      const file = join(dir, 'config');
      fs.writeFileSync(file, content);
      let error: unknown;
      try {
        clientConfigFromEnv({ IONOS_CONFIG_FILE: file });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as Error).message).toBe(`invalid IONOS_CONFIG_FILE "${file}": is not valid YAML (line ${line})`);
      expect(warnings).toEqual([]);
    });
  });
});
