/** Small process and folder helpers the step worker and the specs steps share. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRecord } from '../is-record';

/** True when a process with this pid exists (also when it is another user's). */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The fields of /proc/<pid>/stat after the command name (state, ppid, ...), or undefined where there
 * is no such process or no /proc.
 */
export function statOf(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** True when the process runs: it exists and has not exited (a zombie waiting to be reaped has). */
export function running(pid: number): boolean {
  if (!alive(pid)) return false;
  const state = statOf(pid)?.[0];
  return state !== 'Z' && state !== 'X';
}

/**
 * Names one engine run: its pid and, where /proc has it, the process's start time (a pid can be
 * reused by a later run; a file left by a crashed run must not pass for this run's).
 */
export function engineKey(pid: number | undefined): string | undefined {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return undefined;
  const started = statOf(pid)?.[19];
  return started ? `${pid}-${started}` : String(pid);
}

/** The parent of a running process, where /proc says. */
export function parentOf(pid: number): number | undefined {
  const ppid = Number(statOf(pid)?.[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

/** The names in a folder, or none when it cannot be read (not there yet, or removed). */
export function namesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** A small file's text, trimmed, or undefined when it cannot be read. */
export function textOf(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The state file the engine writes for the working directory `cwd` when its backend is local (the
 * default, and cdktf's), in the current workspace; undefined for any other backend. The engine's
 * own record of the backend (`.terraform/terraform.tfstate`, written by init) says which.
 */
export function localStatePath(env: NodeJS.ProcessEnv, cwd = '.'): string | undefined {
  const data = path.resolve(cwd, env.TF_DATA_DIR || '.terraform');
  let backend: unknown;
  try {
    const doc: unknown = JSON.parse(fs.readFileSync(path.join(data, 'terraform.tfstate'), 'utf8'));
    backend = isRecord(doc) ? doc.backend : undefined;
  } catch {
    backend = undefined; // no backend block: the local default
  }
  if (isRecord(backend) && backend.type !== 'local') return undefined;
  const config = isRecord(backend) && isRecord(backend.config) ? backend.config : {};
  let workspace = env.TF_WORKSPACE || '';
  if (!workspace) {
    try {
      workspace = fs.readFileSync(path.join(data, 'environment'), 'utf8').trim();
    } catch {
      // the default workspace
    }
  }
  const file = typeof config.path === 'string' && config.path ? config.path : 'terraform.tfstate';
  if (!workspace || workspace === 'default') return path.resolve(cwd, file);
  const dir = typeof config.workspace_dir === 'string' && config.workspace_dir ? config.workspace_dir : 'terraform.tfstate.d';
  return path.resolve(cwd, dir, workspace, 'terraform.tfstate');
}

/**
 * What the local state file holds, read once when first asked: the proof that a password is in the
 * state the engine has written. Not readable (a remote backend, an encrypted or half-written file):
 * it proves nothing.
 */
export class StateProof {
  private values?: Set<string> | null;

  constructor(private readonly file: string | undefined) {}

  /** True when the state file could be read as a plain state. */
  readable(): boolean {
    return this.load() !== null;
  }

  /** True when the result file's password is in the state file (or there is none to keep: "" or unreadable is false). */
  holdsResult(resultFile: string): boolean {
    const password = passwordIn(resultFile);
    if (password === undefined) return false;
    return password === '' || (this.load()?.has(password) ?? false);
  }

  private load(): Set<string> | null {
    if (this.values !== undefined) return this.values;
    this.values = null;
    if (!this.file) return null;
    try {
      const doc: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      if (!isRecord(doc) || !Array.isArray(doc.resources)) return null;
      const values = new Set<string>();
      const walk = (v: unknown): void => {
        if (typeof v === 'string') values.add(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (isRecord(v)) Object.values(v).forEach(walk);
      };
      walk(doc.resources);
      walk(doc.outputs);
      this.values = values;
    } catch {
      // none, or being written: proves nothing
    }
    return this.values;
  }
}

/** The password a result file holds, or undefined when it cannot be read. */
function passwordIn(resultFile: string): string | undefined {
  try {
    const doc: unknown = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    return isRecord(doc) && typeof doc.password === 'string' ? doc.password : undefined;
  } catch {
    return undefined;
  }
}

/** The reason a step stops when its engine run is gone. */
export class EngineGone extends Error {
  constructor(pid: number) {
    super(`the engine run that asked for this step (pid ${pid}) is gone; nothing more is sent (the next deploy takes this token up again)`);
    this.name = 'EngineGone';
  }
}

/**
 * A signal that aborts once the engine run `pid` is gone (killed, or its process reused): a step it
 * asked for then starts no API call and cuts the one in flight, since no state could record the
 * answer and a later deploy may already act on the same token. Checked every `everyMs`; the timer
 * keeps no process alive.
 */
export function engineGoneSignal(pid: number | undefined, everyMs = 100): { readonly signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const key = engineKey(pid);
  if (pid === undefined || key === undefined) return { signal: controller.signal, stop: () => undefined };
  const timer = setInterval(() => {
    if (running(pid) && engineKey(pid) === key) return;
    clearInterval(timer);
    controller.abort(new EngineGone(pid));
  }, everyMs);
  timer.unref();
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}
