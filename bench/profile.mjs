#!/usr/bin/env node
// Where a create of N tokens spends its time (docs/benchmarks.md, "Where the time goes"): the same
// synthesized stack of ours applied as it is and with its provisioners changed, on the emulator, by
// the same engine as `npm run bench`. Each variant is applied PROFILE_RUNS times from nothing (emulator
// reset, no state, no work dir); the table shows wall time, busy CPU of the whole machine
// (/proc/stat), processes started (/proc/sys/kernel/ns_last_pid) and the state file's size.
//
//   node bench/profile.mjs                  # N=100 and N=1, every variant, 3 runs
//   PROFILE_N=100 PROFILE_RUNS=5 PROFILE_VARIANTS=full,none node bench/profile.mjs
//
// Variants (create-time provisioners only; destroy provisioners never run on create):
//   full          the stack as synthesized
//   none          every provisioner removed: the engine alone, same resources
//   true          every create provisioner's command replaced by `true`, its environment kept
//   true-no-env   the same without the environment
//   true-env-lit  `true` with an environment of one literal value
//   true-env-self `true` with an environment of one reference to self.id
//   true-cmd-self `true ${self.id}`, no environment
//   true-cmd-step `true '<the step's JSON>'`, no environment
//   sleep-<ms>    `sleep <ms/1000>`, no environment: a step of that latency that costs no CPU
//   step-in-cmd   the real steps, each step's JSON in the command (RT_STEP='...') instead of `environment`
//   official      the official provider, one ionoscloud_container_registry_token per token (if built)
//
// Environment as for bench/run.mjs: BENCH_ENGINE, BENCH_LATENCY_MS, BENCH_DIST; PROFILE_PARALLELISM
// passes -parallelism=<n> to the engine; PROFILE_PERF=1 records the last run of each variant with
// `perf record -a` and prints the CPU samples by command name (terraform, node, sh, sleep, ...).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyJiffies, startEmulator, waitQuiet } from './machine.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.PROFILE_RUNS ?? 3);
const SIZES = (process.env.PROFILE_N ?? '100,1').split(',').map(Number);
const VARIANTS = (process.env.PROFILE_VARIANTS ?? 'full,none,true,true-no-env,step-in-cmd,official').split(',');
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 50);
const DIST = path.resolve(REPO, process.env.BENCH_DIST ?? 'dist');
const PARALLELISM = process.env.PROFILE_PARALLELISM;

const engines = fs.readFileSync(path.join(REPO, '.engine', 'engines'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' '));
const engine = (engines.find(([n]) => n === (process.env.BENCH_ENGINE ?? 'terraform')) ?? engines[0])[1];
const cliConfig = path.join(REPO, '.engine', 'terraformrc');

const lastPid = () => Number(fs.readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));

function run(cmd, args, cwd, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code} in ${cwd}\n${out.slice(-2000)}`));
      else resolve({ ms, out });
    });
  });
}


const tokens = (n, registryId) =>
  Array.from({ length: n }, (_, i) => ({ id: `t${i}`, registryId, name: `bench-${i}`, status: 'enabled', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }], passwordOutput: false }));

const shellQuoted = (s) => `'${s.replace(/'/g, "'\\''")}'`;

/** The variant's cdk.tf.json from ours as synthesized. */
function transform(doc, variant) {
  const d = JSON.parse(JSON.stringify(doc));
  for (const r of Object.values(d.resource?.terraform_data ?? {})) {
    if (!r.provisioner) continue;
    if (variant === 'none') {
      delete r.provisioner;
      continue;
    }
    for (const p of r.provisioner) {
      const le = p['local-exec'];
      if (le.when === 'destroy') continue;
      if (variant === 'true') le.command = 'true';
      if (variant === 'true-no-env') {
        le.command = 'true';
        delete le.environment;
      }
      // What in a trivial provisioner costs the engine: an environment, a reference to self, the step's text.
      if (variant === 'true-env-lit') le.environment = { X: 'literal' };
      if (variant === 'true-env-self') le.environment = { X: '${self.id}' };
      if (variant.startsWith('true-env-')) le.command = 'true';
      // A step that takes <ms> and no CPU (`sleep`): the floor for a step of that latency.
      const sleepMs = /^sleep-(\d+)$/.exec(variant)?.[1];
      if (sleepMs) {
        le.command = `sleep ${Number(sleepMs) / 1000}`;
        delete le.environment;
      }
      if (variant === 'true-cmd-self') {
        le.command = 'true ${self.id}';
        delete le.environment;
      }
      if (variant === 'true-cmd-step') {
        le.command = `true ${shellQuoted(Object.values(le.environment).join(''))}`;
        delete le.environment;
      }
      if (variant === 'step-in-cmd') {
        const names = Object.keys(le.environment).sort((a, b) => a.length - b.length || a.localeCompare(b));
        le.command = le.command.replace(/RT_STEP=\$\S+?;/, `RT_STEP=${shellQuoted(names.map((n) => le.environment[n]).join(''))};`);
        delete le.environment;
      }
    }
  }
  return d;
}

async function oursDir(n, emu) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-ours-'));
  fs.writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify({ tokens: tokens(n, emu.registryId) }));
  await run(process.execPath, [path.join(REPO, 'bench', 'app.cjs')], dir, { NODE_PATH: path.join(REPO, 'node_modules'), RT_LIB: path.join(DIST, 'lib') });
  return path.join(dir, 'cdktf.out', 'stacks', 'bench');
}

