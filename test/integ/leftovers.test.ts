/**
 * What a deploy leaves in the working directory, whatever happened to it (docs/design/result-files.md):
 *
 * - a result file (a password) lives only until its password is in the state the engine wrote: after
 *   a deploy that fails part-way (a name taken by someone else's token), after SIGINT and SIGTERM (a
 *   CI cancel), and after SIGKILL of the whole deploy at many points followed by a deploy (the kill
 *   loop, which counts lost passwords and result files left: both must be 0);
 * - no named pipe, request or answer of the step worker is ever in cdktf.out (a tool reading it file
 *   by file would block on a pipe), and the worker's private folder is empty once it has left.
 *
 * LEFTOVER_POINTS=<n> sets the number of kill points (default 8).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { waitFor } from '../helper/processes';
import { engines, repairOf, runRepair, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(40 * 60 * 1000);

const creds = { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' };
const POINTS = Number(process.env.LEFTOVER_POINTS ?? 8);
/** Latency of every API call: a create lasts long enough to be interrupted in the middle. */
const LATENCY_MS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A workspace whose provisioners make the worker's private folder in a TMPDIR of its own (so the test can watch it). */
function workspace(engine: ReturnType<typeof engines>[number], emu: RunningEmulator): { ws: Workspace; runDir: string; cleanup(): void } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-leftovers-tmp-'));
  const ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl, TMPDIR: tmp, XDG_RUNTIME_DIR: '' });
  const cleanup = () => {
    ws.cleanup();
    if (!process.env.KEEP_WORKSPACES) fs.rmSync(tmp, { recursive: true, force: true });
  };
  return { ws, runDir: path.join(tmp, `ionos-registry-token-${process.geteuid!()}`), cleanup };
}

/** The result files in the working directory. */
function resultFiles(ws: Workspace): string[] {
  const work = path.join(ws.stackDir, '.registry-token');
  return fs.existsSync(work) ? fs.readdirSync(work).filter((f) => f.endsWith('.result.json')) : [];
}

/** The passwords in the state file, by token name (from each `password` resource's identity). */
function statePasswords(ws: Workspace): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(ws.stateFile)) return out;
  for (const r of ws.state().resources) {
    if (r.type !== 'terraform_data' || !/_password_/.test(r.name)) continue;
    for (const i of r.instances) {
      const identity = JSON.parse(String(i.attributes.input?.value ?? '{}'));
      out.set(identity.name, String(i.attributes.triggers_replace?.value ?? ''));
    }
  }
  return out;
}

/** The passwords the result files hold. */
function resultPasswords(ws: Workspace): string[] {
  const work = path.join(ws.stackDir, '.registry-token');
  return resultFiles(ws).map((f) => JSON.parse(fs.readFileSync(path.join(work, f), 'utf8')).password);
}

/** Step workers serving from this folder (their command line names it). */
function workersOf(runDir: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(' worker ') && l.includes(`${runDir}/worker-`))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** Waits (bounded) until the deploy's worker has seen its engine out and left. */
async function workersGone(runDir: string): Promise<void> {
  await waitFor(`the step workers of ${runDir} to leave`, async () => workersOf(runDir).length === 0 || undefined, 60_000, 50);
}

/** Every named pipe below `dir`. */
const pipesBelow = (dir: string): string => execFileSync('find', [dir, '-type', 'p'], { encoding: 'utf8' }).trim();

/** The worker's files below cdktf.out: its folders, pipes, requests and answers (by name, as any version made them). */
function workerFilesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (/^worker-\d+(\.slots)?$/.test(e.name) || /\.(req|ready|claimed|out|err|done|slot|lock|fifo)$/.test(e.name)) out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Reads every file below `dir` as an artifact upload does (open, read to the end), and tars it, each
 * in a child process with a bound: a named pipe in the tree would block the read for good.
 */
