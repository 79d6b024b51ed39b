/**
 * The bundled handler (dist/handler/index.js) refuses an API URL that would send the IONOS
 * credentials off the IONOS API before any DNS lookup or connection: its process runs with a preload
 * that records and blocks every lookup and connect, so nothing leaves this machine either way. The
 * control (the same host, allowed by the environment) shows the preload sees the attempt. And the
 * construct refuses such an apiUrl at synth.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RegistryToken, RegistryTokenConfig, ScopeAction, ScopeType } from '../../lib';
import { newStack } from '../helper/synth';
import { REPO } from '../helper/workspace';

jest.setTimeout(60_000);

const BUNDLE = path.join(REPO, 'dist', 'handler', 'index.js');
const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const TOKEN_ID = '0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e4f5';
const SECRET = 'bearer-SECRET-never-sent-7d1f';
const EVIL = 'evil.example.invalid';
const ALLOW = 'IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS';
const HTTP_RULE = 'must use https:// (plain http:// only to a loopback host: 127.0.0.0/8, localhost, [::1])';
const OUTSIDE = `host ${EVIL} is outside the IONOS API's domain (*.ionos.com) and would receive the IONOS credentials; if you trust it, set ${ALLOW}=${EVIL} in the environment`;
const WHO = `ci/push (token "ci-push", id ${TOKEN_ID})`;

/** Loaded into the handler with --require: every DNS lookup and connect is written down and fails; none is made. */
const NO_NETWORK = `
const fs = require('node:fs');
const note = (line) => fs.appendFileSync(process.env.NET_LOG, line + '\\n');
const refuse = (host) => Object.assign(new Error('getaddrinfo ENOTFOUND ' + host + ' (blocked by the test)'), { code: 'ENOTFOUND', hostname: host });
const dns = require('node:dns');
dns.lookup = function (host, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  note('lookup ' + host);
  process.nextTick(() => cb(refuse(host)));
};
dns.promises.lookup = async (host) => { note('lookup ' + host); throw refuse(host); };
const net = require('node:net');
net.Socket.prototype.connect = function (...args) {
  const o = args[0] !== null && typeof args[0] === 'object' ? (Array.isArray(args[0]) ? args[0][0] : args[0]) : { host: args[1], port: args[0] };
  note('connect ' + (o.host ?? o.path) + ':' + o.port);
  process.nextTick(() => this.destroy(refuse(o.host)));
  return this;
};
`;

