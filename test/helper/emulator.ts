/**
 * Starts the REAL emulator (`bin/ionos-registry-emulator.js`, i.e. the bundle dist/bin/emulator.js) as a child
 * process on a free port, for tests that need an IONOS API.
 *
 *     const emu = await startEmulator();             // --port 0 is always passed
 *     process.env.IONOS_API_URL = emu.apiUrl;        // clients append /containerregistries
 *     ...
 *     await emu.addFault({ method: 'POST', path: '/tokens$', status: 502, commit: true });
 *     expect(await emu.login(emu.registryId, 'my-token', password)).toBe(true);
 *     await emu.stop();                              // SIGTERM; resolves the exit code (0)
 *
 * Credentials: unless given in the environment (`{ env: { IONOS_EMULATOR_USERS: 'ci:secret' } }`;
 * never argv), Basic `emulator:emulator` and Bearer `emulator` (see {@link DEFAULT_AUTH}).
 * Build first (`npm run build`); {@link startEmulator} refuses to run a bundle older than its sources.
 * Children still running when the test process exits are killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ApiTokenResponse } from '../../lib/api-types';
import type { Fault, FaultSpec } from '../../lib/emulator/faults';
import type { RequestLogEntry } from '../../lib/emulator/request-log';

export type { Fault, FaultSpec, RequestLogEntry };

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'ionos-registry-emulator.js');

/** `Authorization` header values the emulator accepts by default. */
export const DEFAULT_AUTH = {
  basic: `Basic ${Buffer.from('emulator:emulator').toString('base64')}`,
  bearer: 'Bearer emulator',
} as const;

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The value for `IONOS_API_URL` (= url; IONOS clients append `/containerregistries`). */
  readonly apiUrl: string;
  /** The first registry (the default one, 5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a, unless `--registry` was given). */
  readonly registryId: string;
  /** Every registry served, from the ready line. */
  readonly registryIds: string[];
  readonly child: ChildProcess;
  /** Everything the process wrote so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** SIGTERM, then the exit code (128 + signal number if a signal ended it). Safe to call twice. */
  stop(): Promise<number>;
  /** The API calls so far, in order (`GET /__emulator/requests`). */
  requests(): Promise<RequestLogEntry[]>;
  clearRequests(): Promise<void>;
  /** Registers a fault; resolves it with its id (throws when the emulator refuses the spec). */
  addFault(fault: FaultSpec): Promise<Fault>;
  faults(): Promise<Fault[]>;
  clearFaults(): Promise<void>;
  /** Moves the emulator clock forward; resolves the new emulator time (ISO 8601). */
  advanceClock(seconds: number): Promise<string>;
  /** Empties tokens, faults and the request log, and sets the clock back to real time. */
  reset(): Promise<void>;
  /**
   * Every live token of a registry as the API shows it (password ""), read through a control
   * endpoint so that it does not appear in the request log. @default registryId = the first registry
   */
  listTokens(registryId?: string): Promise<ApiTokenResponse[]>;
  /** True when a live, enabled, unexpired token of the registry has these credentials (plays docker login). */
  login(registryId: string, username: string, password: string): Promise<boolean>;
}

export interface StartOptions {
  /** How long to wait for the ready line. @default 15000 */
  readonly timeoutMs?: number;
  /** Extra environment for the child. */
  readonly env?: NodeJS.ProcessEnv;
  /** The emulator's bin to run, e.g. an installed copy's. @default this repository's (built first: see assertBuilt) */
  readonly bin?: string;
}

const READY = /listening on (http:\/\/\S+) \(registry ([^)]*)\)/;
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function newestMtime(dir: string, ext: string): { path: string; mtime: number } | undefined {
  let best: { path: string; mtime: number } | undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    const found = entry.isDirectory() ? newestMtime(p, ext) : p.endsWith(ext) ? { path: p, mtime: statSync(p).mtimeMs } : undefined;
    if (found && (!best || found.mtime > best.mtime)) best = found;
  }
  return best;
}

