#!/usr/bin/env node
// `npm run bench`: synth, deploy, no-op, update and destroy benchmarks of RegistryToken ("ours")
// against the official ionoscloud provider's ionoscloud_container_registry_token ("official"), on
// the same emulator (--latency-ms 50) with the same engine, side by side. See docs/benchmarks.md.
//
// Environment:
//   BENCH_RUNS=3           repetitions of every scenario (median, min, max)
//   BENCH_QUICK=1          smoke run: 1 repetition, synth up to 100, deploys of 1 and 10, a stack of 10
//   BENCH_ENGINE=terraform engine from .engine/engines (terraform or tofu)
//   BENCH_LATENCY_MS=50    emulator latency per API call
//   BENCH_SIDES=ours,official   which sides to run
//   BENCH_OUT=bench/results     where latest.json and latest.md go (latest-tofu.*, latest-remote-state.*, latest-outputs.* for the variants)
//   BENCH_SYNTH_1000_RUNS=1     repetitions of the 1,000-token synth (minutes each)
//   BENCH_KEEP=1                keep the temp workspaces
//   BENCH_BACKEND=http          remote state for both sides: Terraform's http backend, served here
//                               (the local backend rewrites the whole state file after every resource
//                               change; remote backends persist every 20 s, as in CI)
//   BENCH_OUTPUTS=1             one sensitive password output per token on both sides (default:
//                               none on either side, like the official HCL; ours then sets passwordOutput: false)
//   BENCH_LARGE=1000            also create and destroy a stack of this many tokens (rows "deploy (create) 1000",
//                               "destroy 1000"; once per run, minutes each on local state)
//   BENCH_WAIT_QUIET=1          before every measured step, wait (up to 3 min) until the machine is
//                               under 10 % busy: other work on the same cores does not count
//   BENCH_DIST=dist             the built library ours runs (lib/ and handler/ in it), e.g. a snapshot
//                               of dist/ that a build running meanwhile cannot replace
//   BENCH_ONLY="create 1,create 100"   measure only the rows named (comma-separated words of a row's
//                               name, parentheses ignored: "create 100", "synth", "no-op", "change",
//                               "destroy"); steps a named row needs still run, untimed. Writes
//                               latest-only.* so that a partial run never replaces the full table
//
// How ours is driven: the app (bench/app.cjs) is synthesized once per configuration (timed
// separately, in the synth rows), then the engine runs directly in cdktf.out/stacks/bench, exactly
// what `cdktf deploy` runs after its synth. The official side runs the same engine on plain HCL.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, waitQuiet as waitQuietMachine } from './machine.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3));
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 50);
const SYNTH_SIZES = QUICK ? [1, 10, 100] : [1, 10, 100, 1000];
const DEPLOY_SIZES = QUICK ? [1, 10] : [1, 10, 100];
const STACK = QUICK ? 10 : 100;
const LARGE = Number(process.env.BENCH_LARGE ?? 0);
const SIDES = (process.env.BENCH_SIDES ?? 'ours,official').split(',').map((s) => s.trim());
const OUT = path.resolve(REPO, process.env.BENCH_OUT ?? 'bench/results');
const OUTPUTS = process.env.BENCH_OUTPUTS === '1';
const BACKEND = process.env.BENCH_BACKEND ?? 'local';
const DIST = path.resolve(REPO, process.env.BENCH_DIST ?? 'dist');
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
/** Whether row `row` is measured (BENCH_ONLY): a term matches whole words of the row's name, parentheses ignored. */
const wanted = (row) => {
  if (!ONLY.length) return true;
  const words = ` ${row.toLowerCase().replace(/[(),]/g, '').replace(/\s+/g, ' ')} `;
  return ONLY.some((t) => words.includes(` ${t} `));
};
/** latest.md / latest.json, or latest-tofu*, latest*-remote-state*, latest*-outputs* for the variants. */
const VARIANT = `${process.env.BENCH_ENGINE && process.env.BENCH_ENGINE !== 'terraform' ? `-${process.env.BENCH_ENGINE}` : ''}${BACKEND === 'http' ? '-remote-state' : ''}${OUTPUTS ? '-outputs' : ''}${ONLY.length ? '-only' : ''}`;
const USER = 'emulator';
const PASSWORD = 'emulator';

