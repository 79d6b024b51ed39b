/**
 * The step worker and its shell side (run.sh), as the provisioners run them: `sh -c '<command>'`
 * against the real emulator, with the bundled handler from dist/.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { engineKey, textOf } from '../../lib/handler/processes';
import { shellQuoted, stepInterpreter } from '../../lib/provisioner';
import { assertBuilt, ROOT, startEmulator, type RunningEmulator } from '../helper/emulator';
import { waitFor } from '../helper/processes';

/** The emulator's default Basic credentials. */
const USER = 'emulator';
const SECRET = 'emulator';
const HANDLER_DIR = path.join(ROOT, 'dist', 'handler');
/** True when the process is gone (or a zombie nobody reaped yet, as under some container inits). */
function ended(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
/** The named pipes below `dir` (a tool reading the tree file by file would block on the first). */
function pipesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.isFIFO()) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
}
/** A provisioner, as the engine runs it: the construct's interpreter (lib/provisioner.ts) and a title, in place of this sh. */
const command = () => `exec ${[...stepInterpreter(HANDLER_DIR, process.execPath), 'registry-token: the create step of test'].map(shellQuoted).join(' ')}`;

describe('worker and run.sh', () => {
  let emu: RunningEmulator;
  let dir: string;
  /** The TMPDIR of the provisioners: the worker's private folder is made in it. */
  let tmp: string;
  beforeAll(async () => {
    assertBuilt();
    emu = await startEmulator();
  });
  afterAll(() => emu.stop());
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-worker-'));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-worker-tmp-'));
    await emu.reset();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  let n = 0;
  /** A create step, and the engine's environment (credentials only) with it in IONOS_RT_STEP. */
  function createStep(name: string, extra: NodeJS.ProcessEnv = {}) {
    n++;
    const tokenId = `0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e${String(n).padStart(3, '0')}`;
    const spec = { name, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], status: 'enabled', expiryDate: null };
    const step = JSON.stringify({ op: 'create', path: `stack/${name}`, registryId: emu.registryId, tokenId, apiUrl: '', spec, createId: `create-${n}` });
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, TMPDIR: tmp, IONOS_API_URL: emu.apiUrl, IONOS_USERNAME: USER, IONOS_PASSWORD: SECRET, IONOS_RT_STEP: step, ...extra };
    return { step, env, tokenId, createId: `create-${n}` };
  }

  /** Runs `sh -c <command>` in `dir`, as local-exec does; the sh's parent (this process) plays the engine. */
  function run(env: NodeJS.ProcessEnv, cmd = command()): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', cmd], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }
  /** This user's private folder for the workers (run.sh), and this "engine"'s worker folder in it. */
  const runDir = () => path.join(tmp, `ionos-registry-token-${process.geteuid!()}`);
  const workerDir = () => path.join(runDir(), `worker-${process.pid}`);
  const workerPid = () => Number(fs.readFileSync(path.join(workerDir(), 'pid'), 'utf8'));

  test('steps go to one worker, which relays output and exit codes and leaves when idle', async () => {
    const results = await Promise.all(['w-one', 'w-two', 'w-three'].map((name) => run(createStep(name).env)));
    for (const [i, r] of results.entries()) {
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain(`create w-${['one', 'two', 'three'][i]}`);
    }
    const pid = workerPid();
    // one process served all three: the request files are gone (the answers too, once read), the result files are there
    await waitFor('the answers to be cleared', async () => fs.readdirSync(workerDir()).filter((f) => f !== 'pid').length === 0 || undefined, 5_000, 20);
    expect(fs.readdirSync(path.join(dir, '.registry-token')).filter((f) => f.endsWith('.result.json'))).toHaveLength(3);
    expect((await emu.listTokens()).map((t) => t.properties.name).sort()).toEqual(['w-one', 'w-three', 'w-two']);

    // a failing step: its one-line error on stderr, its exit code
    const taken = await run(createStep('w-one').env);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^registry-token: create of stack\/w-one .*HTTP 409.*\n$/);
    expect(workerPid()).toBe(pid);

    // its pipes and requests were never in the working directory, and its folder is private
    expect(pipesIn(dir)).toEqual([]);
    expect(fs.readdirSync(path.join(dir, '.registry-token')).filter((f) => !/\.(journal|result)\.json$|\.fresh$/.test(f))).toEqual([]);
    expect(fs.statSync(runDir()).mode & 0o777).toBe(0o700);
    expect(pipesIn(runDir()).length).toBeGreaterThan(0);

    // idle: it exits and removes its folders
    await waitFor('the worker to leave', async () => !fs.existsSync(workerDir()) || undefined, 10_000);
    await waitFor('the worker process to end', async () => ended(pid) || undefined, 5_000);
    expect(fs.readdirSync(runDir())).toEqual([]);
  }, 30_000);

  test('no request carries a credential', async () => {
    // Hold the worker back (a fault with latency) so that the request can be read while it waits.
    await emu.addFault({ method: 'PUT', latencyMs: 1500, times: 1 });
    const { step, env } = createStep('w-secret');
    const running = run(env);
    const claimed = await waitFor(
      'a claimed request',
      async () => (fs.existsSync(workerDir()) ? fs.readdirSync(workerDir()).find((f) => f.endsWith('.claimed')) : undefined),
      10_000,
      10,
    );
    // the step as the command gave it, untouched, and nothing else
    expect(claimed).toMatch(/^\d+\.create\.claimed$/);
    const text = fs.readFileSync(path.join(workerDir(), claimed), 'utf8');
    expect(text).toBe(`${step}\n`);
    expect(text).not.toContain(SECRET);
    expect(fs.statSync(path.join(workerDir(), claimed)).mode & 0o777).toBe(0o600);
    expect((await running).code).toBe(0);
  }, 30_000);

  test('with IONOS_REGISTRY_TOKEN_DEBUG the worker keeps a log of its own, without secrets', async () => {
    const r = await run(createStep('w-debug', { IONOS_REGISTRY_TOKEN_DEBUG: '1' }).env);
    expect(r.code).toBe(0);
    const log = path.join(dir, '.registry-token', `worker-${process.pid}.log`);
    // its last line is written after it removed its folder
    const text = await waitFor('the worker to log its leaving', async () => {
      const t = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      return t.includes('leaving') ? t : undefined;
    }, 10_000);
    expect(text).toMatch(/registry-token worker \d+: serving .*worker-\d+ for engine \d+\n/);
    expect(text).toMatch(/served 1 step\(s\); leaving \(idle\)\n$/);
    const result = JSON.parse(
      fs.readFileSync(path.join(dir, '.registry-token', fs.readdirSync(path.join(dir, '.registry-token')).find((f) => f.endsWith('.result.json'))!), 'utf8'),
    );
    expect(text).not.toContain(result.password);
    expect(text).not.toContain(`${USER}:${SECRET}`);
  }, 20_000);

  test('IONOS_REGISTRY_TOKEN_WORKER=off runs the step directly, with no worker', async () => {
    const r = await run(createStep('w-direct', { IONOS_REGISTRY_TOKEN_WORKER: 'off' }).env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('registry-token: create w-direct\n');
    expect(fs.existsSync(workerDir())).toBe(false);
  });

  test('a step split across variables (a long specs step) reaches the worker and the direct road whole', async () => {
    for (const [name, extra] of [['w-parts-worker', {}], ['w-parts-direct', { IONOS_REGISTRY_TOKEN_WORKER: 'off' }]] as const) {
      const { step, env } = createStep(name, extra);
      const cut = Math.floor(step.length / 2);
      const r = await run({ ...env, IONOS_RT_STEP: step.slice(0, cut), IONOS_RT_STEP_1: step.slice(cut) }, command());
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain(`create ${name}`);
    }
  });

  test('without mkfifo the provisioner polls for the answer instead, with the same result', async () => {
    // GIVEN a PATH whose mkfifo always fails (a system without it)
    const bin = path.join(dir, 'no-mkfifo-bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'mkfifo'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const { env } = createStep('w-nofifo', { PATH: `${bin}:${process.env.PATH}` });
    // WHEN a step runs
    const r = await run(env);
    // THEN the worker answered it (no pipe was made) and the token exists once
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('registry-token: create w-nofifo\n');
    expect(fs.existsSync(path.join(workerDir(), 'pid'))).toBe(true);
    expect((await emu.requests()).filter((q) => q.method === 'PUT')).toHaveLength(1);
  });

  test('a worker that died without answering: the step runs directly, once', async () => {
    // A worker folder whose worker is gone (a pid that is no process).
    fs.mkdirSync(workerDir(), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(workerDir(), 'pid'), '2147483646');
    const started = Date.now();
    const r = await run(createStep('w-orphan').env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('registry-token: create w-orphan\n');
    expect(Date.now() - started).toBeLessThan(10_000);
    // its request was taken back (nothing left but the dead worker's pid); the API saw one create
    expect(fs.readdirSync(workerDir()).filter((f) => f !== 'pid')).toEqual([]);
    expect((await emu.requests()).filter((q) => q.method === 'PUT')).toHaveLength(1);
  }, 20_000);

  const slotsDir = () => `${workerDir()}.slots`;
  /** Runs a first step, which starts the worker, and waits until the worker holds its pipes. */
  async function workerWithPipes(): Promise<void> {
    expect((await run(createStep('w-first').env)).code).toBe(0);
    await waitFor('the worker\'s pipes', async () => (fs.existsSync(slotsDir()) && fs.readdirSync(slotsDir()).some((f) => f.endsWith('.slot'))) || undefined, 10_000, 10);
  }

  test('once the worker is up, a step waits on one of its pipes (no mkfifo), which is free again afterwards', async () => {
    await workerWithPipes();
    // GIVEN a PATH whose mkfifo always fails, and a create held back at the API
    const bin = path.join(dir, 'no-mkfifo-bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'mkfifo'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    await emu.addFault({ method: 'PUT', latencyMs: 1500, times: 1 });
    const running = run(createStep('w-slot', { PATH: `${bin}:${process.env.PATH}` }).env);
    // WHEN it waits: it holds one of the worker's pipes (a lock), and no pipe of its own
    const locks = await waitFor('a pipe taken', async () => {
      const l = fs.readdirSync(slotsDir()).filter((f) => f.endsWith('.lock'));
      return l.length ? l : undefined;
    }, 10_000, 10);
    expect(locks).toHaveLength(1);
    expect(fs.readdirSync(workerDir()).filter((f) => f.endsWith('.fifo'))).toEqual([]);
    // THEN the answer comes through it, and the pipe is freed once the shell is gone
    const r = await running;
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('registry-token: create w-slot\n');
    await waitFor('the pipe freed', async () => fs.readdirSync(slotsDir()).every((f) => !f.endsWith('.lock')) || undefined, 5_000, 20);
    await waitFor('the answers to be cleared', async () => fs.readdirSync(workerDir()).filter((f) => f !== 'pid').length === 0 || undefined, 5_000, 20);
    // and when the worker leaves, its pipes go with it
    await waitFor('the worker to leave', async () => (!fs.existsSync(workerDir()) && !fs.existsSync(slotsDir())) || undefined, 10_000);
  }, 30_000);

  test('a worker killed while a step waits on one of its pipes: the step runs again directly and converges', async () => {
    await workerWithPipes();
    await emu.addFault({ method: 'PUT', status: 502, commit: true, latencyMs: 20_000, times: 1 });
    // the recovery is said only with the debug switch
    const { env, tokenId, createId } = createStep('w-slot-killed', { IONOS_REGISTRY_TOKEN_DEBUG: '1' });
    const running = run(env);
    await waitFor('the create to take effect', async () => ((await emu.listTokens()).length === 2 ? true : undefined), 10_000, 20);
    expect(fs.readdirSync(slotsDir()).filter((f) => f.endsWith('.lock'))).toHaveLength(1);
    process.kill(workerPid(), 'SIGKILL');
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/left by an interrupted create; deleting it and creating it again/);
    expect((await emu.listTokens()).filter((t) => t.properties.name === 'w-slot-killed')).toHaveLength(1);
    const result = JSON.parse(fs.readFileSync(path.join(dir, '.registry-token', `${tokenId}.${createId}.result.json`), 'utf8'));
    expect(await emu.login(emu.registryId, 'w-slot-killed', result.password)).toBe(true);
  }, 40_000);

  test('a worker killed mid-step: the step runs again directly and converges, no duplicate, password kept', async () => {
    // The PUT takes effect, then its answer is held back; the worker is killed meanwhile.
    await emu.addFault({ method: 'PUT', status: 502, commit: true, latencyMs: 20_000, times: 1 });
    // the recovery is said only with the debug switch
    const { env, tokenId, createId } = createStep('w-killed', { IONOS_REGISTRY_TOKEN_DEBUG: '1' });
    const running = run(env);
    await waitFor('the create to take effect', async () => ((await emu.listTokens()).length === 1 ? true : undefined), 10_000, 20);
    process.kill(workerPid(), 'SIGKILL');
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/left by an interrupted create; deleting it and creating it again/);
    const live = await emu.listTokens();
    expect(live).toHaveLength(1);
    const result = JSON.parse(fs.readFileSync(path.join(dir, '.registry-token', `${tokenId}.${createId}.result.json`), 'utf8'));
    expect(await emu.login(emu.registryId, 'w-killed', result.password)).toBe(true);
  }, 40_000);
  /** The `captured` step of a create step's token, as the `password` resource gives it. */
  const capturedOf = (c: ReturnType<typeof createStep>): NodeJS.ProcessEnv => ({ ...c.env, IONOS_RT_STEP: JSON.stringify({ op: 'captured', tokenId: c.tokenId, createId: c.createId }) });
  const work = () => path.join(dir, '.registry-token');
  const filesOf = (c: ReturnType<typeof createStep>) => ({
    result: path.join(work(), `${c.tokenId}.${c.createId}.result.json`),
    note: path.join(work(), `${c.tokenId}.${c.createId}.captured`),
  });

  /**
   * Runs steps one after the other from a stand-in engine: a shell (the provisioners' parent) that
   * lives on until exit(), so that its worker sees the engine gone only then.
   */
  function engine(steps: NodeJS.ProcessEnv[]): { pid: number; ran: Promise<string>; exit(): Promise<void> } {
    const script = `${steps.map((_, i) => `IONOS_RT_STEP="$STEP_${i}" /bin/sh -c "$RT_COMMAND"; echo "exit $?"`).join('\n')}\necho ran\nexec cat >/dev/null`;
    const env = { ...steps[0], RT_COMMAND: command(), ...Object.fromEntries(steps.map((e, i) => [`STEP_${i}`, e.IONOS_RT_STEP])) };
    const child = spawn('/bin/sh', ['-c', script], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const closed = new Promise<void>((r) => child.on('close', () => r()));
    const ran = new Promise<string>((resolve) => {
      const take = (d: Buffer) => {
        out += d;
        if (out.endsWith('ran\n')) resolve(out);
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
    });
    return {
      pid: child.pid!,
      ran,
      exit: async () => {
        child.stdin.end();
        await closed;
      },
    };
  }
  const logOf = (enginePid: number) => path.join(work(), `worker-${enginePid}.log`);
  const workerPidIn = (log: string) => Number(/registry-token worker (\d+): serving/.exec(textOf(log) ?? '')?.[1]);

  test('a captured password: its result file stays while the engine runs (the worker stays, SIGTERM or not) and goes once the engine has exited', async () => {
    const c = createStep('w-captured', { IONOS_REGISTRY_TOKEN_DEBUG: '1' });
    const e = engine([c.env, capturedOf(c)]);
    expect(await e.ran).toMatch(/create w-captured\n[^]*exit 0\nexit 0\nran\n$/);
    const { result, note } = filesOf(c);
    // the note names this engine run, and holds no secret
    expect(fs.readFileSync(note, 'utf8')).toBe(`${engineKey(e.pid)}\n`);
    expect(fs.statSync(note).mode & 0o777).toBe(0o600);
    // idle: it serves no more, but sees the run out
    const log = logOf(e.pid);
    await waitFor('the worker to go idle', async () => textOf(log)?.includes('staying until the engine exits') || undefined, 15_000);
    expect(fs.existsSync(workerDir())).toBe(false);
    const pid = workerPidIn(log);
    process.kill(pid, 'SIGTERM');
    await waitFor('the SIGTERM to be seen', async () => textOf(log)?.includes('SIGTERM ignored') || undefined, 10_000);
    expect([ended(pid), fs.existsSync(result)]).toEqual([false, true]);
    // the engine exits: no state file here (as with a remote backend), so the note of this run says it was written
    await e.exit();
    await waitFor('the worker to leave', async () => ended(pid) || undefined, 10_000);
    expect([fs.existsSync(result), fs.existsSync(note)]).toEqual([false, false]);
    expect(textOf(log)).toMatch(/leaving \(the engine is gone\): removed 1 result file\(s\), kept 0/);
    expect(fs.readdirSync(runDir())).toEqual([]);
  }, 40_000);

  test('a second signal may cut the engine short of its state: without a state file to prove it, the result files stay; the state file decides where there is one', async () => {
    for (const withState of [false, true]) {
      const a = createStep(`w-sig-a${withState ? '-state' : ''}`, { IONOS_REGISTRY_TOKEN_DEBUG: '1' });
      const b = createStep(`w-sig-b${withState ? '-state' : ''}`, { IONOS_REGISTRY_TOKEN_DEBUG: '1' });
      const e = engine([a.env, capturedOf(a), b.env, capturedOf(b)]);
      await e.ran;
      const log = logOf(e.pid);
      const pid = workerPidIn(log);
      // SIGINT, then SIGTERM, as a CI cancel sends them to the process group
      process.kill(pid, 'SIGINT');
      process.kill(pid, 'SIGTERM');
      await waitFor('both signals to be seen', async () => (textOf(log)?.match(/ignored/g)?.length === 2) || undefined, 10_000);
      if (withState) {
        // the local state file (the default backend) holds a's password, not b's: the engine wrote a's capture, not b's
        const password = JSON.parse(fs.readFileSync(filesOf(a).result, 'utf8')).password;
        const state = { version: 4, resources: [{ type: 'terraform_data', instances: [{ attributes: { triggers_replace: { value: password, type: 'string' } } }] }], outputs: {} };
        fs.writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify(state));
      }
      await e.exit();
      await waitFor('the worker to leave', async () => ended(pid) || undefined, 10_000);
      expect([fs.existsSync(filesOf(a).result), fs.existsSync(filesOf(b).result)]).toEqual([!withState, true]);
      fs.rmSync(work(), { recursive: true, force: true });
      fs.rmSync(path.join(dir, 'terraform.tfstate'), { force: true });
    }
  }, 60_000);

  test('a captured step run without a worker (IONOS_REGISTRY_TOKEN_WORKER=off) starts one, which serves nothing and removes the file once the engine exits', async () => {
    const c = createStep('w-off', { IONOS_REGISTRY_TOKEN_WORKER: 'off' });
    const e = engine([c.env, capturedOf(c)]);
    await e.ran;
    const folder = path.join(runDir(), `worker-${e.pid}`);
    const pid = await waitFor('a worker', async () => Number(textOf(path.join(folder, 'pid'))) || undefined, 10_000, 20);
    expect(fs.existsSync(filesOf(c).result)).toBe(true);
    await e.exit();
    await waitFor('the worker to leave', async () => ended(pid) || undefined, 10_000);
    expect(fs.existsSync(filesOf(c).result)).toBe(false);
  }, 30_000);

  test.each(['on', 'off'])('an engine killed while its create waits on an answer: the step (worker %s) sends nothing more, so the next deploy meets no stale writer', async (worker) => {
    // GIVEN a PUT that takes effect, then answers 504 late: a step left running would read the token
    // again, find it "left by an interrupted create", and DELETE and PUT it (another deploy's token by then)
    await emu.addFault({ method: 'PUT', path: '/tokens/', status: 504, commit: true, latencyMs: 2500, times: 1 });
    const c = createStep(`w-orphan-${worker}`, { IONOS_REGISTRY_TOKEN_WORKER: worker });
    const e = engine([c.env]);
    await waitFor('the create to read the token', async () => (await emu.requests()).some((r) => r.method === 'GET') || undefined, 10_000, 20);
    await new Promise((r) => setTimeout(r, 300));
    // WHEN the engine is killed mid-PUT
    process.kill(e.pid, 'SIGKILL');
    await e.exit();
    // THEN past the held answer, the API has seen the GET and at most that one PUT: no read-again, no DELETE
    await new Promise((r) => setTimeout(r, 5_000));
    const methods = (await emu.requests()).map((r) => r.method).join(' ');
    expect(['GET', 'GET PUT']).toContain(methods);
    expect(fs.existsSync(filesOf(c).result)).toBe(false);
  }, 30_000);

  test('a new worker removes what earlier runs left: result files whose password the state file holds (only those), and the pipes 0.5 kept in the working directory', async () => {
    fs.mkdirSync(work(), { mode: 0o700 });
    const inState = path.join(work(), '0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e901.c1.result.json');
    const notInState = path.join(work(), '0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e902.c2.result.json');
    fs.writeFileSync(inState, JSON.stringify({ password: 'persisted-password-0123456789' }), { mode: 0o600 });
    fs.writeFileSync(notInState, JSON.stringify({ password: 'uncaptured-password-0123456789' }), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify({ version: 4, resources: [{ instances: [{ attributes: { triggers_replace: { value: 'persisted-password-0123456789', type: 'string' } } }] }] }));
    // what a killed worker of 0.5 left: its folder and its pipes, beside the result files
    const legacy = path.join(work(), 'worker-2147483646');
    fs.mkdirSync(legacy);
    fs.writeFileSync(path.join(legacy, 'pid'), '2147483646');
    fs.mkdirSync(`${legacy}.slots`);
    execFileSync('mkfifo', [path.join(`${legacy}.slots`, '0.slot')]);
    expect(pipesIn(dir)).toHaveLength(1);
    expect((await run(createStep('w-sweep').env)).code).toBe(0);
    await waitFor('the sweep', async () => (!fs.existsSync(inState) && !fs.existsSync(`${legacy}.slots`)) || undefined, 10_000, 20);
    expect([fs.existsSync(notInState), fs.existsSync(legacy), pipesIn(dir)]).toEqual([true, false, []]);
  });

  test('a private folder that is a link, or open to others, is not used: the steps run directly', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-elsewhere-'));
    try {
      fs.symlinkSync(elsewhere, runDir());
      const linked = await run(createStep('w-link').env);
      expect(linked).toMatchObject({ code: 0, stderr: '' });
      expect(fs.readdirSync(elsewhere)).toEqual([]);
      fs.rmSync(runDir());
      fs.mkdirSync(runDir(), { mode: 0o755 });
      fs.chmodSync(runDir(), 0o755);
      const open = await run(createStep('w-open').env);
      expect(open).toMatchObject({ code: 0, stderr: '' });
      expect(open.stdout).toContain('registry-token: create w-open\n');
      await waitFor('the refused worker folder to go', async () => fs.readdirSync(runDir()).filter((f) => !f.endsWith('.slots')).length === 0 || undefined, 10_000, 20);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 30_000);

  test('TF_LOG at DEBUG or finer: one line per engine run says the engine log holds the passwords; INFO says nothing', async () => {
    const traced = await Promise.all([run(createStep('w-trace-1', { TF_LOG: 'trace' }).env), run(createStep('w-trace-2', { TF_LOG: 'trace' }).env)]);
    const lines = traced.flatMap((r) => r.stderr.split('\n')).filter((l) => l.includes('TF_LOG'));
    expect(lines).toEqual(['registry-token: warning: TF_LOG=trace makes the engine log the token passwords it reads from the state; do not share this log (for logs without them: TF_LOG_PROVIDER for providers, IONOS_REGISTRY_TOKEN_DEBUG=1 for this library)']);
    fs.rmSync(`${workerDir()}.tf-log`);
    const quiet = await run(createStep('w-info', { TF_LOG: 'INFO', TF_LOG_CORE: 'TRACE' }).env);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
  }, 30_000);
});
