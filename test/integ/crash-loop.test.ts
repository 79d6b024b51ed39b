/**
 * Crash safety, proven by killing: SIGKILL the whole `cdktf deploy` process group (cdktf, the engine,
 * every provisioner and the step worker) at many points of a create of 12 tokens, of a rename, of a
 * scheduled rotation and of a destroy, then deploy again. The result must be the declared tokens,
 * each with a password in the state that logs in; or a non-zero exit whose failure lines each name a
 * token and the one command that repairs it, and that command must then give that result. Never an
 * exit 0 with a missing password, and a token that is not ours is never touched.
 *
 * CRASH_POINTS=<n> sets the number of kill points of the create (default 20).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { uuidv5 } from '../../lib';
import { TOKEN_ID_NAMESPACE } from '../../lib/handler/consts';
import { periodStart, rotationPeriod, SYNTH_NOW_ENV } from '../../lib/schedule';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, repairOf, runRepair, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(30 * 60 * 1000);

const creds = { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' };
const CDKTF = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'cdktf');
const FOREIGN_ID = '0f0f0f0f-0000-4000-8000-00000000f00d';
const POINTS = Number(process.env.CRASH_POINTS ?? 20);
/** Latency of every API call: a step lasts long enough to be killed in the middle. */
const LATENCY_MS = 400;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `cdktf <args>` in a process group of its own; `kill()` SIGKILLs the whole group. */
function startGroup(ws: Workspace, args: string[], env: Record<string, string> = {}): { kill(): void; done: Promise<number> } {
  const run = ws.spawnGroup(CDKTF, args, { env });
  return { kill: () => run.killGroup('SIGKILL'), done: run.done.then((r) => r.code) };
}

interface Outcome {
  /** How the deploy after the crash ended. */
  readonly code: number;
  /** Tokens whose repair command was needed (non-zero exit). */
  readonly repaired: number;
  /** Declared tokens without a working password at the end (must be 0). */
  readonly lost: number;
  /** 1 when someone else's token was written to or changed (must be 0). */
  readonly foreign: number;
  /** 1 when the kill cut Terraform's own state file, which was then restored from the engine's backup. */
  readonly stateCut?: number;
}

/**
 * The local backend rewrites its state file in place (truncate, then write): a SIGKILL in between
 * leaves it cut, no longer JSON. (An empty file the engine reads as no state.)
 */