const log = (...a) => console.error('bench:', ...a);
const die = (msg) => {
  console.error(`bench: ${msg}`);
  process.exit(1);
};

// ---------------------------------------------------------------- engine and peers
function pickEngine() {
  const file = path.join(REPO, '.engine', 'engines');
  if (!fs.existsSync(file)) die('no .engine/engines: run "npm run engine" first');
  const engines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [name, binary] = l.split(' ');
    return { name, binary };
  });
  const want = process.env.BENCH_ENGINE ?? 'terraform';
  const e = engines.find((x) => x.name === want) ?? (process.env.BENCH_ENGINE ? undefined : engines[0]);
  if (!e) die(`engine "${want}" is not in .engine/engines (${engines.map((x) => x.name).join(', ')}); ENGINE=all npm run engine`);
  const version = spawnSync(e.binary, ['version'], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(REPO, '.engine', 'terraformrc') } }).stdout.split('\n')[0];
  return { ...e, version };
}

function officialProvider() {
  const base = path.join(REPO, '.engine', 'mirror', 'registry.terraform.io', 'ionos-cloud', 'ionoscloud');
  if (!fs.existsSync(base)) return { missing: 'not built: bash scripts/peers.sh provider' };
  const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'linux_amd64', `terraform-provider-ionoscloud_v${v}`)));
  if (!versions.length) return { missing: 'not built: bash scripts/peers.sh provider' };
  versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const version = versions.at(-1);
  const peers = path.join(REPO, '.engine', 'peers');
  const line = fs.existsSync(peers) ? fs.readFileSync(peers, 'utf8').split('\n').find((l) => l.startsWith(`provider ${version} `)) : undefined;
  return { version, source: line?.split(' ')[2] ?? 'mirror' };
}

// ---------------------------------------------------------------- processes
function run(cmd, args, { cwd, env = {}, timeoutMs = 30 * 60_000, allow = [0] } = {}) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!allow.includes(code)) reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${code} in ${cwd}:\n${out.slice(-3000)}`));
      else resolve({ code, out, ms });
    });
  });
}

// ---------------------------------------------------------------- http state backend (BENCH_BACKEND=http)
/** Terraform's http backend protocol: GET (404 when none), POST, DELETE of one state per path; no locking. */
async function startStateServer() {
  const { createServer } = await import('node:http');
  const states = new Map();
  const server = createServer((req, res) => {
    const body = [];
    req.on('data', (d) => body.push(d));
    req.on('end', () => {
      const key = req.url.split('?')[0];
      if (req.method === 'GET') {
        if (!states.has(key)) return res.writeHead(404).end();
        return res.writeHead(200, { 'content-type': 'application/json' }).end(states.get(key));
      }
      if (req.method === 'POST') states.set(key, Buffer.concat(body));
      else if (req.method === 'DELETE') states.delete(key);
      else return res.writeHead(405).end();
      return res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  let n = 0;
  return { url: () => `http://127.0.0.1:${server.address().port}/state-${++n}`, stop: () => server.close() };
}
let stateServer; // set in main() when BACKEND is http


/** `{ total, by: "GET×100 PATCH×1" }` of the API calls since the last clear. */
function summarize(requests) {
  const by = {};
  for (const r of requests) by[r.method] = (by[r.method] ?? 0) + 1;
  const bad = requests.filter((r) => r.status >= 400).length;
  return {
    total: requests.length,
    by: Object.entries(by).sort().map(([m, n]) => `${m}×${n}`).join(' ') || '—',
    failed: bad,
  };
}

// ---------------------------------------------------------------- declarations
const NAME = (i) => `bench-${i}`;
function declared(n, registryId, change) {
  const tokens = [];
  for (let i = 0; i < n; i++) {
    tokens.push({
      id: `t${i}`,
      registryId,
      name: NAME(i),
      status: 'enabled',
      scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }],
      passwordOutput: OUTPUTS,
    });
  }
  if (change === 'status') tokens[0].status = 'disabled';
  if (change === 'scopes') tokens[1].scopes = [...tokens[1].scopes, { type: 'registry', name: '*', actions: ['pull'] }];
  if (change === 'rename') tokens[2].name = `${NAME(2)}-renamed`;
  return tokens;
}

