/**
 * Faults, crashes and tokens gone out of band, with the real engine and the real emulator: every
 * scenario ends with exactly one token per declaration and a captured password that logs in.
 */
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { handlerPattern, killMatching, waitFor, workerPattern } from '../helper/processes';
import { engines, ok, recreateCommandIn, RunResult, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const engine = engines()[0];
const creds = { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' };
const BASIC = `Basic ${Buffer.from('emulator:emulator').toString('base64')}`;

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});
beforeEach(async () => {
  await emu.reset();
});

function token(name: string, extra: Partial<TokenDecl> = {}): TokenDecl {
  return { id: name, registryId: emu.registryId, name, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }], ...extra };
}

function workspace(tokens: TokenDecl[], env: Record<string, string> = {}): Workspace {
  const ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl, IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '4', ...env });
  ws.declare(tokens);
  return ws;
}


/** Exactly one live token with this name, and the password in the state logs in with it. */
async function expectOneWorkingToken(ws: Workspace, name: string, id = name): Promise<void> {
  const live = (await emu.listTokens(emu.registryId)).filter((t) => t.properties.name === name);
  expect(live).toHaveLength(1);
  expect(await emu.login(emu.registryId, name, ws.outputValue(`${id}_password`))).toBe(true);
}

/** The handler's failure lines: one line each, naming the token, and no stack trace anywhere. */
function expectOneLineError(res: RunResult, ...parts: (string | RegExp)[]): void {
  expect(res.code).not.toBe(0);
  const lines = res.all.split('\n').filter((l) => l.includes('registry-token:') && l.includes('failed'));
  expect(lines.length).toBeGreaterThanOrEqual(1);
  for (const part of parts) if (!lines.some((l) => (typeof part === 'string' ? l.includes(part) : part.test(l)))) throw new Error(`no line with ${part} in:\n${lines.join('\n')}`);
  expect(res.all).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  // the engine's error box names the step in words, never our shell
  expect(res.all).not.toMatch(/RT_STEP|RT_HANDLER|run\.sh/);
  expect(res.all).toMatch(/Error running command 'registry-token: the [a-z-]+ step of /);
}

describe(`faults on create (${engine.name})`, () => {
  test('a create answered 502 although it happened converges in the same deploy: one token, a working password', async () => {
    const ws = workspace([token('commit-502')]);
    await emu.addFault({ method: 'PUT', path: '/tokens/', status: 502, commit: true, times: 1 });
    ok(await ws.deploy(), 'deploy');
    await expectOneWorkingToken(ws, 'commit-502');
    const statuses = (await emu.requests()).map((r) => `${r.method} ${r.status}`);
    // The create reads first (404); its PUT took effect but answered 502, so it reads again, finds its
    // own token (created since its attempt), deletes it and PUTs again: never a blind retry.
    expect(statuses).toEqual(['GET 404', 'PUT 502', 'GET 200', 'DELETE 204', 'PUT 201']);
    ws.cleanup();
  });

  test('when every attempt answers 502 after creating, the deploy fails clearly and the next one converges', async () => {
    const ws = workspace([token('commit-all')], { IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '2' });
    // A create makes 3 rounds at most; each 502 here took effect, so each next round finds its own token.
    await emu.addFault({ method: 'PUT', path: '/tokens/', status: 502, commit: true, times: 3 });
    const failed = await ws.deploy();
    expectOneLineError(failed, 'create', 'HTTP 502', 'run the deploy again');
    const round = ['GET 200', 'DELETE 204', 'PUT 502'];
    expect((await emu.requests()).map((r) => `${r.method} ${r.status}`)).toEqual(['GET 404', 'PUT 502', ...round, ...round]);
    await emu.clearRequests();
    ok(await ws.deploy(), 'second deploy');
    await expectOneWorkingToken(ws, 'commit-all');
    // The journal proves the token found is this workspace's: deleted and made again for a password.
    expect((await emu.requests()).map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'DELETE 204', 'PUT 201']);
    ws.cleanup();
  });
});

