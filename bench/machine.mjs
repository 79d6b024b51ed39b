// What the benchmarks (run.mjs, profile.mjs) stand on: the emulator they run against, how busy the
// machine's cores are (/proc/stat), and waiting until they are quiet, so that other work on the same
// cores does not count in a measured step.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Jiffies (1/100 s) the machine's cores have been busy since boot: user, nice, system, irq, softirq. */
export function busyJiffies() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return f[0] + f[1] + f[2] + f[5] + f[6];
}

/** Waits until the machine is under 10 % busy over half a second (3 minutes at most; then `say` why it measures anyway). */
export async function waitQuiet(say) {
  if (!fs.existsSync('/proc/stat')) return;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const until = Date.now() + 180_000;
  for (;;) {
    const a = busyJiffies();
    await new Promise((r) => setTimeout(r, 500));
    const busy = (busyJiffies() - a) / (50 * cores);
    if (busy < 0.1) return;
    if (Date.now() > until) return say(`the machine is still ${Math.round(busy * 100)} % busy; measuring anyway`);
  }
}

/** The emulator the benchmarks run against (bin/ionos-registry-emulator.js, `--latency-ms latency`), with its control calls. */
export async function startEmulator(latency) {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'ionos-registry-emulator.js'), '--port', '0', '--latency-ms', String(latency)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ready = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+) \(registry ([^),]*)/.exec(out);
      if (m) resolve({ url: m[1], registryId: m[2] });
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`emulator not ready in 15 s: ${stderr}`)), 15_000);
  });
  const control = async (method, p) => {
    const res = await fetch(`${ready.url}/__emulator${p}`, { method });
    if (!res.ok) throw new Error(`emulator ${method} ${p}: ${res.status}`);
    return res.status === 204 ? undefined : res.json();
  };
  return {
    ...ready,
    stop: () => child.kill('SIGTERM'),
    reset: () => control('POST', '/reset'),
    clear: () => control('DELETE', '/requests'),
    requests: () => control('GET', '/requests'),
    tokens: () => control('GET', `/tokens?registryId=${ready.registryId}`),
  };
}