function hcl(tokens, providerVersion, stateUrl) {
  const blocks = tokens.map(
    (t) => `resource "ionoscloud_container_registry_token" "${t.id}" {
  registry_id = "${t.registryId}"
  name        = "${t.name}"
  status      = "${t.status}"
${t.scopes.map((s) => `  scopes {\n    type    = "${s.type}"\n    name    = "${s.name}"\n    actions = ${JSON.stringify(s.actions)}\n  }`).join('\n')}
}
${t.passwordOutput ? `\noutput "${t.id}_password" {\n  value     = ionoscloud_container_registry_token.${t.id}.credentials[0].password\n  sensitive = true\n}\n` : ''}`,
  );
  return `terraform {
${stateUrl ? `  backend "http" {\n    address = "${stateUrl}"\n  }\n` : ''}  required_providers {
    ionoscloud = {
      source  = "ionos-cloud/ionoscloud"
      version = "= ${providerVersion}"
    }
  }
}

provider "ionoscloud" {}

${blocks.join('\n')}`;
}

// ---------------------------------------------------------------- sides
class Side {
  constructor(name, engine, emu) {
    this.name = name;
    this.engine = engine;
    this.emu = emu;
  }
  env() {
    const env = {
      CI: 'true',
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_CLI_CONFIG_FILE: path.join(REPO, '.engine', 'terraformrc'),
      IONOS_API_URL: this.apiUrl(),
      IONOS_USERNAME: USER,
      IONOS_PASSWORD: PASSWORD,
      PATH: `${path.dirname(this.engine.binary)}:${process.env.PATH}`,
    };
    return env;
  }
  apiUrl() {
    return this.emu.url;
  }
  tf(args, allow) {
    return run(this.engine.binary, args, { cwd: this.workDir, env: this.env(), allow });
  }
  async init() {
    await this.tf(['init', '-input=false', '-no-color']);
  }
  apply() {
    return this.tf(['apply', '-auto-approve', '-input=false', '-no-color']);
  }
  plan() {
    return this.tf(['plan', '-input=false', '-no-color', '-detailed-exitcode'], [0, 2]);
  }
  destroy() {
    return this.tf(['destroy', '-auto-approve', '-input=false', '-no-color']);
  }
  cleanup() {
    if (this.dir && !process.env.BENCH_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

class Ours extends Side {
  async setup(tokens) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ours-'));
    this.stateUrl = stateServer?.url();
    await this.declare(tokens);
    await this.init();
  }
  get workDir() {
    return path.join(this.dir, 'cdktf.out', 'stacks', 'bench');
  }
  async declare(tokens) {
    fs.writeFileSync(path.join(this.dir, 'tokens.json'), JSON.stringify({ tokens, stateUrl: this.stateUrl }));
    await run(process.execPath, [path.join(REPO, 'bench', 'app.cjs')], {
      cwd: this.dir,
      env: { NODE_PATH: path.join(REPO, 'node_modules'), RT_LIB: path.join(DIST, 'lib') },
    });
  }
}

class Official extends Side {
  constructor(name, engine, emu, version) {
    super(name, engine, emu);
    this.version = version;
  }
  async setup(tokens) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-official-'));
    this.stateUrl = stateServer?.url();
    await this.declare(tokens);
    await this.init();
  }
  get workDir() {
    return this.dir;
  }
  // The provider's container registry client (sdk-go-bundle containerregistry/v2) uses the
  // endpoint as its server URL as it is, without adding /containerregistries (unlike ours and the
  // fact sheet's convention), so it needs the product path in IONOS_API_URL. See docs/benchmarks.md.
  apiUrl() {
    return `${this.emu.url}/containerregistries`;
  }
  async declare(tokens) {
    fs.writeFileSync(path.join(this.dir, 'main.tf'), hcl(tokens, this.version, this.stateUrl));
  }
}

// ---------------------------------------------------------------- measurements
const results = {}; // row -> side -> { ms: [], calls, notes }
const rowOrder = [];
let currentRun = 0;
function record(row, side, ms, calls, extra = {}) {
  if (!results[row]) {
    results[row] = {};
    rowOrder.push(row);
  }
  const r = (results[row][side] ??= { ms: [], calls: undefined, notes: new Set(), ...extra });
  r.ms.push(ms);
  if (calls) {
    if (r.calls && r.calls.by !== calls.by) r.notes.add(`calls varied: ${r.calls.by} / ${calls.by}`);
    r.calls = calls;
    if (calls.failed) r.notes.add(`${calls.failed} call(s) answered ≥ 400`);
  }
  for (const [k, v] of Object.entries(extra)) r[k] = v;
  return r;
}

/** BENCH_WAIT_QUIET=1: waits until the machine is quiet (bench/machine.mjs). */
async function waitQuiet() {
  if (process.env.BENCH_WAIT_QUIET === '1') await waitQuietMachine(log);
}

async function measure(row, side, fn) {
  await waitQuiet();
  await side.emu.clear();
  const res = await fn();
  const calls = summarize(await side.emu.requests());
  const r = record(row, side.name, res.ms, calls);
  if (res.code === 2 && row.startsWith('no-op plan')) r.notes.add('plan showed changes (exit 2)');
  log(`${side.name.padEnd(8)} ${row.padEnd(34)} ${(res.ms / 1000).toFixed(2).padStart(7)} s  ${calls.total} calls (${calls.by})`);
  return res;
}

async function synthRows(registryId) {
  const time = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  for (const n of SYNTH_SIZES) {
    if (!wanted(`synth ${n} tokens`)) continue;
    // 1,000 tokens take minutes to synth (see docs/benchmarks.md): once unless BENCH_SYNTH_1000_RUNS says more.
    const reps = n >= 1000 ? Math.min(RUNS, Number(process.env.BENCH_SYNTH_1000_RUNS ?? 1)) : RUNS;
    for (let rep = 0; rep < reps; rep++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
      fs.writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify({ tokens: declared(n, registryId) }));
      const app = [process.execPath, path.join(REPO, 'bench', 'app.cjs')];
      const env = { NODE_PATH: path.join(REPO, 'node_modules'), RT_LIB: path.join(DIST, 'lib') };
      const res = time ? await run(time, ['-v', ...app], { cwd: dir, env }) : await run(app[0], app.slice(1), { cwd: dir, env });
      const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(res.out)?.[1] ?? NaN);
      const size = fs.statSync(path.join(dir, 'cdktf.out', 'stacks', 'bench', 'cdk.tf.json')).size;
      const r = record(`synth ${n} tokens`, 'ours', res.ms);
      (r.rssMb ??= []).push(kb / 1024);
      r.jsonKb = size / 1024;
      log(`ours     synth ${n} tokens: ${(res.ms / 1000).toFixed(2)} s, peak RSS ${(kb / 1024).toFixed(0)} MiB, cdk.tf.json ${(size / 1024).toFixed(0)} KiB`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function deployRows(makeSide, emu) {
  for (const n of DEPLOY_SIZES) {
    if (n === STACK) continue; // measured as the first step of the stack scenarios
    if (!wanted(`deploy (create) ${n}`)) continue;
    await emu.reset();
    const side = makeSide();
    try {
      await side.setup(declared(n, emu.registryId));
      await measure(`deploy (create) ${n}`, side, () => side.apply());
      await side.destroy();
    } finally {
      side.cleanup();
    }
  }
}

/** BENCH_LARGE: create, then destroy, a stack of that many tokens; every token gone after. */
async function largeRows(makeSide, emu) {
  if (!LARGE || !(wanted(`deploy (create) ${LARGE}`) || wanted(`destroy ${LARGE}`))) return;
  await emu.reset();
  const side = makeSide();
  try {
    await side.setup(declared(LARGE, emu.registryId));
    await measure(`deploy (create) ${LARGE}`, side, () => side.apply());
    await measure(`destroy ${LARGE}`, side, () => side.destroy());
    const left = await emu.tokens();
    if (left.length) record(`destroy ${LARGE}`, side.name, NaN).notes.add(`${left.length} tokens left after destroy`);
  } finally {
    side.cleanup();
  }
}

async function stackRows(makeSide, emu) {
  const rows = [`deploy (create) ${STACK}`, `no-op plan, ${STACK} tokens`, `no-op apply, ${STACK} tokens`, ...['status', 'scopes', 'rename'].map((c) => `one ${c} change in ${STACK}`), `destroy ${STACK}`];
  if (!rows.some(wanted)) return;
  // A row not wanted (BENCH_ONLY) is skipped, or run untimed when a later one needs it (create, destroy).
  const step = (row, fn) => (wanted(row) ? measure(row, side, fn) : fn());
  await emu.reset();
  const side = makeSide();
  try {
    await side.setup(declared(STACK, emu.registryId));
    await step(`deploy (create) ${STACK}`, () => side.apply());
    if (wanted(`no-op plan, ${STACK} tokens`)) await measure(`no-op plan, ${STACK} tokens`, side, () => side.plan());
    if (wanted(`no-op apply, ${STACK} tokens`)) await measure(`no-op apply, ${STACK} tokens`, side, () => side.apply());
    for (const change of ['status', 'scopes', 'rename']) {
      if (!wanted(`one ${change} change in ${STACK}`)) continue;
      await side.declare(declared(STACK, emu.registryId, change));
      await measure(`one ${change} change in ${STACK}`, side, () => side.apply());
      // back to the base declaration, not measured (a rename back is another replace)
      await side.declare(declared(STACK, emu.registryId));
      await emu.clear();
      await side.apply();
    }
    await step(`destroy ${STACK}`, () => side.destroy());
    const left = await emu.tokens();
    if (left.length) record(`destroy ${STACK}`, side.name, NaN).notes.add(`${left.length} tokens left after destroy`);
  } finally {
    side.cleanup();
  }
}

// ---------------------------------------------------------------- report
const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const secs = (ms) => (Number.isNaN(ms) ? '—' : `${(ms / 1000).toFixed(2)} s`);
function cell(r) {
  if (!r) return { time: '—', calls: '—' };
  const ok = r.ms.filter((x) => !Number.isNaN(x));
  const time = ok.length > 1 ? `${secs(median(ok))} (${secs(Math.min(...ok))}–${secs(Math.max(...ok))})` : secs(ok[0] ?? NaN);
  let calls = r.calls ? `${r.calls.total}${r.calls.total ? ` (${r.calls.by})` : ''}` : '—';
  if (r.rssMb) calls = `peak RSS ${median(r.rssMb).toFixed(0)} MiB, ${r.jsonKb.toFixed(0)} KiB JSON`;
  return { time, calls };
}

function table(meta) {
  const lines = [
    '| scenario | ours: time, median (min–max) | ours: API calls | official: time | official: API calls | time ours/official |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of rowOrder) {
    const o = results[row].ours;
    const f = results[row].official;
    const a = cell(o);
    const b = row.startsWith('synth') ? { time: 'n/a (HCL, no synth)', calls: '—' } : f ? cell(f) : { time: meta.officialMissing ?? '—', calls: '—' };
    const ratio = o && f ? (median(o.ms) / median(f.ms)).toFixed(2) : '—';
    const notes = [...(o?.notes ?? []), ...[...(f?.notes ?? [])].map((n) => `official: ${n}`)];
    lines.push(`| ${row}${notes.length ? ` (${notes.join('; ')})` : ''} | ${a.time} | ${a.calls} | ${b.time} | ${b.calls} | ${ratio} |`);
  }
  const synth = SYNTH_SIZES.map((n) => results[`synth ${n} tokens`]?.ours).filter(Boolean);
  if (synth.length >= 2) {
    const first = synth[0];
    const last = synth.at(-1);
    const nRatio = SYNTH_SIZES.at(-1) / SYNTH_SIZES[0];
    meta.synthGrowth = {
      tokens: `${SYNTH_SIZES[0]} → ${SYNTH_SIZES.at(-1)} (×${nRatio})`,
      time: `×${(median(last.ms) / median(first.ms)).toFixed(1)}`,
      rss: `×${(median(last.rssMb) / median(first.rssMb)).toFixed(1)}`,
      perToken100to1000:
        results['synth 1000 tokens'] && results['synth 100 tokens']
          ? `time per token at 1000 / at 100: ×${((median(results['synth 1000 tokens'].ours.ms) / 1000) / (median(results['synth 100 tokens'].ours.ms) / 100)).toFixed(2)}`
          : undefined,
    };
  }
  return lines.join('\n');
}

function machine(engine, provider) {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    engine: engine.version,
    officialProvider: provider.version ? `ionoscloud ${provider.version} (${provider.source})` : provider.missing,
  };
}

function writeReport(meta, started, interrupted) {
  meta.seconds = Math.round((Date.now() - started) / 1000);
  if (interrupted) meta.interrupted = interrupted;
  const md = table(meta);
  const json = {
    ...meta,
    rows: rowOrder.map((row) => ({
      scenario: row,
      ...Object.fromEntries(
        Object.entries(results[row]).map(([side, r]) => [
          side,
          { ms: r.ms, medianMs: median(r.ms), calls: r.calls, rssMb: r.rssMb, jsonKb: r.jsonKb, notes: [...r.notes] },
        ]),
      ),
    })),
  };
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, `latest${VARIANT}.json`), JSON.stringify(json, null, 2) + '\n');
  const m = meta.machine;
  const text = [
    `Benchmark of ${meta.date} (${RUNS} run(s)${QUICK ? ', quick' : ''}${interrupted ? `, ${interrupted}` : ''}, emulator latency ${LATENCY} ms per call, ${OUTPUTS ? 'a sensitive password output per token on both sides' : 'no outputs on either side'}, ${BACKEND === 'http' ? 'remote state (http backend)' : 'local state'} on both sides, ${meta.seconds} s in all)`,
    '',
    `Machine: ${m.nproc} cores, ${m.cpu}, ${m.memoryGiB} GiB; Node ${m.node}; ${m.engine}; official provider: ${m.officialProvider}.`,
    '',
    md,
    '',
    meta.synthGrowth
      ? `Synth growth, ${meta.synthGrowth.tokens} tokens: time ${meta.synthGrowth.time}, peak RSS ${meta.synthGrowth.rss}${meta.synthGrowth.perToken100to1000 ? `; ${meta.synthGrowth.perToken100to1000}` : ''}.`
      : '',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(OUT, `latest${VARIANT}.md`), text);
  console.log(text);
}