function officialDir(n, emu) {
  const base = path.join(REPO, '.engine', 'mirror', 'registry.terraform.io', 'ionos-cloud', 'ionoscloud');
  const version = fs.existsSync(base) ? fs.readdirSync(base).sort().at(-1) : undefined;
  if (!version) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-official-'));
  const blocks = tokens(n, emu.registryId).map(
    (t) => `resource "ionoscloud_container_registry_token" "${t.id}" {\n  registry_id = "${t.registryId}"\n  name = "${t.name}"\n  status = "enabled"\n  scopes {\n    type = "repository"\n    name = "app/*"\n    actions = ["pull", "push"]\n  }\n}\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'main.tf'),
    `terraform {\n  required_providers {\n    ionoscloud = {\n      source = "ionos-cloud/ionoscloud"\n      version = "= ${version}"\n    }\n  }\n}\nprovider "ionoscloud" {}\n${blocks.join('\n')}`,
  );
  return dir;
}

/** The app's folder of a synthesized stack folder (<app>/cdktf.out/stacks/bench). */
const appDir = (stackDir) => path.resolve(stackDir, '..', '..', '..');
/** Removes one of this script's temp folders, and nothing else. */
function removeTemp(dir) {
  if (process.env.BENCH_KEEP || !dir) return;
  if (path.dirname(path.resolve(dir)) !== path.resolve(os.tmpdir()) || !/^profile-/.test(path.basename(dir))) throw new Error(`not a temp folder of this script: ${dir}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

const perfByCommand = [];
/** `perf record -a` until stop(), which resolves to the samples by command name. */
async function startPerf() {
  const file = path.join(os.tmpdir(), `profile-perf-${process.pid}.data`);
  const p = spawn('perf', ['record', '-a', '-F', '999', '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((r) => setTimeout(r, 300));
  return {
    stop: async () => {
      const done = new Promise((r) => p.on('close', r));
      p.kill('SIGINT');
      await done;
      const rep = spawnSync('perf', ['report', '-i', file, '--sort', 'comm', '--stdio', '--percent-limit', '0.5'], { encoding: 'utf8' }).stdout;
      fs.rmSync(file, { force: true });
      return rep.split('\n').filter((l) => /^\s+[\d.]+%/.test(l)).join('\n');
    },
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const range = (xs, f) => (xs.length > 1 ? `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})` : f(xs[0]));

async function main() {
  const emu = await startEmulator(LATENCY);
  const rows = [];
  try {
    for (const n of SIZES) {
      const synthesized = await oursDir(n, emu);
      const doc = JSON.parse(fs.readFileSync(path.join(synthesized, 'cdk.tf.json'), 'utf8'));
      for (const variant of VARIANTS) {
        let dir;
        let root; // the temp folder of this variant, removed afterwards
        let env = { TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.url };
        let state;
        if (variant === 'official') {
          dir = root = officialDir(n, emu);
          if (!dir) continue;
          env = { ...env, IONOS_API_URL: `${emu.url}/containerregistries` };
          state = path.join(dir, 'terraform.tfstate');
        } else {
          root = fs.mkdtempSync(path.join(os.tmpdir(), `profile-${variant}-`));
          fs.cpSync(appDir(synthesized), root, { recursive: true });
          dir = path.join(root, 'cdktf.out', 'stacks', 'bench');
          fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(transform(doc, variant), null, 2).replaceAll(appDir(synthesized), root));
          state = path.join(root, 'terraform.bench.tfstate'); // cdktf's local backend path: the app's folder
        }
        await run(engine, ['init', '-input=false', '-no-color'], dir, env);
        const m = { ms: [], cpu: [], procs: [], bytes: 0 };
        for (let i = 0; i < RUNS; i++) {
          await emu.reset();
          fs.rmSync(state, { force: true });
          fs.rmSync(path.join(dir, '.registry-token'), { recursive: true, force: true });
          await waitQuiet((line) => console.error(`profile: ${line}`));
          const cpu0 = busyJiffies();
          const pid0 = lastPid();
          const perf = process.env.PROFILE_PERF === '1' && i === RUNS - 1 ? await startPerf() : undefined;
          const res = await run(engine, ['apply', '-auto-approve', '-input=false', '-no-color', ...(PARALLELISM ? [`-parallelism=${PARALLELISM}`] : [])], dir, env);
          if (perf) perfByCommand.push({ n, variant, text: await perf.stop() });
          m.procs.push(lastPid() - pid0);
          m.cpu.push((busyJiffies() - cpu0) * 10);
          m.ms.push(res.ms);
          m.bytes = fs.statSync(state).size;
          await new Promise((r) => setTimeout(r, 300)); // the worker of the run before leaves on its own (2 s idle)
        }
        const row = { n, variant, time: range(m.ms, (x) => `${(x / 1000).toFixed(2)} s`), cpu: range(m.cpu, (x) => `${(x / 1000).toFixed(2)} s`), procs: range(m.procs, String), state: `${Math.round(m.bytes / 1024)} KiB` };
        rows.push(row);
        console.error(`profile: create ${n} ${variant.padEnd(12)} ${row.time}  busy CPU ${row.cpu}  processes ${row.procs}  state ${row.state}`);
        removeTemp(root);
      }
      removeTemp(appDir(synthesized));
    }
  } finally {
    emu.stop();
  }
  const version = spawnSync(engine, ['version'], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: cliConfig } }).stdout.split('\n')[0];
  console.log(`${version}, ${RUNS} run(s), emulator latency ${LATENCY} ms, local state${PARALLELISM ? `, -parallelism=${PARALLELISM}` : ''}\n`);
  console.log('| create | variant | apply, median (min–max) | busy CPU | processes | state |\n|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.n} | ${r.variant} | ${r.time} | ${r.cpu} | ${r.procs} | ${r.state} |`);
  for (const p of perfByCommand) console.log(`\nperf, create ${p.n} ${p.variant} (last run; % of all samples, idle is "swapper"):\n${p.text}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
