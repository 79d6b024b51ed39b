/**
 * Deploys at a moved "now": synth's (IONOS_REGISTRY_TOKEN_SYNTH_NOW, the documented test aid) and the
 * emulator's clock together, while a consumer's credential is tried every 50 ms.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningEmulator } from './emulator';
import { ok, REPO, type RunResult, type Workspace } from './workspace';

/** What a consumer holds: a username and a password from the stack's outputs. */
export interface Credential {
  readonly username: string;
  readonly password: string;
}

/** One deploy at a moved "now": its result, the API calls it made, and the logins tried meanwhile. */
export interface ClockedDeploy {
  readonly result: RunResult;
  readonly calls: string[];
  readonly logins: number;
  readonly failedLogins: number;
}

/** Moves the emulator's clock to `at` (it only goes forward; never back). */
export async function moveClockTo(emu: RunningEmulator, at: Date): Promise<void> {
  const now = Date.parse(await emu.advanceClock(0));
  if (at.getTime() > now) await emu.advanceClock(Math.ceil((at.getTime() - now) / 1000));
}

/** Deploys with "now" at `at`; `held`, when given, is tried every 50 ms until the deploy ends. */
export async function deployAt(emu: RunningEmulator, ws: Workspace, at: Date, held?: Credential): Promise<ClockedDeploy> {
  await moveClockTo(emu, at);
  await emu.clearRequests();
  let running = true;
  const polls = { logins: 0, failedLogins: 0 };
  const poller = (async () => {
    while (running && held) {
      polls.logins += 1;
      if (!(await emu.login(emu.registryId, held.username, held.password))) polls.failedLogins += 1;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  let result: RunResult;
  try {
    result = await ws.deploy({ IONOS_REGISTRY_TOKEN_SYNTH_NOW: at.toISOString() });
  } finally {
    running = false;
    await poller;
  }
  ok(result, `deploy at ${at.toISOString()}`);
  const calls = (await emu.requests()).map((r) => `${r.method} ${r.status}`);
  return { result, calls, ...polls };
}

/** What `registry-token plan-summary` says of the plan a deploy at `at` would apply (no API call). */
export async function planSummaryAt(ws: Workspace, at: Date): Promise<string> {
  const env = { IONOS_REGISTRY_TOKEN_SYNTH_NOW: at.toISOString() };
  ok(await ws.cdktf(['synth'], env), 'synth');
  ok(await ws.tf(['plan', '-input=false', '-no-color', '-out', 'clocked.tfplan']), 'plan');
  fs.writeFileSync(path.join(ws.dir, 'clocked.json'), ok(await ws.tf(['show', '-json', 'clocked.tfplan']), 'show').stdout);
  return ok(await ws.run(process.execPath, [path.join(REPO, 'bin', 'registry-token.js'), 'plan-summary', path.join(ws.dir, 'clocked.json')]), 'plan-summary').stdout;
}
