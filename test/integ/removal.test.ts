/**
 * What leaves the code leaves the registry: the real `cdktf deploy`, the real engine, the real
 * emulator. A token removed from the code is deleted at the next deploy with one DELETE and nothing
 * else called (several at once too); `removalPolicy: RETAIN` forgets it without any API call; the last
 * token of a stack cannot be deleted by the engine (no step of ours is left to run), which plan-summary
 * says and `--fail-on-forget` turns into a failing check, and the one-step way to delete it works.
 */
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, ourLines, REPO, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(15 * 60 * 1000);

const creds = { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' };
const CLI = path.join(REPO, 'bin', 'registry-token.js');

describe.each(engines().map((e) => [e.name, e] as const))('removal from the code (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const token = (name: string, extra: Partial<TokenDecl> = {}): TokenDecl => ({
    id: name,
    registryId: emu.registryId,
    name,
    scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }],
    ...extra,
  });
  const liveNames = async () => (await emu.listTokens(emu.registryId)).map((t) => t.properties.name).sort();
  const calls = async () => (await emu.requests()).map((r) => `${r.method} ${r.path.split('/').pop()} ${r.status}`);

  async function deployed(tokens: TokenDecl[]): Promise<Workspace> {
    await emu.reset();
    const ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
    ws.declare(tokens);
    const res = await ws.deploy();
    if (res.code !== 0) throw new Error(`deploy failed:\n${res.all.slice(-3000)}`);
    await emu.clearRequests();
    return ws;
  }

  /** The saved plan of the current declaration, its text and `plan-summary` of it. */
  async function plan(ws: Workspace, ...flags: string[]): Promise<{ text: string; summary: { code: number; out: string } }> {
    const synth = await ws.cdktf(['synth']);
    expect(synth.code).toBe(0);
    const p = await ws.tf(['plan', '-input=false', '-no-color', '-out=review.plan']);
    expect(p.code).toBe(0);
    const json = await ws.tf(['show', '-json', 'review.plan']);
    const file = path.join(ws.stackDir, 'review.json');
    require('node:fs').writeFileSync(file, json.stdout);
    const s = await ws.run(process.execPath, [CLI, 'plan-summary', file, ...flags]);
    return { text: p.all, summary: { code: s.code, out: s.all } };
  }

  test('one token removed: its resources are destroyed in the plan, plan-summary says delete, the deploy makes one DELETE', async () => {
    const ws = await deployed([token('rm-keep-a'), token('rm-drop'), token('rm-keep-b')]);
    const tokenIds = Object.fromEntries((await emu.listTokens(emu.registryId)).map((t) => [t.properties.name, t.id]));
    ws.declare([token('rm-keep-a'), token('rm-keep-b')]);
    const { text, summary } = await plan(ws, '--fail-on-forget');
    expect(text).toMatch(/# terraform_data\.rm-drop_password_[0-9A-F]{8} will be destroyed/);
    expect(summary).toEqual({ code: 0, out: 'delete rm-drop (removed from the code)\n' });
    expect(await calls()).toEqual([]); // a plan calls no API
    const res = await ws.deploy();
    expect(res.code).toBe(0);
    expect(ourLines(res.all)).toEqual(['delete rm-drop (removed from the code)']);
    expect(await calls()).toEqual([`DELETE ${tokenIds['rm-drop']} 204`]);
    expect(await liveNames()).toEqual(['rm-keep-a', 'rm-keep-b']);
    // the others keep working passwords, and the next deploy is a no-op with no API call
    for (const n of ['rm-keep-a', 'rm-keep-b']) expect(await emu.login(emu.registryId, n, ws.outputValue(`${n}_password`))).toBe(true);
    await emu.clearRequests();
    expect((await ws.deploy()).all).toMatch(/No changes/);
    expect(await calls()).toEqual([]);
    ws.cleanup();
  });

  test('several removed at once, one of them retained: one DELETE each for the others, none for the retained one', async () => {
    const ws = await deployed([token('multi-a'), token('multi-b'), token('multi-c', { removalPolicy: 'retain' }), token('multi-d'), token('multi-keep')]);
    ws.declare([token('multi-keep')]);
    const { summary } = await plan(ws, '--fail-on-forget');
    expect(summary.code).toBe(0);
    expect(summary.out.split('\n').filter(Boolean).sort()).toEqual([
      'delete multi-a (removed from the code)',
      'delete multi-b (removed from the code)',
      'delete multi-d (removed from the code)',
      'forget multi-c (kept live: removalPolicy RETAIN)',
    ]);
    const res = await ws.deploy();
    expect(res.code).toBe(0);
    expect((await calls()).map((c) => c.replace(/ \S+ /, ' '))).toEqual(['DELETE 204', 'DELETE 204', 'DELETE 204']);
    expect(await liveNames()).toEqual(['multi-c', 'multi-keep']);
    // the deploy says what the plan summary said, one line per token
    expect(ourLines(res.all).sort()).toEqual(summary.out.split('\n').filter(Boolean).sort());
    ws.cleanup();
  });

  test('a token already deleted by hand when it leaves the code: the DELETE answers 404, the deploy succeeds', async () => {
    const ws = await deployed([token('gone-a'), token('gone-keep')]);
    const id = (await emu.listTokens(emu.registryId)).find((t) => t.properties.name === 'gone-a')!.id;
    await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}/tokens/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from('emulator:emulator').toString('base64')}` },
    });
    await emu.clearRequests();
    ws.declare([token('gone-keep')]);
    const res = await ws.deploy();
    expect(res.code).toBe(0);
    expect(await calls()).toEqual([`DELETE ${id} 404`]);
    ws.cleanup();
  });

  test('the last token of a stack: the engine cannot delete it; plan-summary says it stays live, --fail-on-forget fails; the one-step way deletes it', async () => {
    const ws = await deployed([token('last-one')]);
    ws.declare([]);
    const { text, summary } = await plan(ws, '--fail-on-forget');
    // Terraform destroys the resources without running any step: they are no longer in the code.
    expect(text).toMatch(/# terraform_data\.registry-token-specs will be destroyed/);
    expect(text).toMatch(/\(because terraform_data\.registry-token-specs is not in configuration\)/);
    expect(summary.code).toBe(3);
    expect(summary.out).toMatch(/^forget last-one: STAYS LIVE: it was the stack's last token/);
    expect(summary.out).toContain('1 token removed from the code would stay live without removalPolicy RETAIN: last-one (--fail-on-forget)');
    const hint = /run this before the change, with the token still in the code: (terraform -chdir=\S+ apply -destroy -target=(\S+))/.exec(summary.out);
    expect(hint).not.toBeNull();
    // The one-step way, with the token still declared: it is deleted (one DELETE), then removing it from the code is clean.
    ws.declare([token('last-one')]);
    expect((await ws.cdktf(['synth'])).code).toBe(0);
    const destroyed = await ws.tf(['apply', '-destroy', '-auto-approve', '-input=false', `-target=${hint![2]}`]);
    expect(destroyed.code).toBe(0);
    expect(await calls()).toEqual([expect.stringMatching(/^DELETE \S+ 204$/)]);
    expect(await liveNames()).toEqual([]);
    ws.declare([]);
    expect((await ws.deploy()).code).toBe(0);
    ws.cleanup();
  });
});
