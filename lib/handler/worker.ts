/**
 * The step worker: one Node process per engine run that executes the steps the provisioners hand
 * it, so that a deploy of 100 tokens starts Node once instead of 100 times (a Node start costs
 * ~0.1 s of CPU; the shell that hands a step over costs a few milliseconds). It is only a faster
 * road to the same steps: a provisioner that cannot reach it runs the step itself (run.sh), and
 * every step is safe to run again, so a worker that dies mid-step loses nothing.
 *
 * It also sees its engine run out: while a result file whose password this run captured waits for
 * the engine to write its state, it stays (ignoring SIGINT and SIGTERM, which make the engine stop
 * and write its state), and once the engine is gone it removes those files (captured.ts).
 *
 * Protocol, in `<run dir>/worker-<engine pid>/`, where the run dir is this user's private folder
 * outside any working tree (RUN_DIR_PREFIX in consts.ts; made and checked by run.sh, mode 0700), so
 * that nothing reading the working tree file by file ever meets a pipe:
 *   pid             the worker's pid, written once it listens
 *   <id>.req        the step, as the provisioner's command gave it (its JSON, untouched: step.ts). Never
 *                   a credential: those come from the worker's environment, which is the engine's, as
 *                   for every provisioner. <id> is `<the provisioner shell's pid>.<operation>`
 *   <id>.ready      written by the provisioner once `<id>.req` is complete
 *   <id>.claimed    `<id>.req` renamed by the worker when it takes the request
 *   <id>.out/.err   the step's stdout and stderr lines
 *   <id>.done       the exit code, written last (atomically); the provisioner prints .out and .err
 *                   and exits with it; the worker removes the three once that shell is gone
 *   <id>.slot       the number of the worker's pipe the provisioner waits on (below), when it took one
 * and, in `<run dir>/worker-<engine pid>.slots/`, the worker's own named pipes, `<n>.slot`: made at
 * its start (one `mkfifo` for all) and held open by it for its whole life. A provisioner takes a free
 * one (`<n>.lock`, made with the shell's noclobber: atomic), opens its read end and waits on it: one
 * line after the answer wakes it, and the worker's exit (or death) closes the last writer, which ends
 * the read. So a step handed over starts no process (no `mkfifo`, no `sleep`); without a free pipe (the
 * first steps of a run, before the worker is up) the provisioner makes a pipe of its own (`<id>.fifo`).
 * The worker frees a pipe (drains it, removes its lock) once the shell that held it is gone.
 * After IDLE_MS without work it stops serving and removes both folders (a later step starts a new
 * worker); it exits then, or, while result files of its run wait, once the engine is gone.
 * `<run dir>/worker-<engine pid>.tf-log` is run.sh's once-per-run mark for its TF_LOG line.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { legacyWorkerDirs } from '../legacy-layouts';
import { writeFileAtomic } from '../write-file-atomic';
import { pendingNotes, sweepResultFiles } from './captured';
import { DEFAULT_WORK_DIR } from './consts';
import { PREFIX, workerCannotRead, workerFailed, workerWithoutFolder } from './errors';
import type { StepRuntime } from './lifecycle';
import { alive, EngineGone, engineKey, localStatePath, namesIn, parentOf, running, StateProof, textOf } from './processes';

export const WORKER_TIMING = {
  /** How often the folder is scanned for requests when no change woke the worker sooner. */
  pollMs: 10,
  /**
   * The same while the platform watches the folder: a request is then served as soon as its `.ready`
   * appears, and the scan only clears answers up (and catches a change the watcher missed).
   */
  watchedPollMs: 40,
  /** Exit after this long without a request. */
  idleMs: 2000,
  /** How often the engine's pid is checked (the result files go this long after it exits, at most). */
  engineCheckMs: 100,
};

export type StepRunner = (text: string, rt: StepRuntime) => Promise<number>;

/** The worker's files need not survive a crash: a provisioner whose answer is lost runs its step itself. */
const writeAtomic = (file: string, data: string): Promise<void> => writeFileAtomic(file, data, { mode: 0o600 });

/** The pipes a worker holds open for the provisioners to wait on (see the top of this file). */
const SLOTS = 24;
export const slotsDirOf = (dir: string): string => `${dir}.slots`;


/**
 * Removes what workers left in `dir` whose engine and worker are both gone (a crash, a reboot): their
 * folders, pipes and TF_LOG marks. Also run where older versions kept them (lib/legacy-layouts.ts).
 */
