/**
 * Secrets: no password and no API credential reaches the synthesized JSON, plan or apply output
 * (also with TF_LOG=DEBUG), handler output, error messages, or any file but the state; result files
 * are removed; the emulator never returns a stored password. Basic and Bearer credentials both.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, RunResult, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(15 * 60 * 1000);

const engine = engines()[0];
const user = 'ci-bot';
const userPassword = randomBytes(18).toString('base64url');
const bearer = randomBytes(24).toString('base64url');
const credentials = [userPassword, bearer, Buffer.from(`${user}:${userPassword}`).toString('base64')];

let emu: RunningEmulator;
const passwords: string[] = [];
const texts: [string, string][] = [];

beforeAll(async () => {
  // in the environment, not argv (every user of the machine can read argv); base64url holds no ','
  emu = await startEmulator([], { env: { IONOS_EMULATOR_USERS: `${user}:${userPassword}`, IONOS_EMULATOR_BEARER: bearer } });
});
afterAll(async () => {
  await emu?.stop();
});

function record(where: string, res: RunResult): RunResult {
  texts.push([where, res.all]);
  return res;
}

describe.each([
  ['basic', { IONOS_USERNAME: user, IONOS_PASSWORD: userPassword }],
  ['bearer', { IONOS_TOKEN: bearer }],
])(`with %s credentials (${engine.name}, TF_LOG=DEBUG)`, (kind, auth) => {
  let ws: Workspace;
  const name = `secret-${kind}`;
  const decl = (extra: Partial<TokenDecl> = {}): TokenDecl[] => [
    { id: 'tok', registryId: emu.registryId, name, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }], ...extra },
  ];

  beforeAll(() => {
    ws = new Workspace(engine, { ...auth, IONOS_API_URL: emu.apiUrl, TF_LOG: 'DEBUG' }, `secrets-${kind}`);
  });
  afterAll(() => ws.cleanup());


  test('create, update, rename, a 409 and a destroy leave no secret anywhere but the state', async () => {
    const logFile = (step: string) => ({ TF_LOG_PATH: path.join(ws.dir, `tf-debug-${step}.log`) });
    ws.declare(decl());
    expect(record('deploy', await ws.deploy(logFile('create'))).code).toBe(0);
    passwords.push(ws.outputValue('tok_password'));

    ws.declare(decl({ status: 'disabled' }));
    expect(record('update', await ws.deploy(logFile('update'))).code).toBe(0);

    ws.declare(decl({ name: `${name}-2` }));
    expect(record('rename', await ws.deploy(logFile('rename'))).code).toBe(0);
    passwords.push(ws.outputValue('tok_password'));

    // Someone else takes the next name: the create fails with the API's 409, and says so.
    const taken = `${name}-3`;
    const other = await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { name: taken, scopes: [{ type: 'repository', name: '*', actions: ['pull'] }] } }),
    });
    expect(other.status).toBe(201);
    passwords.push(((await other.json()) as { properties: { credentials: { password: string } } }).properties.credentials.password);
    ws.declare(decl({ name: taken }));
    const conflict = record('409', await ws.deploy(logFile('conflict')));
    expect(conflict.code).not.toBe(0);
    expect(conflict.all).toContain('HTTP 409 already exists: name is not available');

    record('plan', await ws.tf(['plan', '-no-color', '-input=false'], logFile('plan')));
    ws.declare(decl({ name: `${name}-2` }));
    expect(record('destroy', await ws.destroy(logFile('destroy'))).code).toBe(0);

    const work = path.join(ws.stackDir, '.registry-token');
    expect(fs.existsSync(work) ? fs.readdirSync(work).filter((f) => f.endsWith('.result.json')) : []).toEqual([]);
    for (const file of ws.filesOtherThanState()) texts.push([path.relative(ws.dir, file), fs.readFileSync(file, 'utf8')]);
    expect(texts.some(([where]) => where.startsWith('tf-debug-'))).toBe(true);
  });
});

/**
 * The engine's own debug log prints every dynamic attribute of the state when it loads a resource
 * ("UpgradeResourceState: ignoring dynamic block: ..."), and every attribute of the built-in
 * `terraform_data` is dynamic, so the captured password shows there. That line is the engine's, the
 * only one, and the README says so (the null provider's map(string) triggers would avoid it, see
 * "Known limitations"). Everything else, debug logs included, must hold no secret.
 */
const ENGINE_STATE_DUMP = /UpgradeResourceState: ignoring dynamic block/;

test('no secret in any output, debug log, error message or file (but the engine\'s state dump line)', () => {
  expect(passwords.length).toBeGreaterThanOrEqual(4);
  const secrets = [...passwords, ...credentials];
  const leaks = secrets.flatMap((secret, i) =>
    texts.flatMap(([where, text]) =>
      text
        .split('\n')
        .filter((line) => line.includes(secret) && !(where.startsWith('tf-debug-') && i < passwords.length && ENGINE_STATE_DUMP.test(line)))
        .map(() => `${i < passwords.length ? `password ${i}` : `credential ${i - passwords.length}`} in ${where}`),
    ),
  );
  expect([...new Set(leaks)]).toEqual([]);
});

test('the API credentials appear in no debug log line at all', () => {
  for (const secret of credentials) for (const [, text] of texts) expect(text.includes(secret)).toBe(false);
});

test('the emulator never returns a stored password', async () => {
  const res = await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}/tokens`, { headers: { authorization: `Bearer ${bearer}` } });
  const body = (await res.json()) as { items: { properties: { credentials: { password: string } } }[] };
  expect(body.items.length).toBeGreaterThanOrEqual(1);
  for (const t of body.items) expect(t.properties.credentials.password).toBe('');
});