let dir: string;
let netLog: string;
beforeAll(() => {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build`);
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-api-url-'));
  netLog = path.join(dir, 'net.log');
  fs.writeFileSync(netLog, '');
  fs.writeFileSync(path.join(dir, 'no-network.js'), NO_NETWORK);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const createStep = (apiUrl: string) =>
  JSON.stringify({
    op: 'create',
    path: 'ci/push',
    registryId: REGISTRY,
    tokenId: TOKEN_ID,
    apiUrl,
    spec: { name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], status: 'enabled', expiryDate: null },
    createId: 'create-1',
    maxAttempts: 1,
  });

const deleteStep = (apiUrl: string) =>
  JSON.stringify({ op: 'delete', identity: { registry_id: REGISTRY, token_id: TOKEN_ID, name: 'ci-push', path: 'ci/push', api_url: apiUrl }, maxAttempts: 1 });

/** The bundle as run.sh runs it directly: the operation as the argument, the step on stdin. */
function runHandler(op: string, step: string, env: NodeJS.ProcessEnv = {}) {
  const res = spawnSync(process.execPath, [BUNDLE, op], {
    cwd: dir,
    input: step,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      IONOS_CONFIG_FILE: path.join(dir, 'no-config'),
      IONOS_TOKEN: SECRET,
      IONOS_REGISTRY_TOKEN_WORKER: 'off',
      NODE_OPTIONS: `--require ${path.join(dir, 'no-network.js')}`,
      NET_LOG: netLog,
      ...env,
    },
  });
  const network = fs.readFileSync(netLog, 'utf8').split('\n').filter((l) => l !== '');
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr, network };
}

function configFile(endpoint: string): string {
  const file = path.join(dir, 'ionos-config');
  fs.writeFileSync(
    file,
    [
      'currentProfile: p',
      'profiles:',
      '  - name: p',
      '    environment: e',
      '    credentials: { token: file-SECRET-token-3c9a }',
      'environments:',
      '  - name: e',
      '    products:',
      '      - name: containerregistry',
      '        endpoints:',
      `          - name: ${endpoint}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

describe('the bundled handler refuses before any DNS lookup or connection', () => {
  test.each([
    ['create', 'the prop apiUrl, https outside ionos.com', () => [createStep(`https://${EVIL}`), {}], `invalid prop apiUrl "https://${EVIL}/containerregistries": ${OUTSIDE}`],
    ['create', 'the prop apiUrl, plain http', () => [createStep(`http://${EVIL}`), {}], `invalid prop apiUrl "http://${EVIL}": ${HTTP_RULE}`],
    ['create', 'IONOS_API_URL, https outside ionos.com', () => [createStep(''), { IONOS_API_URL: EVIL }], `invalid IONOS_API_URL "https://${EVIL}/containerregistries": ${OUTSIDE}`],
    ['create', 'IONOS_API_URL, plain http to an IONOS host', () => [createStep(''), { IONOS_API_URL: 'http://api.ionos.com' }], `invalid IONOS_API_URL "http://api.ionos.com": ${HTTP_RULE}`],
    ['create', 'the config file, http', () => [createStep(''), { IONOS_TOKEN: '', IONOS_CONFIG_FILE: configFile(`http://${EVIL}:8080`) }], () => `invalid config file ${path.join(dir, 'ionos-config')} "http://${EVIL}:8080": ${HTTP_RULE}`],
    ['create', 'the config file, https outside ionos.com', () => [createStep(''), { IONOS_TOKEN: '', IONOS_CONFIG_FILE: configFile(`https://${EVIL}`) }], () => `invalid config file ${path.join(dir, 'ionos-config')} "https://${EVIL}/containerregistries": ${OUTSIDE}`],
    ['delete', 'the api_url recorded in the state', () => [deleteStep(`https://${EVIL}`), {}], `invalid prop apiUrl "https://${EVIL}/containerregistries": ${OUTSIDE}`],
  ] as Array<[string, string, () => [string, NodeJS.ProcessEnv], string | (() => string)]>)('%s, %s', (op, _what, make, expected) => {
    const [step, env] = make();
    const rule = typeof expected === 'function' ? expected() : expected;
    const res = runHandler(op, step, env);
    expect(res.signal).toBeNull();
    expect(res.network).toEqual([]);
    expect(res.status).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toEqual([`registry-token: ${op} of ${WHO} failed: ${rule}`]);
    expect(res.stderr).not.toMatch(/ENOTFOUND|EAI_AGAIN|getaddrinfo/);
    expect(res.stdout + res.stderr).not.toMatch(/SECRET/);
  });

  test('control: the same host allowed by the environment is looked up (and blocked here), so the test would see a leak', () => {
    const res = runHandler('create', createStep(`https://${EVIL}`), { [ALLOW]: EVIL });
    expect(res.network.length).toBeGreaterThan(0);
    expect(res.network.join('\n')).toContain(EVIL);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('ENOTFOUND');
    expect(res.stdout + res.stderr).not.toMatch(/SECRET/);
  });
});

describe('the construct refuses such an apiUrl at synth', () => {
  const base: RegistryTokenConfig = { registryId: REGISTRY, name: 'ci-push', scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }] };
  test.each([
    [`http://${EVIL}`, HTTP_RULE],
    [`https://user:pw@${EVIL}`, 'must not contain "@" or "\\" (no user or password in the URL: credentials come from IONOS_TOKEN, IONOS_USERNAME and IONOS_PASSWORD)'],
    ['https://${var.api_host}', 'must not contain "${" or "%{" (template syntax)'],
  ])('%j', (apiUrl, rule) => {
    expect(() => new RegistryToken(newStack(), 'push', { ...base, apiUrl })).toThrow(`apiUrl ${JSON.stringify(apiUrl)} ${rule}`);
  });
  test('https to any host and http to loopback pass at synth (the host is checked at apply, where the environment may allow it)', () => {
    expect(() => new RegistryToken(newStack(), 'a', { ...base, apiUrl: 'https://staging.example.com' })).not.toThrow();
    expect(() => new RegistryToken(newStack(), 'b', { ...base, apiUrl: 'http://127.0.0.1:8080' })).not.toThrow();
  });
});