export function removeStaleWorkerDirs(dir: string, except: string): void {
  for (const name of namesIn(dir)) {
    const own = /^worker-(\d+)\.(slots|tf-log)$/.exec(name);
    if (own) {
      // a worker's pipes outlive it only when it was killed: gone with its folder, or with its engine
      const p = path.join(dir, name);
      const gone = !alive(Number(own[1])) || (own[2] === 'slots' && !fs.existsSync(path.join(dir, `worker-${own[1]}`)));
      if (p !== slotsDirOf(except) && gone) fs.rmSync(p, { recursive: true, force: true });
      continue;
    }
    const m = /^worker-(\d+)$/.exec(name);
    const p = path.join(dir, name);
    if (!m || p === except || alive(Number(m[1]))) continue;
    if (!alive(Number(textOf(path.join(p, 'pid'))))) fs.rmSync(p, { recursive: true, force: true });
  }
}

/** True when `dir` is a folder of this user's that no one else may enter or replace: owned, 0700, not a link. */
export function isPrivateDir(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && (typeof process.geteuid !== 'function' || st.uid === process.geteuid()) && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/**
 * Makes sure a worker of this engine run lives, started here when none does: a `captured` step run
 * without one (IONOS_REGISTRY_TOKEN_WORKER=off, or it was gone) still needs one to outlive the engine
 * and remove the result file. `dir` is the run's worker folder, as run.sh names it.
 */
export function ensureWorker(dir: string, enginePid: number, env: NodeJS.ProcessEnv): void {
  if (!isPrivateDir(path.dirname(dir)) || alive(Number(textOf(path.join(dir, 'pid'))))) return;
  try {
    if (fs.existsSync(dir)) {
      if (!fs.existsSync(path.join(dir, 'pid'))) return; // one is starting
      fs.rmSync(dir, { recursive: true, force: true }); // its worker is gone
    }
    fs.mkdirSync(dir, { mode: 0o700 });
    const child = spawn(process.execPath, [process.argv[1], 'worker', dir, String(enginePid)], { stdio: 'ignore', env });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // another step started one meanwhile; else the next deploy removes the file (captured.ts)
  }
}

/** One of the worker's pipes: its read-write descriptor, and the request that holds it. */
interface Slot {
  readonly fd: number;
  owner?: string;
}

/**
 * The worker's pipes: made with one `mkfifo` in the background (Node cannot make a named pipe), each
 * opened read-write (so it never blocks, and the worker is a writer for as long as it lives), then
 * named `<n>.slot`, which is when provisioners may take it. Nothing breaks without them.
 */
function openSlots(slotsDir: string, slots: Map<number, Slot>, note: (line: string) => void): { close: () => void } {
  let closed = false;
  try {
    fs.rmSync(slotsDir, { recursive: true, force: true }); // a killed worker's, for this same engine
    fs.mkdirSync(slotsDir, { mode: 0o700 });
  } catch {
    return { close: () => undefined };
  }
  const names = Array.from({ length: SLOTS }, (_, i) => `${i}.new`);
  try {
    const child = spawn('mkfifo', ['-m', '600', ...names], { cwd: slotsDir, stdio: 'ignore' });
    child.on('error', () => note('no mkfifo: the provisioners make their own pipes'));
    child.on('close', (code) => {
      if (closed || code !== 0) return;
      for (let i = 0; i < SLOTS; i++) {
        try {
          const fd = fs.openSync(path.join(slotsDir, `${i}.new`), fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
          slots.set(i, { fd });
          fs.renameSync(path.join(slotsDir, `${i}.new`), path.join(slotsDir, `${i}.slot`));
        } catch {
          // that one stays unused
        }
      }
    });
  } catch {
    // no pipes of its own
  }
  return {
    close: () => {
      closed = true;
      // First: a provisioner waiting on one of them sees the worker gone (the read ends) and runs its step itself.
      for (const slot of slots.values()) fs.closeSync(slot.fd);
      slots.clear();
      fs.rmSync(slotsDir, { recursive: true, force: true });
    },
  };
}

/** Frees a pipe whose provisioner is gone: empties it (an answer nobody read), then removes its lock. */
function releaseSlot(slotsDir: string, n: number, slot: Slot): void {
  const buf = Buffer.alloc(256);
  try {
    while (fs.readSync(slot.fd, buf, 0, buf.length, null) > 0);
  } catch {
    // EAGAIN: empty
  }
  slot.owner = undefined;
  fs.rmSync(path.join(slotsDir, `${n}.lock`), { force: true });
}

/**
 * Serves the requests in `dir` until idle or until the engine (`enginePid`) is gone, then sees the
 * engine run out while result files it captured wait (see the top of this file). Each request runs
 * as soon as it is seen, concurrently with the others (the engine's -parallelism bounds them).
 */
export async function runWorker(dir: string, enginePid: number, env: NodeJS.ProcessEnv, runStep: StepRunner): Promise<number> {
  if (!dir || !fs.existsSync(dir)) {
    process.stderr.write(`${workerWithoutFolder(dir ?? '')}\n`);
    return 2;
  }
  const runDir = path.dirname(path.resolve(dir));
  if (!isPrivateDir(runDir)) {
    // Another user could read the requests or put pipes of theirs there: the provisioners run their steps themselves.
    process.stderr.write(`${PREFIX} worker: ${runDir} is not a private folder of this user (owned, mode 0700, not a link); steps run without the worker\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    return 2;
  }
  // The working directory's (relative: the worker runs where the engine does, as every step).
  const workDir = DEFAULT_WORK_DIR;
  const engine = engineKey(enginePid);
  removeStaleWorkerDirs(runDir, path.resolve(dir));
  await writeAtomic(path.join(dir, 'pid'), String(process.pid));
  // stderr is a log file with IONOS_REGISTRY_TOKEN_DEBUG (see run.sh), else nowhere.
  const note = (line: string) => process.stderr.write(`${new Date().toISOString()} registry-token worker ${process.pid}: ${line}\n`);
  note(`serving ${dir} for engine ${enginePid}`);
  // SIGINT and SIGTERM (a CI cancel sends both to the process group) make the engine stop and write
  // its state: the worker sees that out. A second one may cut the engine short of its final write.
  // SIGHUP: cdktf runs the engine on a terminal of its own, whose end hangs up the worker: when the
  // engine exits (cdktf, its parent, lives on), or when cdktf is gone (and the engine dies unwritten).
  const parent = parentOf(enginePid);
  let signals = 0;
  let hungUp: { parentRan: boolean } | undefined;
  let wake: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP') hungUp ??= { parentRan: parent !== undefined && running(parent) };
    else signals++;
    note(`${signal} ignored: waiting for the engine to exit`);
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const slotsDir = slotsDirOf(dir);
  const slots = new Map<number, Slot>();
  let serving = true;
  // After the first scan: the steps waiting for this worker to start come first.
  let pipes: { close: () => void } | undefined;
  setImmediate(() => {
    if (serving) pipes = openSlots(slotsDir, slots, note);
    // What earlier runs left: result files whose password the state file holds, and what older versions' workers left.
    const swept = sweepResultFiles(workDir, new StateProof(localStatePath(env)));
    if (swept.removed) note(`removed ${swept.removed} result file(s) of earlier runs whose password is in the state`);
    for (const old of legacyWorkerDirs(workDir)) removeStaleWorkerDirs(old, '');
  });
  let served = 0;
  let inFlight = 0;
  let lastWork = Date.now();
  let lastEngineCheck = 0;
  let engineAlive = true;
  // Once the engine is gone, the steps still running send nothing more (processes.ts engineGoneSignal).
  const engineRun = new AbortController();

  const serve = async (id: string): Promise<void> => {
    const base = path.join(dir, id);
    const claimed = `${base}.claimed`;
    // The pipe the provisioner waits on: one of the worker's own (`<id>.slot` names it), which the
    // worker holds open already; else the provisioner's own (run.sh), opened before the claim so that
    // it sees a writer once it sees the claim. A line in it after the answer wakes it. Read-write: the
    // open never blocks.
    let wake: number | undefined;
    let slot: Slot | undefined;
    try {
      slot = slots.get(Number(fs.readFileSync(`${base}.slot`, 'utf8')));
    } catch {
      // no pipe of the worker's
    }
    if (slot) {
      if (slot.owner !== undefined && slot.owner !== id) return; // not this request's (cannot be: its lock is the provisioner's)
      wake = slot.fd;
    } else {
      try {
        wake = fs.openSync(`${base}.fifo`, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
        fs.rmSync(`${base}.fifo`, { force: true }); // both sides hold it open; its name is no longer needed
      } catch {
        // no pipe (no mkfifo there): the provisioner polls for the answer
      }
    }
    const wakeUp = () => {
      if (wake === undefined) return;
      try {
        fs.writeSync(wake, '\n');
      } catch {
        // its shell is gone
      }
      if (!slot) fs.closeSync(wake);
      wake = undefined;
    };
    try {
      fs.renameSync(`${base}.req`, claimed); // the provisioner may have taken it back
    } catch {
      if (wake !== undefined && !slot) fs.closeSync(wake); // nobody waits on it: that shell runs the step itself
      return;
    }
    if (slot) {
      slot.owner = id;
      fs.rmSync(`${base}.slot`, { force: true });
    }
    fs.rmSync(`${base}.ready`, { force: true });
    inFlight++;
    const out: string[] = [];
    const err: string[] = [];
    let code = 1;
    try {
      let step: string | undefined;
      try {
        step = fs.readFileSync(claimed, 'utf8');
      } catch {
        err.push(workerCannotRead());
      }
      if (step !== undefined) code = await runStep(step, { env, workDir, enginePid, signal: engineRun.signal, output: { out: (l) => out.push(l), err: (l) => err.push(l) } });
    } catch (e) {
      err.push(workerFailed((e as Error).message));
      note(`request ${id} failed: ${(e as Error).stack ?? e}`);
    } finally {
      served++;
      try {
        if (out.length) fs.writeFileSync(`${base}.out`, `${out.join('\n')}\n`, { mode: 0o600 });
        if (err.length) fs.writeFileSync(`${base}.err`, `${err.join('\n')}\n`, { mode: 0o600 });
        fs.rmSync(claimed, { force: true });
        await writeAtomic(`${base}.done`, `${code}\n`);
      } catch {
        // the folder is gone: the provisioner sees the worker gone and runs the step itself
      }
      wakeUp();
      inFlight--;
      lastWork = Date.now();
    }
  };

  // A new request wakes the loop at once where the platform watches folders; the poll is the fallback.
  let watcher: fs.FSWatcher | undefined;
  try {
    // A new request is served as soon as its .ready appears (serve() is safe to call twice: the first
    // call takes the .req, so a second finds none and does nothing); the loop's scan (every
    // watchedPollMs) clears answers up and catches what the watcher missed.
    watcher = fs.watch(dir, (_event, name) => {
      if (typeof name === 'string' && name.endsWith('.ready')) {
        lastWork = Date.now();
        void serve(name.slice(0, -'.ready'.length));
      } else if (typeof name !== 'string') {
        wake?.();
      }
    });
    watcher.on('error', () => undefined);
  } catch {
    // polling only
  }
  // No more requests here: a provisioner that comes later starts a new worker. Its pipes first: one
  // waiting on them sees the worker gone and runs its step itself.
  const stopServing = () => {
    if (!serving) return;
    serving = false;
    watcher?.close();
    pipes?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  for (;;) {
    if (serving) {
      let names: string[] | undefined;
      try {
        names = fs.readdirSync(dir);
      } catch {
        stopServing(); // folder removed under us
      }
      for (const name of names ?? []) {
        if (name.endsWith('.ready')) {
          lastWork = Date.now();
          void serve(name.slice(0, -'.ready'.length));
        } else if (name.endsWith('.done') && !alive(Number(name.split('.')[0]))) {
          // its shell has read the answer and exited: clear it up, and free its pipe
          const id = name.slice(0, -'.done'.length);
          const base = path.join(dir, id);
          for (const suffix of ['.out', '.err', '.done']) fs.rmSync(`${base}${suffix}`, { force: true });
          for (const [n, slot] of slots) if (slot.owner === id) releaseSlot(slotsDir, n, slot);
        }
      }
    }
    const now = Date.now();
    if (now - lastEngineCheck >= WORKER_TIMING.engineCheckMs || hungUp) {
      lastEngineCheck = now;
      engineAlive = running(enginePid) && engineKey(enginePid) === engine;
      if (!engineAlive && !engineRun.signal.aborted) {
        if (inFlight > 0) note(`the engine is gone: stopping ${inFlight} step(s) before their next API call`);
        engineRun.abort(new EngineGone(enginePid));
      }
    }
    if (inFlight === 0 && !engineAlive) break;
    if (serving && inFlight === 0 && now - lastWork >= WORKER_TIMING.idleMs) {
      stopServing();
      // After the folder is gone: a `captured` step run meanwhile without a worker starts one (ensureWorker).
      if (!pendingNotes(workDir, engine)) {
        note(`served ${served} step(s); leaving (idle)`);
        return 0;
      }
      note(`served ${served} step(s); idle, staying until the engine exits to remove the result files it captured`);
    }
    await new Promise<void>((r) => {
      const timer = setTimeout(r, !serving ? WORKER_TIMING.engineCheckMs : watcher ? WORKER_TIMING.watchedPollMs : WORKER_TIMING.pollMs);
      wake = () => {
        clearTimeout(timer);
        r();
      };
    });
    wake = undefined;
  }
  stopServing();
  // The engine is gone. The state file (a local backend) says what it wrote; without one (a remote
  // backend), the notes of this run do, when the engine ended on its own: its parent outlived it (not
  // a hangup that killed both) and no second signal cut its stop short.
  const ownEnd = signals < 2 && (hungUp ? hungUp.parentRan : parent !== undefined && running(parent));
  const { removed, kept } = sweepResultFiles(workDir, new StateProof(localStatePath(env)), ownEnd ? engine : undefined);
  fs.rmSync(`${dir}.tf-log`, { force: true });
  note(`served ${served} step(s); leaving (the engine is gone): removed ${removed} result file(s), kept ${kept} whose password is not in the state`);
  return 0;
}
