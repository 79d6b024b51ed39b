/** Process helpers for the crash tests: wait for a condition, kill what matches a command line. */
import { execFileSync } from 'node:child_process';

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** SIGKILLs every process whose command line matches the regular expression; returns how many. */
export function killMatching(pattern: string): number {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const re = new RegExp(pattern);
  let killed = 0;
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m || Number(m[1]) === process.pid || !re.test(m[2]) || m[2].includes('ps -eo')) continue;
    try {
      process.kill(Number(m[1]), 'SIGKILL');
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}

/** A handler step's processes: `node 'assets/ionos-registry-token-handler/<hash>/index.js' <op>`. */
export const handlerPattern = (op: string) => `ionos-registry-token-handler/[0-9A-F]+/index\\.js['"]? ${op}$`;

/** The step worker of an engine run: `node <...>/index.js worker <dir> <engine pid>` (see lib/handler/worker.ts). */
export const workerPattern = `ionos-registry-token-handler/[0-9A-F]+/index\\.js['"]? worker `;