/** Throws when the emulator's bundle (dist/bin/emulator.js) is missing or older than a source it is built from. */
export function assertBuilt(): void {
  const bundle = join(ROOT, 'dist', 'bin', 'emulator.js');
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : -1;
  const sources = [
    newestMtime(join(ROOT, 'lib', 'emulator'), '.ts'),
    ...['api-schemas.ts', 'validation.ts', 'api-types.ts'].map((f) => ({ path: join(ROOT, 'lib', f), mtime: statSync(join(ROOT, 'lib', f)).mtimeMs })),
  ].filter((s): s is { path: string; mtime: number } => s !== undefined);
  for (const src of sources) {
    if (built < src.mtime) throw new Error(`the emulator bundle dist/bin/emulator.js is missing or older than ${relative(ROOT, src.path)}: run npm run build`);
  }
}

/** Runs the bin to completion (for flag and state-file errors); resolves its exit code and output. */
export function runEmulator(args: string[], timeoutMs = 15000, env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ionos-registry-emulator ${args.join(' ')} did not exit within ${timeoutMs}ms; stdout: ${stdout}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: code ?? 128 + (SIGNALS[signal ?? ''] ?? 0), stdout, stderr });
    });
  });
}

async function control(url: string, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${url}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res;
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`emulator ${what} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Spawns `node bin/ionos-registry-emulator.js --port 0 ...args` and waits for its ready line. */
export function startEmulator(args: string[] = [], options: StartOptions = {}): Promise<RunningEmulator> {
  if (!options.bin) assertBuilt();
  const timeoutMs = options.timeoutMs ?? 15000;
  const child = spawn(process.execPath, [options.bin ?? BIN, '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      exitCode = code ?? 128 + (SIGNALS[signal ?? ''] ?? 0);
      resolve(exitCode);
    });
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));

  return new Promise<RunningEmulator>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ionos-registry-emulator printed no ready line within ${timeoutMs}ms; stderr: ${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ionos-registry-emulator exited with ${code} before it was ready; stderr: ${stderr.trim()}`));
    });
    child.stdout.on('data', (d: Buffer) => {
      const before = stdout;
      stdout += d.toString();
      const m = READY.exec(stdout);
      if (!m || READY.exec(before)) return;
      clearTimeout(timer);
      const url = m[1];
      const registryIds = m[2].split(',').map((s) => s.trim());
      resolve({
        url,
        apiUrl: url,
        registryId: registryIds[0],
        registryIds,
        child,
        get stdout() {
          return stdout;
        },
        get stderr() {
          return stderr;
        },
        stop: () => {
          if (exitCode === undefined) child.kill('SIGTERM');
          return exited;
        },
        requests: async () => (await (await expectOk(await control(url, 'GET', '/requests'), 'GET /requests')).json()) as RequestLogEntry[],
        clearRequests: async () => void (await expectOk(await control(url, 'DELETE', '/requests'), 'DELETE /requests')),
        addFault: async (fault) => (await (await expectOk(await control(url, 'POST', '/faults', fault), 'POST /faults')).json()) as Fault,
        faults: async () => (await (await expectOk(await control(url, 'GET', '/faults'), 'GET /faults')).json()) as Fault[],
        clearFaults: async () => void (await expectOk(await control(url, 'DELETE', '/faults'), 'DELETE /faults')),
        advanceClock: async (seconds) => {
          const res = await expectOk(await control(url, 'POST', '/clock', { advanceSeconds: seconds }), 'POST /clock');
          return ((await res.json()) as { now: string }).now;
        },
        reset: async () => void (await expectOk(await control(url, 'POST', '/reset'), 'POST /reset')),
        listTokens: async (registryId = registryIds[0]) => {
          const res = await expectOk(await control(url, 'GET', `/tokens?registryId=${encodeURIComponent(registryId)}`), 'GET /tokens');
          return (await res.json()) as ApiTokenResponse[];
        },
        login: async (registryId, username, password) => {
          const res = await control(url, 'POST', '/login', { registryId, username, password });
          await res.arrayBuffer();
          if (res.status === 200) return true;
          if (res.status === 401) return false;
          throw new Error(`emulator POST /login answered ${res.status}`);
        },
      });
    });
  });
}
