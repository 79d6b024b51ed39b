/**
 * The step worker: one Node process per engine run that executes the steps the provisioners hand
 * it, so that a deploy of 100 tokens starts Node once instead of 100 times (a Node start costs
 * ~0.1 s of CPU; the shell that hands a step over costs a few milliseconds). It is only a faster
 * road to the same steps: a provisioner that cannot reach it runs the step itself (run.sh), and
 * every step is safe to run again, so a worker that dies mid-step loses nothing.
 *
 * Protocol, in `<work dir>/worker-<engine pid>/` (made by the first provisioner, mode 0700):
 *   pid             the worker's pid, written once it listens
 *   <id>.req        the step, as the provisioner's command gave it (its JSON, untouched: step.ts). Never
 *                   a credential: those come from the worker's environment, which is the engine's, as
 *                   for every provisioner. <id> is `<the provisioner shell's pid>.<operation>`
 *   <id>.ready      written by the provisioner once `<id>.req` is complete
 *   <id>.claimed    `<id>.req` renamed by the worker when it takes the request
 *   <id>.out/.err   the step's stdout and stderr lines
 *   <id>.done       the exit code, written last (atomically); the provisioner prints .out and .err
 *                   and exits with it; the worker removes the three once that shell is gone
 * The worker exits after IDLE_MS without work, or as soon as the engine process is gone, and removes
 * its folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../write-file-atomic';
import { workerCannotRead, workerFailed, workerWithoutFolder } from './errors';
import type { StepRuntime } from './lifecycle';
import { alive, namesIn } from './processes';

export const WORKER_TIMING = {
  /** How often the folder is scanned for requests when no change woke the worker sooner. */
  pollMs: 10,
  /** Exit after this long without a request. */
  idleMs: 2000,
  /** How often the engine's pid is checked. */
  engineCheckMs: 200,
};

export type StepRunner = (text: string, rt: StepRuntime) => Promise<number>;

/** The worker's files need not survive a crash: a provisioner whose answer is lost runs its step itself. */
const writeAtomic = (file: string, data: string): Promise<void> => writeFileAtomic(file, data, { mode: 0o600 });

/** Removes the folders of workers whose engine and worker are both gone (a crash, a reboot). */
export function removeStaleWorkerDirs(workDir: string, except: string): void {
  for (const name of namesIn(workDir)) {
    const m = /^worker-(\d+)$/.exec(name);
    const dir = path.join(workDir, name);
    if (!m || dir === except || alive(Number(m[1]))) continue;
    let pid = NaN;
    try {
      pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
    } catch {
      // no pid: its worker never started or is gone
    }
    if (!alive(pid)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Serves the requests in `dir` until idle or until the engine (`enginePid`) is gone. Each request
 * runs as soon as it is seen, concurrently with the others (the engine's -parallelism bounds them).
 */
export async function runWorker(dir: string, enginePid: number, env: NodeJS.ProcessEnv, runStep: StepRunner): Promise<number> {
  if (!dir || !fs.existsSync(dir)) {
    process.stderr.write(`${workerWithoutFolder(dir ?? '')}\n`);
    return 2;
  }
  const workDir = path.dirname(dir);
  removeStaleWorkerDirs(workDir, path.resolve(dir));
  await writeAtomic(path.join(dir, 'pid'), String(process.pid));
  // stderr is a log file with IONOS_REGISTRY_TOKEN_DEBUG (see run.sh), else nowhere.
  const note = (line: string) => process.stderr.write(`${new Date().toISOString()} registry-token worker ${process.pid}: ${line}\n`);
  note(`serving ${dir} for engine ${enginePid}`);
  let served = 0;
  let inFlight = 0;
  let lastWork = Date.now();
  let lastEngineCheck = 0;
  let engineAlive = true;

  const serve = async (id: string): Promise<void> => {
    const base = path.join(dir, id);
    const claimed = `${base}.claimed`;
    // The provisioner's pipe (run.sh), opened before the claim so that it sees a writer once it sees
    // the claim; a line in it after the answer wakes it. Read-write: the open never blocks.
    let wake: number | undefined;
    try {
      wake = fs.openSync(`${base}.fifo`, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      fs.rmSync(`${base}.fifo`, { force: true }); // both sides hold it open; its name is no longer needed
    } catch {
      // no pipe (no mkfifo there): the provisioner polls for the answer
    }
    const wakeUp = () => {
      if (wake === undefined) return;
      try {
        fs.writeSync(wake, '\n');
      } catch {
        // its shell is gone
      }
      fs.closeSync(wake);
      wake = undefined;
    };
    try {
      fs.renameSync(`${base}.req`, claimed); // the provisioner may have taken it back
    } catch {
      if (wake !== undefined) fs.closeSync(wake); // nobody waits on it: that shell runs the step itself
      return;
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
      if (step !== undefined) code = await runStep(step, { env, workDir, enginePid, output: { out: (l) => out.push(l), err: (l) => err.push(l) } });
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
  let wake: (() => void) | undefined;
  let watcher: fs.FSWatcher | undefined;
  try {
    // A new request is served as soon as its .ready appears (serve() is safe to call twice: the first
    // call removes the pipe's name and takes the .req, so a second finds neither and does nothing);
    // any other change wakes the loop, which also clears answers up.
    watcher = fs.watch(dir, (_event, name) => {
      if (typeof name === 'string' && name.endsWith('.ready')) {
        lastWork = Date.now();
        void serve(name.slice(0, -'.ready'.length));
      } else {
        wake?.();
      }
    });
    watcher.on('error', () => undefined);
  } catch {
    // polling only
  }
  for (;;) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      break; // folder removed under us
    }
    for (const name of names) {
      if (name.endsWith('.ready')) {
        lastWork = Date.now();
        void serve(name.slice(0, -'.ready'.length));
      } else if (name.endsWith('.done') && !alive(Number(name.split('.')[0]))) {
        // its shell has read the answer and exited: clear it up
        const base = path.join(dir, name.slice(0, -'.done'.length));
        for (const suffix of ['.out', '.err', '.done']) fs.rmSync(`${base}${suffix}`, { force: true });
      }
    }
    const now = Date.now();
    if (now - lastEngineCheck >= WORKER_TIMING.engineCheckMs) {
      lastEngineCheck = now;
      engineAlive = alive(enginePid);
    }
    if (inFlight === 0 && (!engineAlive || now - lastWork >= WORKER_TIMING.idleMs)) break;
    await new Promise<void>((r) => {
      const timer = setTimeout(r, WORKER_TIMING.pollMs);
      wake = () => {
        clearTimeout(timer);
        r();
      };
    });
    wake = undefined;
  }
  watcher?.close();
  fs.rmSync(dir, { recursive: true, force: true });
  note(`served ${served} step(s); leaving (${engineAlive ? 'idle' : 'the engine is gone'})`);
  return 0;
}
