/**
 * The product, proven end to end: the real `cdktf deploy` with the real engine (Terraform and/or
 * OpenTofu, from `npm run engine`) against the real emulator process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, ourLines, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(15 * 60 * 1000);

const creds = { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' };

/** The API calls (method and path) the emulator logged, without the registry prefix. */
async function calls(emu: RunningEmulator): Promise<string[]> {
  return (await emu.requests()).map((r) => `${r.method} ${r.path.replace(/^\/containerregistries\/registries\/[^/]+/, '')}`);
}

describe.each(engines().map((e) => [e.name, e] as const))('cdktf deploy with %s', (_name, engine) => {
  let emu: RunningEmulator;
  let ws: Workspace;
  const secrets: string[] = [];
  const transcripts: string[] = [];

  const tokens = (registryId: string): TokenDecl[] => [
    { id: 'ci-push', registryId, name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }] },
    { id: 'deploy-pull', registryId, name: 'deploy-pull', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], expiryDate: '2030-01-01T00:00:00Z' },
    { id: 'break-glass', registryId, name: 'break-glass', status: 'disabled', scopes: [{ type: 'repository', name: '*', actions: ['pull', 'push', 'delete'] }] },
  ];
  let declared: TokenDecl[];

  async function deploy(env: Record<string, string> = {}) {
    const res = await ws.deploy(env);
    transcripts.push(res.all);
    if (res.code !== 0) throw new Error(`cdktf deploy failed (${res.code}):\n${res.all.slice(-4000)}`);
    return res;
  }

  function change(id: string, patch: Partial<TokenDecl>) {
    declared = declared.map((t) => (t.id === id ? { ...t, ...patch } : t));
    ws.declare(declared);
  }

  beforeAll(async () => {
    emu = await startEmulator();
    ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
    declared = tokens(emu.registryId);
    ws.declare(declared);
  });

  afterAll(async () => {
    await emu?.stop();
    ws?.cleanup();
  });

  test('deploy creates three tokens whose captured passwords log in', async () => {
    const res = await deploy();
    // one line per token, in plan-summary's words; nothing about our internal steps
    expect(ourLines(res.all).sort()).toEqual(['create break-glass', 'create ci-push', 'create deploy-pull']);
    const live = await emu.listTokens(emu.registryId);
    expect(live.map((t) => t.properties.name).sort()).toEqual(['break-glass', 'ci-push', 'deploy-pull']);
    for (const t of declared) {
      const password = ws.outputValue(`${t.id}_password`);
      expect(password.length).toBeGreaterThanOrEqual(16);
      secrets.push(password);
      expect(await emu.login(emu.registryId, t.name, password)).toBe(t.status !== 'disabled');
    }
    // Per token a GET (nothing there) then one PUT, and the update right after a create makes no call.
    const log = await calls(emu);
    expect([...log].sort()).toEqual(live.flatMap((t) => [`GET /tokens/${t.id}`, `PUT /tokens/${t.id}`]).sort());
    for (const t of live) expect(log.filter((c) => c.endsWith(t.id))).toEqual([`GET /tokens/${t.id}`, `PUT /tokens/${t.id}`]);
  });

  test('deploying again changes nothing and makes zero API calls', async () => {
    await emu.clearRequests();
    const res = await deploy();
    expect(res.all).toMatch(/No changes|0 added, 0 changed, 0 destroyed/);
    expect(await calls(emu)).toEqual([]);
    expect(ourLines(res.all)).toEqual([]);
  });

  test('a status change is exactly GET + PATCH, password kept', async () => {
    await emu.clearRequests();
    change('ci-push', { status: 'disabled' });
    expect(ourLines((await deploy()).all)).toEqual(['ci-push: status enabled → disabled (PATCH, password kept)']);
    const id = (await emu.listTokens(emu.registryId)).find((t) => t.properties.name === 'ci-push')!.id;
    await emu.clearRequests();
    change('ci-push', { status: 'enabled' });
    await deploy();
    expect(await calls(emu)).toEqual([`GET /tokens/${id}`, `PATCH /tokens/${id}`]);
    expect(await emu.login(emu.registryId, 'ci-push', ws.outputValue('ci-push_password'))).toBe(true);
  });

  test('a scopes change is exactly GET + PUT, password kept', async () => {
    await emu.clearRequests();
    change('ci-push', { scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }, { type: 'registry', name: '*', actions: ['pull'] }] });
    expect(ourLines((await deploy()).all)).toEqual(['ci-push: scopes +registry * pull (PUT, password kept)']);
    const live = (await emu.listTokens(emu.registryId)).find((t) => t.properties.name === 'ci-push')!;
    expect(await calls(emu)).toEqual([`GET /tokens/${live.id}`, `PUT /tokens/${live.id}`]);
    expect(live.properties.scopes).toHaveLength(2);
    expect(await emu.login(emu.registryId, 'ci-push', ws.outputValue('ci-push_password'))).toBe(true);
  });

  test('an expiry change is exactly GET + PATCH', async () => {
    await emu.clearRequests();
    change('deploy-pull', { expiryDate: '2031-06-30T12:00:00Z' });
    expect(ourLines((await deploy()).all)).toEqual([expect.stringMatching(/^deploy-pull: expiry 2030-01-01T00:00:00(\.000)?Z → 2031-06-30T12:00:00Z \(PATCH, password kept\)$/)]);
    const live = (await emu.listTokens(emu.registryId)).find((t) => t.properties.name === 'deploy-pull')!;
    expect(await calls(emu)).toEqual([`GET /tokens/${live.id}`, `PATCH /tokens/${live.id}`]);
    expect(Date.parse(live.properties.expiryDate!)).toBe(Date.parse('2031-06-30T12:00:00Z'));
  });

  test('a rename deletes the old token and creates a new one with a new password', async () => {
    const old = (await emu.listTokens(emu.registryId)).find((t) => t.properties.name === 'deploy-pull')!;
    const oldPassword = ws.outputValue('deploy-pull_password');
    await emu.clearRequests();
    change('deploy-pull', { name: 'deploy-pull-2' });
    expect(ourLines((await deploy()).all)).toEqual(['delete deploy-pull', 'create deploy-pull-2']);
    const live = await emu.listTokens(emu.registryId);
    const renamed = live.find((t) => t.properties.name === 'deploy-pull-2')!;
    expect(live.find((t) => t.properties.name === 'deploy-pull')).toBeUndefined();
    expect(await calls(emu)).toEqual([`DELETE /tokens/${old.id}`, `GET /tokens/${renamed.id}`, `PUT /tokens/${renamed.id}`]);
    const password = ws.outputValue('deploy-pull_password');
    secrets.push(password);
    expect(password).not.toBe(oldPassword);
    expect(await emu.login(emu.registryId, 'deploy-pull-2', password)).toBe(true);
    expect(await emu.login(emu.registryId, 'deploy-pull', oldPassword)).toBe(false);
  });

  test('without cdktf.out and temp files, deploying again is a no-op and the output still holds the password', async () => {
    fs.rmSync(path.join(ws.dir, 'cdktf.out'), { recursive: true, force: true });
    await emu.clearRequests();
    const res = await deploy();
    expect(res.all).toMatch(/No changes|0 added, 0 changed, 0 destroyed/);
    expect(await calls(emu)).toEqual([]);
    const out = path.join(ws.dir, 'outputs.json');
    const shown = await ws.cdktf(['output', ws.stack, '--outputs-file', out, '--outputs-file-include-sensitive-outputs']);
    expect(shown.code).toBe(0);
    const values = JSON.parse(fs.readFileSync(out, 'utf8'))[ws.stack];
    expect(await emu.login(emu.registryId, 'ci-push', values['ci-push_password'])).toBe(true);
    fs.rmSync(out);
  });

  test('no password appears in synthesized JSON, plan or apply output, or any workspace file but the state', async () => {
    const plan = await ws.tf(['plan', '-no-color', '-input=false']);
    transcripts.push(plan.all);
    const haystacks: [string, string][] = [
      ...transcripts.map((t, i) => [`transcript ${i}`, t] as [string, string]),
      ...ws.filesOtherThanState().map((f) => [f, fs.readFileSync(f, 'utf8')] as [string, string]),
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const leaks = secrets.flatMap((secret, i) => haystacks.filter(([, text]) => text.includes(secret)).map(([where]) => `secret ${i} in ${where}`));
    if (leaks.length) {
      for (const [where, text] of haystacks) for (const secret of secrets) if (text.includes(secret)) console.log(where, text.split('\n').filter((l) => l.includes(secret)).join('\n'));
    }
    expect(leaks).toEqual([]);
    // The result files that held passwords are gone.
    const work = path.join(ws.stackDir, '.registry-token');
    const left = fs.existsSync(work) ? fs.readdirSync(work).filter((f) => f.endsWith('.result.json')) : [];
    expect(left).toEqual([]);
  });

  test('destroy deletes every token', async () => {
    await emu.clearRequests();
    const res = await ws.destroy();
    transcripts.push(res.all);
    expect(res.code).toBe(0);
    expect(ourLines(res.all).sort()).toEqual(['delete break-glass', 'delete ci-push', 'delete deploy-pull-2']);
    expect(await emu.listTokens(emu.registryId)).toEqual([]);
    expect((await calls(emu)).every((c) => c.startsWith('DELETE /tokens/'))).toBe(true);
  });
});