// ---------------------------------------------------------------- main
async function main() {
  if (!['local', 'http'].includes(BACKEND)) die(`BENCH_BACKEND must be local or http, not "${BACKEND}"`);
  if (!fs.existsSync(path.join(DIST, 'handler', 'index.js'))) die(`${path.relative(REPO, DIST) || DIST}/ is missing: npm run build`);
  const engine = pickEngine();
  const provider = officialProvider();
  const meta = { date: new Date().toISOString(), runs: RUNS, quick: QUICK, latencyMs: LATENCY, stack: STACK, passwordOutputs: OUTPUTS, backend: BACKEND, machine: machine(engine, provider) };
  if (provider.missing) meta.officialMissing = `official provider ${provider.missing}`;
  log(`engine ${engine.version}; official provider: ${meta.machine.officialProvider}; ${RUNS} run(s); latency ${LATENCY} ms`);
  const emu = await startEmulator(LATENCY);
  if (BACKEND === 'http') stateServer = await startStateServer();
  const started = Date.now();
  // Ctrl-C (or SIGTERM) writes what was measured so far, marked as interrupted, then stops.
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      emu.stop();
      writeReport(meta, started, `interrupted by ${sig} in run ${currentRun}`);
      process.exit(130);
    });
  }
  try {
    if (SIDES.includes('ours')) await synthRows(emu.registryId);
    const sides = [];
    if (SIDES.includes('ours')) sides.push(() => new Ours('ours', engine, emu));
    if (SIDES.includes('official') && !provider.missing) sides.push(() => new Official('official', engine, emu, provider.version));
    for (let rep = 0; rep < RUNS; rep++) {
      currentRun = rep + 1;
      log(`--- run ${rep + 1}/${RUNS}`);
      for (const make of sides) {
        await deployRows(make, emu);
        await stackRows(make, emu);
      }
    }
    // Once, after the repetitions: minutes per side on local state.
    for (const make of sides) await largeRows(make, emu);
  } finally {
    emu.stop();
    stateServer?.stop();
  }
  writeReport(meta, started);
}

main().catch((e) => {
  console.error(`bench: ${e.stack ?? e}`);
  process.exit(1);
});