describe(`crash mid-apply (${engine.name})`, () => {
  /**
   * Runs `step` while the API holds back the answer of a call that already took effect (a fault with
   * commit and a long latency); once `reached` sees the effect, SIGKILLs what matches `victims`.
   * Returns the interrupted run's result; the faults are cleared afterwards.
   */
  async function killAfterEffect(
    step: () => Promise<RunResult>,
    fault: Record<string, unknown>,
    reached: () => Promise<boolean>,
    victims: string[],
  ): Promise<RunResult> {
    await emu.addFault({ status: 502, commit: true, latencyMs: 20_000, times: 1, ...fault });
    const running = step();
    await waitFor('the call to take effect', async () => (await reached()) || undefined);
    const killed = victims.map(killMatching);
    expect(killed[0]).toBeGreaterThanOrEqual(1);
    const res = await running;
    await emu.clearFaults();
    return res;
  }
  const liveTokens = () => emu.listTokens(emu.registryId);

  test('the worker killed after its create reached the API: the step runs again itself, the same deploy converges', async () => {
    // the recovery is said only with the debug switch
    const ws = workspace([token('killed-worker')], { IONOS_REGISTRY_TOKEN_DEBUG: '1' });
    const res = await killAfterEffect(() => ws.deploy(), { method: 'PUT', path: '/tokens/' }, async () => (await liveTokens()).length === 1, [workerPattern]);
    ok(res, 'the deploy whose worker was killed');
    expect(res.all).toMatch(/left by an interrupted create; deleting it and creating it again/);
    await expectOneWorkingToken(ws, 'killed-worker');
    expect(ok(await ws.deploy(), 'a second deploy').all).toMatch(/No changes/);
    ws.cleanup();
  });

  test('the handler killed after its create reached the API (no worker): the next deploy converges', async () => {
    const ws = workspace([token('killed-create')], { IONOS_REGISTRY_TOKEN_WORKER: 'off' });
    const crashed = await killAfterEffect(() => ws.deploy(), { method: 'PUT', path: '/tokens/' }, async () => (await liveTokens()).length === 1, [handlerPattern('create')]);
    expect(crashed.code).not.toBe(0);
    ok(await ws.deploy(), 'deploy after the crash');
    await expectOneWorkingToken(ws, 'killed-create');
    ws.cleanup();
  });

  test('the whole engine killed during a create: the next deploy converges', async () => {
    const ws = workspace([token('killed-engine')]);
    // (cdktf itself may report success for an engine killed by a signal; what matters is the next deploy)
    await killAfterEffect(() => ws.deploy(), { method: 'PUT', path: '/tokens/' }, async () => (await liveTokens()).length === 1, [
      `(^|/)${engine.name} apply`,
      workerPattern,
    ]);
    ok(await ws.deploy(), 'deploy after the crash');
    await expectOneWorkingToken(ws, 'killed-engine');
    ws.cleanup();
  });

  test('the worker killed during an update: the same deploy converges to the declared status', async () => {
    const ws = workspace([token('killed-update')]);
    ok(await ws.deploy(), 'first deploy');
    ws.declare([token('killed-update', { status: 'disabled' })]);
    const res = await killAfterEffect(() => ws.deploy(), { method: 'PATCH' }, async () => (await liveTokens())[0]?.properties.status === 'disabled', [
      workerPattern,
    ]);
    ok(res, 'the deploy whose worker was killed');
    expect((await liveTokens())[0].properties.status).toBe('disabled');
    expect(ok(await ws.deploy(), 'a second deploy').all).toMatch(/No changes/);
    expect(await liveTokens()).toHaveLength(1);
    ws.cleanup();
  });

  test('the handler killed during a destroy (no worker): the next destroy finishes, nothing is left', async () => {
    const ws = workspace([token('killed-destroy')], { IONOS_REGISTRY_TOKEN_WORKER: 'off' });
    ok(await ws.deploy(), 'deploy');
    const crashed = await killAfterEffect(() => ws.destroy(), { method: 'DELETE' }, async () => (await liveTokens()).length === 0, [handlerPattern('delete')]);
    expect(crashed.code).not.toBe(0);
    ok(await ws.destroy(), 'destroy after the crash');
    expect(await liveTokens()).toEqual([]);
    expect(ws.state().resources).toEqual([]);
    ws.cleanup();
  });

  test('the worker killed during a destroy: the same destroy finishes, nothing is left', async () => {
    const ws = workspace([token('killed-destroy-w')]);
    ok(await ws.deploy(), 'deploy');
    ok(await killAfterEffect(() => ws.destroy(), { method: 'DELETE' }, async () => (await liveTokens()).length === 0, [workerPattern]), 'destroy');
    expect(await liveTokens()).toEqual([]);
    expect(ws.state().resources).toEqual([]);
    ws.cleanup();
  });
});

describe(`tokens gone out of band (${engine.name})`, () => {
  test('deleted by hand: plans stay silent; the next change stops with the command that re-creates it, which works', async () => {
    const ws = workspace([token('gone')]);
    ok(await ws.deploy(), 'deploy');
    const [live] = await emu.listTokens(emu.registryId);
    const del = await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}/tokens/${live.id}`, { method: 'DELETE', headers: { authorization: BASIC } });
    expect(del.status).toBe(204);
    await emu.clearRequests();
    expect(ok(await ws.deploy(), 'no-op deploy').all).toMatch(/No changes/);
    expect(await emu.requests()).toEqual([]);

    const wider = [{ type: 'repository', name: '*', actions: ['pull'] }];
    ws.declare([token('gone', { scopes: wider })]);
    const failed = await ws.deploy();
    // the command in the words of the CLI that deployed: cdktf's deploy, the -replace in TF_CLI_ARGS_apply
    expectOneLineError(failed, 'no longer exists', 'deleted outside this stack, or it expired', /run: TF_CLI_ARGS_apply="-replace=terraform_data\.'gone_create_[0-9A-F]+' -replace=terraform_data\.'gone_password_[0-9A-F]+'" cdktf deploy integ/);
    await emu.clearRequests();
    ok(await ws.runPrinted(recreateCommandIn(failed.all)!), 'the suggested command');
    // `password` is replaced with `create`: its destroy step deletes first (already gone), then the create reads and writes.
    expect((await emu.requests()).map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 404', 'GET 404', 'PUT 201']);
    await expectOneWorkingToken(ws, 'gone');
    expect((await emu.listTokens(emu.registryId))[0].properties.scopes).toEqual(wider);
    ws.cleanup();
  });

  test('expired (the API deletes it): the same clear error at the next change', async () => {
    const soon = new Date(Date.now() + 2 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const ws = workspace([token('expiring', { expiryDate: soon })]);
    ok(await ws.deploy(), 'deploy');
    await emu.advanceClock(3 * 3600);
    expect(await emu.listTokens(emu.registryId)).toEqual([]);
    ws.declare([token('expiring', { expiryDate: soon, status: 'disabled' })]);
    expectOneLineError(await ws.deploy(), 'no longer exists', 'or it expired');
    ws.cleanup();
  });
});