function readsThrough(dir: string): { read: number | null; tar: number | null } {
  const script = `const fs=require('fs'),p=require('path');const walk=d=>{for(const e of fs.readdirSync(d,{withFileTypes:true})){const f=p.join(d,e.name);if(e.isDirectory())walk(f);else if(!e.isSymbolicLink())fs.readFileSync(f)}};walk(${JSON.stringify(dir)})`;
  const read = spawnSync(process.execPath, ['-e', script], { timeout: 60_000 });
  const tar = spawnSync('tar', ['-cf', '/dev/null', '-C', path.dirname(dir), path.basename(dir)], { timeout: 60_000 });
  return { read: read.status, tar: tar.status };
}

describe.each(engines().map((e) => [e.name, e] as const))('what a deploy leaves in the working directory (%s)', (engineName, engine) => {
  let emu: RunningEmulator;
  const measured: string[] = [];

  beforeAll(async () => {
    emu = await startEmulator(['--latency-ms', String(LATENCY_MS)]);
  });
  afterAll(async () => {
    for (const line of measured) console.log(line);
    await emu?.stop();
  });

  const decl = (names: string[]): TokenDecl[] =>
    names.map((name, i) => ({ id: `t${i}`, registryId: emu.registryId, name, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] }));

  /** Someone else's token, created directly in the registry: its name is taken for us. */
  async function takeName(name: string): Promise<void> {
    const res = await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}/tokens`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('emulator:emulator').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { name, scopes: [{ type: 'repository', name: '*', actions: ['pull'] }] } }),
    });
    expect(res.status).toBe(201);
  }

  /** The declared tokens whose password in the state does not log in. */
  async function lostPasswords(ws: Workspace, declared: TokenDecl[]): Promise<string[]> {
    const passwords = statePasswords(ws);
    const lost: string[] = [];
    for (const t of declared) {
      const pw = passwords.get(t.name) ?? '';
      if (!(pw !== '' && (await emu.login(emu.registryId, t.name, pw)))) lost.push(t.name);
    }
    return lost;
  }

  /** No result file holds a password the state holds: each one left is a password not yet captured. */
  function onlyUncaptured(ws: Workspace): void {
    const inState = new Set(statePasswords(ws).values());
    expect(resultPasswords(ws).filter((pw) => pw !== '' && inState.has(pw))).toEqual([]);
  }

  test('a deploy that fails part-way (a name taken by someone else) leaves no password on disk; the next deploy converges', async () => {
    await emu.reset();
    const { ws, runDir, cleanup } = workspace(engine, emu);
    const declared = decl([`fail-a-${engineName}`, `fail-b-${engineName}`, `fail-c-${engineName}`, `fail-taken-${engineName}`]);
    await takeName(`fail-taken-${engineName}`);
    ws.declare(declared);
    const failed = await ws.deploy({}, ['--terraform-parallelism', '2']);
    expect(failed.code).not.toBe(0);
    expect(failed.all).toContain('HTTP 409 already exists: name is not available');
    await workersGone(runDir);
    // the three created tokens: each password in the state, none in a file
    expect(await lostPasswords(ws, declared.slice(0, 3))).toEqual([]);
    expect(resultFiles(ws)).toEqual([]);

    const fixed = declared.map((t, i) => (i === 3 ? { ...t, name: `fail-free-${engineName}` } : t));
    ws.declare(fixed);
    expect((await ws.deploy()).code).toBe(0);
    await workersGone(runDir);
    expect(await lostPasswords(ws, fixed)).toEqual([]);
    expect(resultFiles(ws)).toEqual([]);
    cleanup();
  });

  test('SIGINT, then SIGTERM (a CI cancel) mid-create: what the state holds is off the disk; the next deploy converges with every password', async () => {
    for (const signals of [['SIGINT'], ['SIGINT', 'SIGTERM']] as NodeJS.Signals[][]) {
      await emu.reset();
      const { ws, runDir, cleanup } = workspace(engine, emu);
      const declared = decl(Array.from({ length: 8 }, (_, i) => `cancel${signals.length}-${i}`));
      ws.declare(declared);
      const run = ws.spawnDeploy({}, ['--terraform-parallelism', '2']);
      await waitFor('three tokens created', async () => ((await emu.requests()).filter((r) => r.method === 'PUT' && r.status === 201).length >= 3 ? true : undefined), 120_000, 25);
      for (const [i, signal] of signals.entries()) {
        if (i > 0) await sleep(500);
        run.killGroup(signal);
      }
      await run.done;
      await workersGone(runDir);
      onlyUncaptured(ws);
      const again = await ws.deploy();
      const repair = repairOf(again);
      if (again.code !== 0) {
        // the engine may record a create whose step it stopped: the one command named repairs it
        expect(repair.replace.length).toBeGreaterThan(0);
        expect((await runRepair(ws, repair)).code).toBe(0);
        expect((await ws.deploy()).code).toBe(0);
      }
      await workersGone(runDir);
      expect(await lostPasswords(ws, declared)).toEqual([]);
      expect(resultFiles(ws)).toEqual([]);
      measured.push(`leftovers ${engineName} ${signals.join('+')}: deploy after the cancel exited ${again.code}; lost passwords 0; result files left 0`);
      cleanup();
    }
  });

  test(`SIGKILL of the whole deploy at ${POINTS} points of a create, then deploy: no password lost, no result file left`, async () => {
    const span = 4 * LATENCY_MS + 2500;
    let lost = 0;
    let left = 0;
    let repaired = 0;
    let leftAfterKill = 0;
    for (let i = 0; i < POINTS; i++) {
      await emu.reset();
      const { ws, runDir, cleanup } = workspace(engine, emu);
      const declared = decl(Array.from({ length: 8 }, (_, k) => `kill${i}-${k}`));
      ws.declare(declared);
      const run = ws.spawnDeploy({}, ['--terraform-parallelism', '2']);
      const until = Date.now() + 120_000;
      while (Date.now() < until && !(await emu.requests()).some((r) => r.method === 'PUT')) await sleep(25);
      await sleep(Math.round((span * i) / Math.max(1, POINTS - 1)));
      run.killGroup('SIGKILL');
      await run.done;
      leftAfterKill += resultFiles(ws).length;
      // the next deploy (and, where it names one, the one command that repairs a create)
      const again = await ws.deploy();
      if (again.code !== 0) {
        const repair = repairOf(again);
        expect(repair.takeOver.length + repair.replace.length).toBeGreaterThan(0);
        const fixed = await runRepair(ws, repair);
        expect(fixed.code).toBe(0);
        expect((await ws.deploy()).code).toBe(0);
        repaired++;
      }
      await workersGone(runDir);
      lost += (await lostPasswords(ws, declared)).length;
      left += resultFiles(ws).length;
      expect(pipesBelow(path.join(ws.dir, 'cdktf.out'))).toBe('');
      cleanup();
    }
    measured.push(
      `leftovers ${engineName} SIGKILL: ${POINTS} kill points; ${repaired} needed the one command; result files right after the kills: ${leftAfterKill}; lost passwords: ${lost}; result files left after the final deploy: ${left}`,
    );
    expect({ lost, left }).toEqual({ lost: 0, left: 0 });
  });

  test('after a deploy and after a destroy: no named pipe and no worker file in cdktf.out, a full read and a tar of it complete; the private folder empties', async () => {
    await emu.reset();
    const { ws, runDir, cleanup } = workspace(engine, emu);
    ws.declare(decl([`pipes-a-${engineName}`, `pipes-b-${engineName}`, `pipes-c-${engineName}`]));
    const out = path.join(ws.dir, 'cdktf.out');
    for (const [what, res] of [['deploy', await ws.deploy()], ['destroy', await ws.destroy()]] as const) {
      expect({ what, code: res.code }).toEqual({ what, code: 0 });
      // right after it exits, before its worker has left
      expect({ what, pipes: pipesBelow(out), files: workerFilesBelow(out) }).toEqual({ what, pipes: '', files: [] });
      expect({ what, ...readsThrough(out) }).toEqual({ what, read: 0, tar: 0 });
      await workersGone(runDir);
      expect({ what, left: fs.readdirSync(runDir) }).toEqual({ what, left: [] });
      expect(fs.statSync(runDir).mode & 0o777).toBe(0o700);
    }
    expect(resultFiles(ws)).toEqual([]);
    cleanup();
  });
});