function stateFileCut(ws: Workspace): boolean {
  if (!fs.existsSync(ws.stateFile)) return false;
  const text = fs.readFileSync(ws.stateFile, 'utf8');
  if (text.length === 0) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

describe.each(engines().map((e) => [e.name, e] as const))('SIGKILL of the whole deploy, then deploy again (%s)', (engineName, engine) => {
  let emu: RunningEmulator;
  const outcomes: Record<string, Outcome[]> = { create: [], rename: [], rotation: [], destroy: [] };

  beforeAll(async () => {
    emu = await startEmulator(['--latency-ms', String(LATENCY_MS)]);
  });
  afterAll(async () => {
    for (const [op, list] of Object.entries(outcomes)) {
      if (list.length === 0) continue;
      const converged = list.filter((o) => o.code === 0).length;
      const repaired = list.reduce((n, o) => n + o.repaired, 0);
      const lost = list.reduce((n, o) => n + o.lost, 0);
      const foreign = list.reduce((n, o) => n + o.foreign, 0);
      const cut = list.reduce((n, o) => n + (o.stateCut ?? 0), 0);
      const cutWords = cut > 0 ? `; the engine's state file cut by the kill (restored from its backup): ${cut}` : '';
      console.log(`crash-loop ${engineName} local ${op}: ${list.length} kill points; ${converged} converged by the next deploy, ${list.length - converged} stopped and needed the one command they named (${repaired} tokens repaired by it); lost passwords: ${lost}; foreign token touched: ${foreign}${cutWords}`);
    }
    await emu?.stop();
  });

  const decl = (names: string[]): TokenDecl[] =>
    names.map((name, i) => ({ id: `t${i}`, registryId: emu.registryId, name, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] }));
  const names = (prefix: string) => Array.from({ length: 12 }, (_, i) => `${prefix}-${i}`);

  /** A token of someone else's in the same registry, which must survive everything untouched. */
  async function addForeign(): Promise<void> {
    const res = await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}/tokens/${FOREIGN_ID}`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from('emulator:emulator').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { name: 'someone-else', scopes: [{ type: 'repository', name: '*', actions: ['pull'] }] } }),
    });
    expect(res.status).toBe(201);
  }

  /** 1 when the foreign token is gone or changed, or any call but the test's own PUT went to it. */
  async function foreignTouched(): Promise<number> {
    const token = (await emu.listTokens(emu.registryId)).find((t) => t.id === FOREIGN_ID);
    const calls = (await emu.requests()).filter((r) => r.path.endsWith(`/tokens/${FOREIGN_ID}`) && r.method !== 'GET');
    const same = token?.properties.name === 'someone-else' && JSON.stringify(token.properties.scopes) === JSON.stringify([{ type: 'repository', name: '*', actions: ['pull'] }]);
    return same && calls.filter((r) => r.method !== 'PUT').length === 0 && calls.length <= 1 ? 0 : 1;
  }

  /** Exactly the declared tokens live (and the foreign one, unchanged), each password in the state logs in. */
  async function lostPasswords(ws: Workspace, declared: TokenDecl[]): Promise<number> {
    const live = await emu.listTokens(emu.registryId);
    expect(live.map((t) => t.properties.name).sort()).toEqual([...declared.map((t) => t.name), 'someone-else'].sort());
    expect(live.find((t) => t.properties.name === 'someone-else')!.id).toBe(FOREIGN_ID);
    let lost = 0;
    const outputs = ws.state().outputs;
    for (const t of declared) {
      const pw = String(outputs[`${t.id}_password`]?.value ?? '');
      if (!(pw !== '' && (await emu.login(emu.registryId, t.name, pw)))) lost++;
    }
    return lost;
  }

  /** Deploys again after a crash; on failure runs the one command the lines name, once. */
  async function recover(ws: Workspace, declared: TokenDecl[]): Promise<Outcome> {
    const cut = stateFileCut(ws);
    const res = await ws.deploy();
    if (process.env.CRASH_DEBUG) console.log(res.all);
    if (res.code === 0) return { code: 0, repaired: 0, lost: await lostPasswords(ws, declared), foreign: await foreignTouched() };
    const repair = repairOf(res);
    const { lines, takeOver, replace } = repair;
    if (cut && lines.length === 0) {
      // The engine's own file, not ours: what a person does is put back the backup the engine keeps
      // (the state when that run began); the journal then proves the tokens the run made.
      console.log(`crash-loop ${ws.engine.name}: the kill cut the engine's state file (${fs.statSync(ws.stateFile).size} bytes, not JSON); restored from ${path.basename(ws.stateFile)}.backup`);
      const backup = `${ws.stateFile}.backup`;
      if (fs.existsSync(backup)) fs.copyFileSync(backup, ws.stateFile);
      else fs.rmSync(ws.stateFile);
      return { ...(await recover(ws, declared)), stateCut: 1 };
    }
    // Every failure is a line of ours, naming a token and what to run; no stack trace.
    if (lines.length === 0) throw new Error(`the deploy after the crash failed (exit ${res.code}) with no line of ours:\n${res.all.slice(-4000)}`);
    const unnamed = lines.filter((l) => !/token "[^"]+"(,| \() ?id [0-9a-f-]{36}/.test(l));
    if (unnamed.length) throw new Error(`failure lines that name no token:\n${unnamed.join('\n')}\n---\n${res.all.slice(-3000)}`);
    expect(takeOver.length + replace.length).toBeGreaterThan(0);
    expect(res.all).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    console.log(`crash-loop ${ws.engine.name}: the deploy after the crash stopped:\n${lines.join('\n')}`);
    // Run as printed: cdktf's deploy, the -replace list in TF_CLI_ARGS_apply.
    const fixed = await runRepair(ws, repair);
    if (fixed.code !== 0) throw new Error(`the repair named by\n${lines.join('\n')}\nfailed:\n${fixed.all.slice(-3000)}`);
    const after = await ws.deploy();
    expect(after.code).toBe(0);
    expect(after.all).toMatch(/No changes/);
    // Tokens, not addresses: the re-create command names each token's create and its password.
    const recreated = replace.filter((a) => /_create_[0-9A-F]+$/.test(a)).length;
    return { code: res.code, repaired: Math.max(takeOver.length, recreated), lost: await lostPasswords(ws, declared), foreign: await foreignTouched() };
  }

  /** Waits until the emulator has answered a call of `method`, then `delayMs` more, then kills; returns the calls answered by then. */
  async function killAfter(run: { kill(): void; done: Promise<number> }, method: string, delayMs: number): Promise<string> {
    const until = Date.now() + 120_000;
    let exited = false;
    void run.done.then(() => (exited = true));
    while (!exited && Date.now() < until && !(await emu.requests()).some((r) => r.method === method)) await sleep(25);
    await sleep(delayMs);
    run.kill();
    const answered = (await emu.requests()).map((r) => r.method);
    await run.done;
    return ['DELETE', 'GET', 'PUT'].map((m) => `${answered.filter((a) => a === m).length} ${m}`).join(', ');
  }

  test(`${POINTS} kill points over a create of 12 tokens (2 at a time, ${LATENCY_MS} ms per call)`, async () => {
    // The create of 12 at parallelism 2 is 6 creates in a row of 2 calls each (GET, then PUT): about
    // 12 calls' time plus the engine's own. Spread the points from the first PUT to past the last one.
    const span = 12 * LATENCY_MS + 2500;
    for (let i = 0; i < POINTS; i++) {
      await emu.reset();
      await addForeign();
      // (the points count from our first PUT, not the foreign token's)
      await emu.clearRequests();
      const declared = decl(names(`crash${i}`));
      const ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
      ws.declare(declared);
      await killAfter(startGroup(ws, ['deploy', ws.stack, '--auto-approve', '--terraform-parallelism', '2']), 'PUT', Math.round((span * i) / (POINTS - 1)));
      outcomes.create.push(await recover(ws, declared));
      ws.cleanup();
    }
    expect(outcomes.create.map((o) => [o.lost, o.foreign])).toEqual(outcomes.create.map(() => [0, 0]));
  });

  // OpenTofu writes its local state at the end of an apply (or every 20 s), not after each resource, so
  // the kill these two tests need cannot be placed by watching the state file; its crashes are the loop's.
  const terraformOnly = engine.name === 'terraform' ? test : test.skip;

  /**
   * Two tokens; the first one's PUT takes effect and its answer is held back, and the kill comes once
   * the state file holds the second one's password: the first `create` is in the state, its step not done.
   */
  async function killDuringOneCreate(names: [string, string]): Promise<{ ws: Workspace; declared: TokenDecl[] }> {
    await emu.reset();
    await addForeign();
    const declared = decl(names);
    const ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
    ws.declare(declared);
    const held = uuidv5(TOKEN_ID_NAMESPACE, `${ws.stack}|t0|${emu.registryId}|${names[0]}`);
    await emu.addFault({ method: 'PUT', path: `/tokens/${held}$`, status: 502, commit: true, latencyMs: 60_000, times: 1 });
    const run = startGroup(ws, ['deploy', ws.stack, '--auto-approve']);
    const until = Date.now() + 120_000;
    while (Date.now() < until && !(fs.existsSync(ws.stateFile) && /"t1_password_[0-9A-F]{8}"/.test(fs.readFileSync(ws.stateFile, 'utf8')))) await sleep(50);
    expect(fs.readFileSync(ws.stateFile, 'utf8')).toMatch(/"t0_create_[0-9A-F]{8}"/);
    expect((await emu.listTokens(emu.registryId)).map((t) => t.id)).toContain(held);
    run.kill();
    await run.done;
    await emu.clearFaults();
    return { ws, declared };
  }

  terraformOnly("killed while one create's step runs but after another token's state write: the next deploy names the one command, which converges", async () => {
    // Terraform records `create` in its state before the create's step runs, and writes the whole
    // state after any other resource: a kill then leaves a create that looks done, and no password.
    const { ws, declared } = await killDuringOneCreate(['held-create', 'quick-create']);
    // The one command named by the line repaired it.
    expect(await recover(ws, declared)).toEqual({ code: 1, repaired: 1, lost: 0, foreign: 0 });
    ws.cleanup();
  });

  terraformOnly('the same kill on a runner that then loses its disk (only the state is left): one line, one command, and it converges', async () => {
    const { ws, declared } = await killDuringOneCreate(['held-fresh', 'quick-fresh']);
    fs.rmSync(path.join(ws.dir, 'cdktf.out'), { recursive: true, force: true }); // the journal goes with it
    // Terraform kept the create in its state: the password resource's replacement deletes the token
    // (the state records it as ours), the create makes it anew. No take-over needed.
    expect(await recover(ws, declared)).toEqual({ code: 1, repaired: 1, lost: 0, foreign: 0 });
    ws.cleanup();
  });

  test('kill points over a rename of 4 of 12 tokens', async () => {
    for (const delay of [0, 300, 700, 1200, 2000]) {
      await emu.reset();
      await addForeign();
      const declared = decl(names(`ren${delay}`));
      const ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
      ws.declare(declared);
      expect((await ws.deploy()).code).toBe(0);
      await emu.clearRequests();
      const renamed = declared.map((t, i) => (i % 3 === 0 ? { ...t, name: `${t.name}-new` } : t));
      ws.declare(renamed);
      await killAfter(startGroup(ws, ['deploy', ws.stack, '--auto-approve', '--terraform-parallelism', '2']), 'DELETE', delay);
      outcomes.rename.push(await recover(ws, renamed));
      ws.cleanup();
    }
    expect(outcomes.rename.map((o) => [o.lost, o.foreign])).toEqual(outcomes.rename.map(() => [0, 0]));
  });

  test("a kill that cuts the engine's own state file: its backup put back, the next deploy converges", async () => {
    await emu.reset();
    await addForeign();
    const declared = decl(names('cut'));
    const ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
    ws.declare(declared.slice(0, 6));
    expect((await ws.deploy()).code).toBe(0);
    ws.declare(declared);
    await emu.clearRequests();
    await killAfter(startGroup(ws, ['deploy', ws.stack, '--auto-approve', '--terraform-parallelism', '2']), 'PUT', 1200);
    // What a kill in the middle of the local backend's rewrite leaves: the file cut short.
    const text = fs.readFileSync(ws.stateFile, 'utf8');
    fs.writeFileSync(ws.stateFile, text.slice(0, Math.floor(text.length / 2)));
    expect(await recover(ws, declared)).toMatchObject({ stateCut: 1, lost: 0, foreign: 0 });
    ws.cleanup();
  });

  test('kill points over a scheduled rotation of 12 tokens: the next deploy in the period finishes it', async () => {
    // Each token rotates as DELETE, then GET and PUT; the engine sends the 12 DELETEs first (about
    // 2 s at 2 at a time), then the creates (about 5 s). The points fall during the DELETEs (0, 1000),
    // between the last DELETE and the first PUT (2100), during the first PUTs (2500), between rounds
    // of creates, and after the last PUT (8000).
    const every = 30;
    const first = rotationPeriod(every, new Date()) + 1;
    const at = (period: number) => new Date(periodStart(every, period).getTime() + 3600_000).toISOString();
    for (const delay of [0, 1000, 2100, 2500, 3000, 4500, 6000, 8000]) {
      await emu.reset();
      await addForeign();
      const declared = decl(names(`rot${delay}`)).map((t) => ({ ...t, rotateEveryDays: every }));
      const env: Record<string, string> = { ...creds, IONOS_API_URL: emu.apiUrl, [SYNTH_NOW_ENV]: at(first) };
      const ws = new Workspace(engine, env);
      ws.declare(declared);
      expect((await ws.deploy()).code).toBe(0);
      const old = declared.map((t) => String(ws.state().outputs[`${t.id}_password`]?.value ?? ''));
      await emu.clearRequests();
      // The next period: every token is due.
      env[SYNTH_NOW_ENV] = at(first + 1);
      const atKill = await killAfter(startGroup(ws, ['deploy', ws.stack, '--auto-approve', '--terraform-parallelism', '2']), 'DELETE', delay);
      const outcome = await recover(ws, declared);
      console.log(`crash-loop ${engineName} local rotation: killed ${delay} ms after the first DELETE's answer (answered then: ${atKill}); next deploy exit ${outcome.code}, repaired ${outcome.repaired}, lost ${outcome.lost}${outcome.stateCut ? ", after restoring the state file the kill cut" : ""}`);
      outcomes.rotation.push(outcome);
      // Rotated, each one: the password of the period before no longer logs in, and the state holds another.
      const outputs = ws.state().outputs;
      const stale: string[] = [];
      for (const [i, t] of declared.entries()) {
        if (String(outputs[`${t.id}_password`]?.value) === old[i] || (await emu.login(emu.registryId, t.name, old[i]))) stale.push(t.name);
      }
      expect(stale).toEqual([]);
      ws.cleanup();
    }
    expect(outcomes.rotation.map((o) => [o.lost, o.foreign])).toEqual(outcomes.rotation.map(() => [0, 0]));
  });

  test('kill points over a destroy of 12 tokens: the next destroy deletes exactly ours', async () => {
    for (const delay of [0, 400, 1000, 1800]) {
      await emu.reset();
      await addForeign();
      const declared = decl(names(`des${delay}`));
      const ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
      ws.declare(declared);
      expect((await ws.deploy()).code).toBe(0);
      await emu.clearRequests();
      await killAfter(startGroup(ws, ['destroy', ws.stack, '--auto-approve', '--terraform-parallelism', '2']), 'DELETE', delay);
      const stateBytes = fs.existsSync(ws.stateFile) ? fs.statSync(ws.stateFile).size : -1;
      const stateAfterKill = stateBytes < 0 ? 'absent' : `${stateBytes} bytes`;
      const again = await ws.destroy();
      expect(again.code).toBe(0);
      const live = await emu.listTokens(emu.registryId);
      if (live.length !== 1 && stateBytes === 0) {
        // The kill cut the engine's own state write (it truncates the file, then writes): the stack has
        // no record of these tokens, so no destroy can delete them. Said, not hidden; never ours to guess.
        console.log(`crash-loop ${engineName} destroy: killed ${delay} ms after the first DELETE, during the engine's own state write (the file is empty): ${live.length - 1} tokens stay live, unrecorded`);
        expect(live.map((t) => t.id)).toContain(FOREIGN_ID);
        ws.cleanup();
        continue;
      }
      if (live.length !== 1) {
        throw new Error(`killed ${delay} ms after the first DELETE; the next destroy exited ${again.code}, yet live: ${live.map((t) => t.properties.name).join(', ')}; the state file after the kill: ${stateAfterKill}; the destroy said:\n${again.all.slice(-2500)}`);
      }
      expect(live.map((t) => `${t.id} ${t.properties.name}`)).toEqual([`${FOREIGN_ID} someone-else`]);
      outcomes.destroy.push({ code: again.code, repaired: 0, lost: 0, foreign: await foreignTouched() });
      ws.cleanup();
    }
  });
});
