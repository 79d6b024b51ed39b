/**
 * Day-2 operations, end to end with the real engine (Terraform and/or OpenTofu) and the real
 * emulator: plan-summary of every kind of change, drift and --fix, adopt, rotation (in place and
 * blue/green), pull secret. One spec-app workspace is reused across the plan/drift steps; each example
 * app under examples/ gets its own small workspace.
 *
 * RT_WRITE_FIXTURES=1 writes the plan JSONs of the first steps to test/fixtures/plans/ (the unit
 * tests of plan-summary read them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_AUTH, RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, REPO, RunResult, TokenDecl, Workspace } from '../helper/workspace';
import { EXPECTED_CHANGES } from '../fixtures/plans/expected-changes';

jest.setTimeout(20 * 60 * 1000);

const creds = { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' };
const BIN = path.join(REPO, 'bin', 'registry-token.js');
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'plans');

/** The API calls (method and path) the emulator logged, without the registry prefix. */
async function calls(emu: RunningEmulator): Promise<string[]> {
  return (await emu.requests()).map((r) => `${r.method} ${r.path.replace(/^\/containerregistries\/registries\/[^/]+/, '')}`);
}

/** A direct API call to the emulator, as a console user would make it (Basic emulator:emulator). */
async function api(emu: RunningEmulator, method: string, subpath: string, body?: unknown): Promise<any> {
  const res = await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}${subpath}`, {
    method,
    headers: { Authorization: DEFAULT_AUTH.basic, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${subpath} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

describe.each(engines().map((e) => [e.name, e] as const))('operations with %s', (engineName, engine) => {
  let emu: RunningEmulator;
  let ws: Workspace;
  let declared: TokenDecl[];
  let adoptedId: string;
  const secrets: string[] = [];
  const summaries: string[] = [];

  /** Runs the CLI in the workspace's environment (engine on PATH, emulator credentials). */
  function cli(args: string[], w: Workspace = ws, env: Record<string, string> = {}): Promise<RunResult> {
    return w.run(process.execPath, [BIN, ...args], { env });
  }

  async function deploy(w: Workspace, env: Record<string, string> = {}): Promise<RunResult> {
    const res = await w.deploy(env);
    if (res.code !== 0) throw new Error(`cdktf deploy failed (${res.code}):\n${res.all.slice(-4000)}`);
    return res;
  }

  /** synth, `plan -out`, `show -json`: the plan JSON path. */
  async function planJson(kind: string, planArgs: string[] = [], synthFirst = true): Promise<string> {
    if (synthFirst) {
      const synth = await ws.cdktf(['synth']);
      if (synth.code !== 0) throw new Error(`cdktf synth failed:\n${synth.all.slice(-3000)}`);
    }
    const plan = await ws.tf(['plan', '-input=false', '-no-color', '-out', 'review.tfplan', ...planArgs]);
    if (plan.code !== 0) throw new Error(`plan failed:\n${plan.all.slice(-3000)}`);
    const shown = await ws.tf(['show', '-json', 'review.tfplan']);
    if (shown.code !== 0) throw new Error(`show -json failed:\n${shown.all.slice(-3000)}`);
    const file = path.join(ws.dir, `${kind}.plan.json`);
    fs.writeFileSync(file, shown.stdout);
    if (process.env.RT_WRITE_FIXTURES) {
      fs.mkdirSync(FIXTURES, { recursive: true });
      fs.writeFileSync(path.join(FIXTURES, `${engineName}-${kind}.json`), shown.stdout);
    }
    return file;
  }

  async function summary(file: string, format = 'text'): Promise<string> {
    const res = await cli(['plan-summary', file, '--format', format]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    summaries.push(res.stdout);
    return res.stdout;
  }

  beforeAll(async () => {
    emu = await startEmulator();
    ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
    const r = emu.registryId;
    const pull = [{ type: 'repository', name: 'app/*', actions: ['pull'] }];
    declared = [
      { id: 'ci-push', registryId: r, name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }] },
      { id: 'deploy-pull', registryId: r, name: 'deploy-pull', scopes: pull, expiryDate: '2030-01-01T00:00:00Z' },
      { id: 'ci-scopes', registryId: r, name: 'ci-scopes', scopes: [{ type: 'registry', name: '*', actions: ['pull'] }] },
      { id: 'ci-rename', registryId: r, name: 'ci-rename', scopes: pull },
      { id: 'ci-rotate', registryId: r, name: 'ci-rotate', scopes: pull, rotationTrigger: '2025-01' },
      { id: 'old-token', registryId: r, name: 'old-token', scopes: pull },
    ];
    ws.declare(declared);
  });

  afterAll(async () => {
    await emu?.stop();
    ws?.cleanup();
  });

  test('plan-summary names every kind of change with its API calls, and no secret', async () => {
    await deploy(ws);
    for (const t of declared) secrets.push(ws.outputValue(`${t.id}_password`));
    const rotateOld = ws.outputValue('ci-rotate_password');
    // A token made outside the stack, to adopt (disabled, so the adopt deploy must PATCH it).
    const made = await api(emu, 'POST', '/tokens', { properties: { name: 'ci-adopted', status: 'disabled', scopes: [{ type: 'repository', name: 'legacy/*', actions: ['pull'] }] } });
    adoptedId = made.id;
    secrets.push(made.properties.credentials.password);

    const r = emu.registryId;
    const change = (id: string, patch: Partial<TokenDecl>) => (declared = declared.map((t) => (t.id === id ? { ...t, ...patch } : t)));
    change('ci-push', { status: 'disabled' });
    change('ci-scopes', { scopes: [{ type: 'registry', name: '*', actions: ['pull'] }, { type: 'repository', name: 'app/*', actions: ['pull'] }] });
    change('deploy-pull', { expiryDate: '2031-06-30T12:00:00Z' });
    change('ci-rename', { name: 'ci-rename-2' });
    change('ci-rotate', { rotationTrigger: '2025-02' });
    declared = declared.filter((t) => t.id !== 'old-token');
    declared.push({ id: 'ci-new', registryId: r, name: 'ci-new', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] });
    declared.push({ id: 'ci-adopted', registryId: r, name: 'ci-adopted', scopes: [{ type: 'repository', name: 'legacy/*', actions: ['pull'] }], adoptTokenId: adoptedId });
    ws.declare(declared);

    await emu.clearRequests();
    const file = await planJson('changes');
    // The plan JSON holds the captured passwords in clear (sensitive values are not masked in it).
    expect(secrets.some((s) => fs.readFileSync(file, 'utf8').includes(s))).toBe(true);
    const text = await summary(file);
    expect(lines(text).sort()).toEqual([...EXPECTED_CHANGES].sort());
    const md = await summary(file, 'markdown');
    expect(md).toContain('| token | what happens | API calls | password |');
    expect(md).toContain('| `ci-push` (integ/ci-push) | status enabled → disabled (PATCH, password kept) | GET, PATCH | kept |');
    const json = JSON.parse(await summary(file, 'json'));
    expect(json.tokens.find((t: any) => t.name === 'ci-scopes')).toMatchObject({ action: 'update', calls: ['GET', 'PUT'], password: 'kept', changes: ['scopes +repository app/* pull'] });
    fs.writeFileSync(path.join(ws.dir, 'review.md'), md);
    // A plan makes no API call.
    expect(await calls(emu)).toEqual([]);

    // Apply it: every line comes true.
    const rotateId = (await emu.listTokens()).find((t) => t.properties.name === 'ci-rotate')!.id;
    await deploy(ws);
    const log = await calls(emu);
    expect(log.filter((c) => c.endsWith(adoptedId))).toEqual([`GET /tokens/${adoptedId}`, `GET /tokens/${adoptedId}`, `PATCH /tokens/${adoptedId}`]);
    // Rotation: the old password resource's destroy deletes; the create reads the id (free) and writes.
    expect(log.filter((c) => c.endsWith(rotateId))).toEqual([`DELETE /tokens/${rotateId}`, `GET /tokens/${rotateId}`, `PUT /tokens/${rotateId}`]);
    // The new token: read first (nothing there), then created.
    const newId = (await emu.listTokens()).find((t) => t.properties.name === 'ci-new')!.id;
    expect(log.filter((c) => c.endsWith(newId))).toEqual([`GET /tokens/${newId}`, `PUT /tokens/${newId}`]);
    const rotateNew = ws.outputValue('ci-rotate_password');
    secrets.push(rotateNew, ws.outputValue('ci-rename_password'), ws.outputValue('ci-new_password'));
    expect(rotateNew).not.toBe(rotateOld);
    expect(await emu.login(r, 'ci-rotate', rotateOld)).toBe(false);
    expect(await emu.login(r, 'ci-rotate', rotateNew)).toBe(true);
    // The adopted token is the same token (same id), enabled now, its password unknown to the stack.
    const adopted = (await emu.listTokens()).find((t) => t.properties.name === 'ci-adopted')!;
    expect(adopted.id).toBe(adoptedId);
    expect(adopted.properties.status).toBe('enabled');
    expect(ws.outputValue('ci-adopted_password')).toBe('');
    // Removed from the code: the specs step deleted it with one DELETE (as the summary said).
    expect((await emu.listTokens()).some((t) => t.properties.name === 'old-token')).toBe(false);
    expect(log.filter((c) => c.startsWith('DELETE') && !c.endsWith(rotateId))).toHaveLength(2); // ci-rename's old token and old-token
  });

  test('after adopting, the next plan is a no-op and plan-summary says so', async () => {
    const file = await planJson('none');
    const plan = await ws.tf(['plan', '-input=false', '-no-color', '-detailed-exitcode']);
    expect(plan.code).toBe(0);
    expect(plan.all).toContain('No changes.');
    expect(await summary(file)).toBe('no token changes (7 tokens unchanged)\n');
  });

  test('plan-summary of a destroy plan: delete for every token', async () => {
    const file = await planJson('destroy', ['-destroy'], false);
    expect(lines(await summary(file)).sort()).toEqual(
      ['ci-adopted', 'ci-new', 'ci-push', 'ci-rename-2', 'ci-rotate', 'ci-scopes', 'deploy-pull'].map((n) => `delete ${n}`),
    );
  });

  test('drift: a change behind the stack\'s back is reported (2), --fix repairs it (0)', async () => {
    const live = await emu.listTokens();
    const push = live.find((t) => t.properties.name === 'ci-push')!;
    const pull = live.find((t) => t.properties.name === 'deploy-pull')!;
    expect(lines((await cli(['drift', '--stack', ws.dir])).stdout)).toEqual([
      expect.stringMatching(/^ok deploy-pull \(stack integ\): expires 2031-06-30T12:00:00Z \(in \d+ days\)$/),
      'checked 7 tokens of stack integ: 7 as declared',
    ]);

    await api(emu, 'PATCH', `/tokens/${push.id}`, { status: 'enabled' });
    await api(emu, 'PATCH', `/tokens/${pull.id}`, { scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }, { type: 'repository', name: 'extra/*', actions: ['pull'] }] });
    await emu.clearRequests();
    const found = await cli(['drift', '--stack', ws.dir]);
    expect(found.code).toBe(2);
    expect(lines(found.stdout)).toEqual([
      'drift ci-push (stack integ): status is enabled, declared disabled (--fix: PATCH, password kept)',
      // every token with an expiry says how many days it has left
      expect.stringMatching(/^drift deploy-pull \(stack integ\): scopes are repository app\/\* pull; repository extra\/\* pull, declared repository app\/\* pull \(--fix: PUT, password kept\); expires 2031-06-30T12:00:00Z \(in \d+ days\)$/),
      'checked 7 tokens of stack integ: 2 drifted, 5 as declared',
    ]);
    // One GET per token, nothing else.
    expect((await calls(emu)).every((c) => c.startsWith('GET /tokens/'))).toBe(true);
    expect(await calls(emu)).toHaveLength(7);

    // The same through the engine (any backend): `show -json` in the synthesized stack directory.
    const viaEngine = await cli(['drift', '--stack', ws.stackDir, '--format', 'json']);
    expect(viaEngine.code).toBe(2);
    expect(JSON.parse(viaEngine.stdout).tokens.filter((t: any) => t.state === 'drift').map((t: any) => t.name)).toEqual(['ci-push', 'deploy-pull']);

    await emu.clearRequests();
    const fixed = await cli(['drift', '--stack', ws.dir, '--fix']);
    expect(fixed.code).toBe(0);
    expect(lines(fixed.stdout)).toEqual([
      'fixed ci-push (stack integ): status enabled → disabled (PATCH, password kept)',
      'fixed deploy-pull (stack integ): scopes repository app/* pull; repository extra/* pull → repository app/* pull (PUT, password kept)',
      'checked 7 tokens of stack integ: 2 fixed, 5 as declared',
    ]);
    const fixCalls = await calls(emu);
    expect(fixCalls.filter((c) => !c.startsWith('GET'))).toEqual([`PATCH /tokens/${push.id}`, `PUT /tokens/${pull.id}`]);
    expect(await emu.login(emu.registryId, 'ci-push', ws.outputValue('ci-push_password'))).toBe(false); // disabled, as declared
    expect(await emu.login(emu.registryId, 'deploy-pull', ws.outputValue('deploy-pull_password'))).toBe(true); // password kept

    const again = await cli(['drift', '--stack', ws.dir]);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toEqual([expect.stringMatching(/^ok deploy-pull \(stack integ\): expires 2031-06-30T12:00:00Z \(in \d+ days\)$/), 'checked 7 tokens of stack integ: 7 as declared']);
    // A normal plan still makes zero API calls.
    await emu.clearRequests();
    expect((await ws.tf(['plan', '-input=false', '-detailed-exitcode'])).code).toBe(0);
    expect(await calls(emu)).toEqual([]);
  });

  test('drift: a token deleted behind the stack\'s back is reported and never re-created, also with --fix', async () => {
    const gone = (await emu.listTokens()).find((t) => t.properties.name === 'ci-new')!;
    await api(emu, 'DELETE', `/tokens/${gone.id}`);
    await emu.clearRequests();
    for (const args of [['drift', '--state', ws.stateFile], ['drift', '--state', ws.stateFile, '--fix']]) {
      const res = await cli(args);
      expect(res.code).toBe(2);
      expect(lines(res.stdout)).toEqual([
        expect.stringMatching(new RegExp(`^gone ci-new \\(stack integ\\): token ${gone.id} no longer exists \\(deleted outside the stack, or expired\\); not re-created: .*run: (terraform|tofu) -chdir=\\S+/cdktf\\.out/stacks/integ apply -replace=.?terraform_data\\.ci-new_create_[0-9A-F]{8}.?$`)),
        expect.stringMatching(/^ok deploy-pull \(stack integ\): expires 2031-06-30T12:00:00Z \(in \d+ days\)$/),
        'checked 7 tokens of stack integ: 1 gone, 6 as declared',
      ]);
    }
    expect((await calls(emu)).every((c) => c.startsWith('GET '))).toBe(true);
    expect((await emu.listTokens()).some((t) => t.properties.name === 'ci-new')).toBe(false);
  });

  test('drift errors are one line and exit 1', async () => {
    const noCreds = await cli(['drift', '--stack', ws.dir], ws, { IONOS_USERNAME: '', IONOS_PASSWORD: '' });
    expect(noCreds.code).toBe(1);
    expect(noCreds.stderr).toBe('registry-token: no IONOS credentials: set IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD\n');
    const bad = await cli(['drift', '--state', path.join(ws.dir, 'nope.tfstate')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`registry-token: cannot read ${path.join(ws.dir, 'nope.tfstate')}: ENOENT\n`);
  });

  test('examples/rotation: changing rotationTrigger gives a new password; the old one is rejected', async () => {
    const ex = exampleWorkspace('rotation');
    try {
      await deploy(ex, { ROTATION: '2025-01' });
      const first = ex.outputValue('deploy-rotated_password');
      secrets.push(first);
      expect(await emu.login(emu.registryId, 'deploy-rotated', first)).toBe(true);
      await emu.clearRequests();
      await deploy(ex, { ROTATION: '2025-02' });
      // The gap: between the DELETE and the PUT no password logs in (the create reads the id between them).
      const log = await emu.requests();
      expect(log.map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 204', 'GET 404', 'PUT 201']);
      const del = log.find((r) => r.method === 'DELETE')!;
      const put = log.find((r) => r.method === 'PUT')!;
      const gapMs = Date.parse(put.at) - Date.parse(del.at);
      expect(gapMs).toBeLessThan(30_000);
      const second = ex.outputValue('deploy-rotated_password');
      secrets.push(second);
      expect(second).not.toBe(first);
      expect(await emu.login(emu.registryId, 'deploy-rotated', first)).toBe(false);
      expect(await emu.login(emu.registryId, 'deploy-rotated', second)).toBe(true);
    } finally {
      ex.cleanup();
    }
  });

  test('examples/rotation-blue-green: rotating the inactive token never touches the active one', async () => {
    const ex = exampleWorkspace('rotation-blue-green');
    try {
      await deploy(ex, { ACTIVE: 'blue', BLUE_ROTATION: '1', GREEN_ROTATION: '1' });
      const blue = ex.outputValue('active_password');
      const blueId = (await emu.listTokens()).find((t) => t.properties.name === 'app-pull-blue')!.id;
      const oldGreen = ex.outputValue('pull-green_password');
      secrets.push(blue, oldGreen);
      // 1. re-create green while blue is active
      await emu.clearRequests();
      await deploy(ex, { ACTIVE: 'blue', BLUE_ROTATION: '1', GREEN_ROTATION: '2' });
      expect((await calls(emu)).filter((c) => c.endsWith(blueId))).toEqual([]);
      expect(await emu.login(emu.registryId, 'app-pull-blue', blue)).toBe(true);
      const green = ex.outputValue('pull-green_password');
      secrets.push(green);
      expect(await emu.login(emu.registryId, 'app-pull-green', oldGreen)).toBe(false);
      // 2. switch consumers to green
      await deploy(ex, { ACTIVE: 'green', BLUE_ROTATION: '1', GREEN_ROTATION: '2' });
      expect(ex.state().outputs.active_username.value).toBe('app-pull-green');
      expect(ex.outputValue('active_password')).toBe(green);
      expect(await emu.login(emu.registryId, 'app-pull-green', green)).toBe(true);
    } finally {
      ex.cleanup();
    }
  });

  test('examples/pull-secret: the Docker config JSON decodes and its auth logs in', async () => {
    const ex = exampleWorkspace('pull-secret');
    try {
      const registry = await api(emu, 'GET', '');
      const host: string = registry.properties.hostname;
      await deploy(ex, { IONOS_REGISTRY_HOSTNAME: host });
      const state = ex.state();
      expect(state.outputs['k8s-pull_docker_config_json'].sensitive).toBe(true);
      const config = JSON.parse(ex.outputValue('k8s-pull_docker_config_json'));
      expect(Object.keys(config.auths)).toEqual([host]);
      const entry = config.auths[host];
      const [user, pass] = Buffer.from(entry.auth, 'base64').toString('utf8').split(':');
      expect(user).toBe('k8s-pull');
      expect(entry.username).toBe('k8s-pull');
      expect(pass).toBe(entry.password);
      expect(pass).toBe(ex.outputValue('k8s-pull_password'));
      secrets.push(pass, entry.auth);
      expect(await emu.login(emu.registryId, user, pass)).toBe(true);
    } finally {
      ex.cleanup();
    }
  });

  test('examples/adopt: adopts without re-creating (password unknown), then a rotation gives one', async () => {
    const made = await api(emu, 'POST', '/tokens', { properties: { name: 'legacy-ci', scopes: [{ type: 'repository', name: 'legacy/*', actions: ['pull', 'push'] }] } });
    const original = made.properties.credentials.password;
    secrets.push(original);
    const ex = exampleWorkspace('adopt');
    try {
      await emu.clearRequests();
      await deploy(ex, { ADOPT_TOKEN_ID: made.id });
      expect(await calls(emu)).toEqual([`GET /tokens/${made.id}`, `GET /tokens/${made.id}`]);
      expect(ex.outputValue('legacy-ci_password')).toBe('');
      expect(await emu.login(emu.registryId, 'legacy-ci', original)).toBe(true);
      // The next plan is a no-op.
      const plan = await ex.tf(['plan', '-input=false', '-no-color', '-detailed-exitcode'], { ADOPT_TOKEN_ID: made.id });
      expect(plan.code).toBe(0);
      // Rotate to get a password: same id, the outside password stops working.
      await emu.clearRequests();
      await deploy(ex, { ADOPT_TOKEN_ID: made.id, ROTATION: '1' });
      expect(await calls(emu)).toEqual([`DELETE /tokens/${made.id}`, `GET /tokens/${made.id}`, `PUT /tokens/${made.id}`]);
      const rotated = ex.outputValue('legacy-ci_password');
      secrets.push(rotated);
      expect(rotated.length).toBeGreaterThanOrEqual(16);
      expect(await emu.login(emu.registryId, 'legacy-ci', original)).toBe(false);
      expect(await emu.login(emu.registryId, 'legacy-ci', rotated)).toBe(true);
    } finally {
      ex.cleanup();
    }
  });

  test('no password appears in any plan-summary output', () => {
    expect(summaries.length).toBeGreaterThanOrEqual(5);
    const real = secrets.filter((s) => s.length >= 16);
    expect(real.length).toBeGreaterThanOrEqual(10);
    const leaks = real.flatMap((s, i) => summaries.filter((out) => out.includes(s)).map(() => `secret ${i}`));
    expect(leaks).toEqual([]);
    if (process.env.RT_WRITE_FIXTURES) fs.copyFileSync(path.join(ws.dir, 'review.md'), path.join(FIXTURES, `${engineName}-review.md`));
  });

  /** A workspace running one of the example apps (compiled into dist/examples by npm run build). */
  function exampleWorkspace(name: string): Workspace {
    const stack = name;
    const ex = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl, IONOS_REGISTRY_ID: emu.registryId }, stack);
    fs.writeFileSync(
      path.join(ex.dir, 'cdktf.json'),
      JSON.stringify({ language: 'typescript', app: `node ${path.join(REPO, 'dist', 'examples', name, 'main.js')}`, sendCrashReports: false, terraformProviders: [] }),
    );
    return ex;
  }
});
