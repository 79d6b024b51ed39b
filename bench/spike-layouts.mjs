#!/usr/bin/env node
// Spike for issue 19 (docs/design/apply-path.md): what the engine alone costs for candidate resource
// layouts of N tokens, local state, create and destroy. Every step is a stub: `sleep 0.05` (one API
// call) in a local-exec; a batched step sleeps 0.05 s × ceil(N/10) (10 calls at a time). No handler.
//
//   node bench/spike-layouts.mjs                 # all layouts, N = 100 (3 runs) and 1000 (1 run), both engines
//   SPIKE_N=100 SPIKE_RUNS=1 SPIKE_LAYOUTS=A,C SPIKE_ENGINES=tofu node bench/spike-layouts.mjs
//   SPIKE_OUT=bench/results/spike-layouts.md     where the table goes (default)
//   SPIKE_MERGE=a.md,b.md                        put earlier batches' tables (this script's output) first
//                                                (SPIKE_N=none: only merge)
//   SPIKE_QUIET_S=60                             wait up to this long for a quiet machine before each timed step
//   SPIKE_CHECK=1 SPIKE_CHECK_LAYOUT=B|R|S       only show which holders a rename and an update replace, then exit
//
// Layouts (docs/design/apply-path.md): A today's 2N+1; B batched creates, N+2; C the bound, N;
// D B with batched deletes; R B with compact stack state + intent; S R with no large value behind
// the holders' references (the recommendation); S2 S with the identity in the holder's key, no
// input; C+1KB C with 1,000 bytes more input.
//
// "official" is ionoscloud_container_registry_token against the emulator (--latency-ms 50), when
// scripts/peers.sh has built it into .engine/mirror.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyJiffies, startEmulator } from './machine.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = process.env.SPIKE_N === 'none' ? [] : (process.env.SPIKE_N ?? '100,1000').split(',').map(Number);
const RUNS_AT = (n) => Number(process.env.SPIKE_RUNS ?? (n >= 1000 ? 1 : 3));
const LAYOUTS = (process.env.SPIKE_LAYOUTS ?? 'A,B,C,D,R,S,C+1KB,official').split(',');
const OUT = path.resolve(REPO, process.env.SPIKE_OUT ?? 'bench/results/spike-layouts.md');
const RC = path.join(REPO, '.engine', 'terraformrc');
const ORDER = ['A', 'B', 'C', 'D', 'R', 'S', 'S2', 'C+1KB', 'official'];
const log = (...a) => console.error('spike:', ...a);
const QUIET_S = Number(process.env.SPIKE_QUIET_S ?? 60);
const CORES = os.availableParallelism?.() ?? os.cpus().length;
let busyStarts = 0;
/** Waits (SPIKE_QUIET_S at most) until the machine is under 15 % busy over half a second; counts the steps that started busier. */
async function quiet() {
  const until = Date.now() + QUIET_S * 1000;
  for (;;) {
    const a = busyJiffies();
    await new Promise((r) => setTimeout(r, 500));
    const busy = (busyJiffies() - a) / (50 * CORES);
    if (busy < 0.15) return;
    if (Date.now() > until) return void busyStarts++;
  }
}

// ---------------------------------------------------------------- engines
function engines() {
  const want = (process.env.SPIKE_ENGINES ?? 'terraform,tofu').split(',');
  const tofu = [path.join(REPO, '.engine', 'bin', 'tofu')];
  const listed = path.join(REPO, '.engine', 'engines');
  if (fs.existsSync(listed)) for (const l of fs.readFileSync(listed, 'utf8').split('\n')) if (l.startsWith('tofu ')) tofu.unshift(l.split(' ')[1]);
  const all = [
    { name: 'terraform', binary: 'terraform' },
    { name: 'tofu', binary: tofu.find((b) => fs.existsSync(b)) },
  ];
  return all.filter((e) => want.includes(e.name) && e.binary);
}

function run(cmd, args, cwd, env = {}) {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code} in ${cwd}:\n${out.slice(-3000)}`));
      else resolve({ s, out });
    });
  });
}

// ---------------------------------------------------------------- layouts
const uuid = (i) => {
  const h = crypto.createHash('sha256').update(`token-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const REGISTRY = '11111111-1111-4111-8111-111111111111';
const tag = (s) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
const tok = (i) => ({ i, path: `bench/t${i}`, id: uuid(i), name: `bench-${i}` });
/** What today's `password.input` holds (~170 bytes). */
const identity = (t, pad = '') =>
  JSON.stringify({ registry_id: REGISTRY, token_id: t.id, name: t.name, path: t.path, api_url: '', ...(pad ? { pad } : {}) });
/** What today's specs resource holds per token (~220 bytes). */
const entry = (t) => ({ expiry_date: 'never', name: t.name, registry_id: REGISTRY, scopes: ['repository app/* pull,push'], status: 'enabled', token_id: t.id });
const sha = (s, chars) => crypto.createHash('sha256').update(s).digest('hex').slice(0, chars);
/** A token's create key (id and rotation), and its spec's digest: 8 hex each. */
const createKey = (t) => sha(`${t.id}|rotation`, 8);
const specKey = (t) => sha(JSON.stringify(entry(t)), 8);
/** The holder (`password`) resource of a token. */
const holder = (t) => `t${t.i}_password_${tag(`p${t.i}`)}`;
/** `done`: after every holder, it clears the result files (a stub here). */
const doneAfter = (ts) => ({ depends_on: ts.map((t) => `terraform_data.${holder(t)}`), triggers_replace: '${terraform_data.apply.id}', provisioner: [exec(':')] });
const STEP = 'sleep 0.05';
const batch = (n) => `sleep ${(0.05 * Math.ceil(n / 10)).toFixed(2)}`;
const exec = (command, extra = {}) => ({ 'local-exec': { command, quiet: true, ...extra } });
/** A create stub that leaves the result file a password resource reads: `.rt/<token id>.<key>.result.json`. */
const writeResult = (t, key) => `${STEP}; umask 077; printf '{"password":"%s"}' pw-${crypto.randomBytes(12).toString('hex')} > .rt/${t.id}.${key}.result.json`;
const readResult = (t, key) => {
  const p = `.rt/${t.id}.\${${key}}.result.json`;
  return `\${sensitive(fileexists("${p}") ? jsondecode(file("${p}")).password : "")}`;
};

const LAYOUT = {
  // Today (0.5): per token `create` + `password`, one `specs` after all passwords. 2N+1.
  A: (ts) => {
    const r = {};
    for (const t of ts) {
      const c = `t${t.i}_create_${tag(`c${t.i}`)}`;
      const p = `t${t.i}_password_${tag(`p${t.i}`)}`;
      r[c] = { triggers_replace: { token_id: t.id }, provisioner: [exec(writeResult(t, '${self.id}'))] };
      r[p] = {
        depends_on: [`terraform_data.${c}`],
        input: identity(t),
        triggers_replace: readResult(t, `terraform_data.${c}.id`),
        lifecycle: { ignore_changes: ['triggers_replace'], replace_triggered_by: [`terraform_data.${c}`] },
        provisioner: [exec(STEP, { when: 'destroy' }), exec(':', { on_failure: 'continue' })],
      };
      t.c = c;
      t.p = p;
    }
    r['registry-token-specs'] = {
      depends_on: ts.map((t) => `terraform_data.${t.p}`),
      triggers_replace: {
        creates: `\${substr(sha256(join(",", [${ts.map((t) => `terraform_data.${t.c}.id`).join(', ')}])), 0, 16)}`,
        tokens: Object.fromEntries(ts.map((t) => [t.path, entry(t)])),
      },
      provisioner: [exec(STEP), exec(':', { when: 'destroy' })],
    };
    return r;
  },
  // One stack `apply` step does every create (and update); per token one `password` that reads its
  // result file and deletes the token when destroyed; `done` after all passwords sweeps the result
  // files. N+2. A token is replaced through replace_triggered_by on its own key in `apply`.
  B: (ts, n) => {
    const r = {
      apply: {
        triggers_replace: { creates: Object.fromEntries(ts.map((t) => [`t${t.i}`, t.id])), tokens: Object.fromEntries(ts.map((t) => [t.path, entry(t)])) },
        provisioner: [exec(`sh .rt/apply.sh \${self.id}`)],
      },
    };
    for (const t of ts) {
      r[holder(t)] = {
        input: identity(t),
        triggers_replace: readResult(t, 'terraform_data.apply.id'),
        lifecycle: { ignore_changes: ['triggers_replace'], replace_triggered_by: [`terraform_data.apply.triggers_replace.creates.t${t.i}`] },
        provisioner: [exec(STEP, { when: 'destroy' })],
      };
    }
    r.done = doneAfter(ts);
    return r;
  },
  // The bound: one resource per token that creates and deletes (cannot hold its own password). N.
  C: (ts) => {
    const r = {};
    for (const t of ts) {
      r[`t${t.i}_token_${tag(`k${t.i}`)}`] = {
        triggers_replace: { token_id: t.id },
        input: identity(t),
        provisioner: [exec(STEP), exec(STEP, { when: 'destroy' })],
      };
    }
    return r;
  },
  // B with compact stack state, and the intent recorded first. `intent` holds a
  // digest of the create keys and, kept by ignore_changes, the plan time of the run that first
  // declared them; it is in the state before `apply` runs. `apply` holds an 8-hex key per token
  // (rotation included) as attributes for replace_triggered_by, and one string of 8-hex spec digests
  // (not the entries: the step GETs and diffs only the tokens whose digest changed). A holder keeps
  // only `<registry>/<token id>` and the password. N+3.
  R: (ts, n) => {
    const creates = Object.fromEntries(ts.map((t) => [`t${t.i}`, createKey(t)]));
    const r = {
      intent: {
        triggers_replace: sha(JSON.stringify(creates), 16),
        input: '${plantimestamp()}',
        lifecycle: { ignore_changes: ['input'] },
      },
      apply: {
        triggers_replace: { creates, specs: JSON.stringify(Object.fromEntries(ts.map((t) => [`t${t.i}`, specKey(t)]))) },
        provisioner: [exec(`sh .rt/apply.sh \${self.id}`, { environment: { INTENT: '${terraform_data.intent.output}' } })],
      },
    };
    for (const t of ts) {
      r[holder(t)] = {
        input: `${REGISTRY}/${t.id}`,
        triggers_replace: readResult(t, 'terraform_data.apply.id'),
        lifecycle: { ignore_changes: ['triggers_replace'], replace_triggered_by: [`terraform_data.apply.triggers_replace.creates.t${t.i}`] },
        provisioner: [exec(STEP, { when: 'destroy' })],
      };
    }
    r.done = doneAfter(ts);
    return r;
  },
  // R without the large object that every holder references: OpenTofu decodes `apply`'s whole value
  // for each holder's reference to it, so `apply` keeps one digest (`triggers_replace`) and one string
  // of spec digests (`input`, for the next run's destroy-time handoff). A holder carries its own
  // create key next to the password (`ignore_changes` on the password alone), so it is replaced
  // exactly when its key changes, without replace_triggered_by. N+3.
  S: (ts, n) => {
    const creates = Object.fromEntries(ts.map((t) => [`t${t.i}`, createKey(t)]));
    const specs = Object.fromEntries(ts.map((t) => [`t${t.i}`, specKey(t)]));
    const r = {
      intent: { triggers_replace: sha(JSON.stringify(creates), 16), input: '${plantimestamp()}', lifecycle: { ignore_changes: ['input'] } },
      apply: {
        triggers_replace: sha(JSON.stringify({ creates, specs }), 16),
        input: JSON.stringify(specs),
        provisioner: [exec(`sh .rt/apply.sh \${self.id}`, { environment: { INTENT: '${terraform_data.intent.output}' } }), exec(':', { when: 'destroy' })],
      },
    };
    for (const t of ts) {
      const p = `.rt/${t.id}.\${terraform_data.apply.id}.result.json`;
      r[holder(t)] = {
        input: `${REGISTRY}/${t.id}`,
        triggers_replace: `\${tomap({key = "${createKey(t)}", password = sensitive(fileexists("${p}") ? jsondecode(file("${p}")).password : "")})}`,
        lifecycle: { ignore_changes: ['triggers_replace["password"]'] },
        provisioner: [exec(STEP, { when: 'destroy' })],
      };
    }
    r.done = doneAfter(ts);
    return r;
  },
  // S with the identity folded into the holder's key (`<registry>/<token id>/<key>`), no `input`. N+3.
  S2: (ts, n) => {
    const r = LAYOUT.S(ts, n);
    for (const t of ts) {
      const h = r[holder(t)];
      delete h.input;
      h.triggers_replace = h.triggers_replace.replace(/key = "([0-9a-f]{8})"/, `key = "${REGISTRY}/${t.id}/$1"`);
    }
    return r;
  },
  // C with 1,000 bytes more state per resource: what a state byte costs.
  'C+1KB': (ts) => {
    const r = LAYOUT.C(ts);
    for (const [k, v] of Object.entries(r)) v.input = identity(ts[Number(/^t(\d+)_/.exec(k)[1])], 'x'.repeat(1000));
    return r;
  },
  // B with deletes batched too: per token only the password (no provisioner, no identity); `apply`
  // also deletes (its destroy-time step). N+2.
  D: (ts, n) => {
    const r = LAYOUT.B(ts, n);
    r.apply.provisioner.push(exec(batch(n), { when: 'destroy' }));
    for (const t of ts) {
      const p = r[holder(t)];
      delete p.input;
      delete p.provisioner;
    }
    return r;
  },
};

function applyScript(ts, n) {
  const lines = ['#!/bin/sh', '# stub of the batched create step: every result file, then one sleep per 10 calls', 'umask 077'];
  for (const t of ts) lines.push(`printf '{"password":"%s"}' pw-${crypto.randomBytes(12).toString('hex')} > .rt/${t.id}.$1.result.json`);
  lines.push(batch(n));
  return lines.join('\n') + '\n';
}

function officialHcl(ts, version, registryId) {
  return `terraform {
  required_providers {
    ionoscloud = {
      source  = "ionos-cloud/ionoscloud"
      version = "= ${version}"
    }
  }
}
provider "ionoscloud" {}
${ts
  .map(
    (t) => `resource "ionoscloud_container_registry_token" "t${t.i}" {
  registry_id = "${registryId}"
  name        = "${t.name}"
  status      = "enabled"
  scopes {
    type    = "repository"
    name    = "app/*"
    actions = ["pull", "push"]
  }
}
`,
  )
  .join('')}`;
}

function officialVersion() {
  const base = path.join(REPO, '.engine', 'mirror', 'registry.terraform.io', 'ionos-cloud', 'ionoscloud');
  if (!fs.existsSync(base)) return undefined;
  return fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'linux_amd64', `terraform-provider-ionoscloud_v${v}`))).sort().at(-1);
}

// ---------------------------------------------------------------- one cell
async function cell(engine, layout, n, ctx) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spike-'));
  const ts = Array.from({ length: n }, (_, i) => tok(i));
  const env = { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: RC };
  let resources;
  try {
    if (layout === 'official') {
      fs.writeFileSync(path.join(dir, 'main.tf'), officialHcl(ts, ctx.official, ctx.emu.registryId));
      Object.assign(env, { IONOS_API_URL: `${ctx.emu.url}/containerregistries`, IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' });
      await ctx.emu.reset();
      resources = n;
    } else {
      const r = LAYOUT[layout](ts, n);
      resources = Object.keys(r).length;
      fs.mkdirSync(path.join(dir, '.rt'));
      fs.writeFileSync(path.join(dir, '.rt', 'apply.sh'), applyScript(ts, n));
      fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ resource: { terraform_data: r } }, null, 1));
    }
    await run(engine.binary, ['init', '-input=false', '-no-color'], dir, env);
    await quiet();
    const c = await run(engine.binary, ['apply', '-auto-approve', '-input=false', '-no-color'], dir, env);
    const state = fs.statSync(path.join(dir, 'terraform.tfstate')).size;
    if (layout !== 'official') {
      // every password is in the state (the layouts that hold one)
      const st = JSON.parse(fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8'));
      const held = st.resources.filter((x) => /_password_/.test(x.name) && /^pw-/.test(((v) => v?.password ?? v)(x.instances[0].attributes.triggers_replace?.value))).length;
      if (['A', 'B', 'D', 'R', 'S', 'S2'].includes(layout) && held !== n) throw new Error(`${layout} ${n}: ${held} passwords in the state`);
    }
    await quiet();
    const d = await run(engine.binary, ['destroy', '-auto-approve', '-input=false', '-no-color'], dir, env);
    if (layout === 'official') {
      const left = await ctx.emu.tokens();
      if (left.length) throw new Error(`official ${n}: ${left.length} tokens left after destroy`);
    }
    return { create: c.s, destroy: d.s, state, resources };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** SPIKE_CHECK=1 (SPIKE_CHECK_LAYOUT=B or R): the replace_triggered_by on `apply.triggers_replace.creates["<path>"]` replaces only that token. */
async function check(engine) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spike-check-'));
  const env = { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: RC };
  try {
    const write = (ts) => {
      fs.writeFileSync(path.join(dir, '.rt', 'apply.sh'), applyScript(ts, ts.length));
      fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ resource: { terraform_data: LAYOUT[process.env.SPIKE_CHECK_LAYOUT ?? 'B'](ts, ts.length) } }, null, 1));
    };
    fs.mkdirSync(path.join(dir, '.rt'));
    const ts = [0, 1, 2].map(tok);
    write(ts);
    await run(engine.binary, ['init', '-input=false', '-no-color'], dir, env);
    await run(engine.binary, ['apply', '-auto-approve', '-input=false', '-no-color'], dir, env);
    ts[1] = { ...ts[1], id: uuid(101), name: 'bench-1-renamed' };
    ts[2] = { ...ts[2], name: 'bench-2-updated' }; // entry only, same key
    write(ts);
    const p = await run(engine.binary, ['plan', '-input=false', '-no-color'], dir, env);
    if (process.env.SPIKE_CHECK_FULL) console.log(p.out);
    console.log(`${engine.name}:`, p.out.split('\n').filter((l) => /must be replaced|will be (created|destroyed|updated)|Plan:|replace_triggered_by/.test(l)).join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function main() {
  const es = engines();
  if (process.env.SPIKE_CHECK === '1') {
    for (const e of es) await check(e);
    return;
  }
  const version = async (e) => (await run(e.binary, ['version'], REPO, { TF_CLI_CONFIG_FILE: RC })).out.split('\n')[0];
  for (const e of es) e.version = await version(e);
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const ctx = { official: officialVersion() };
  let officialNote = ctx.official ? `ionoscloud ${ctx.official} (emulator, 50 ms per call)` : 'not built (bash scripts/peers.sh provider)';
  if (LAYOUTS.includes('official') && ctx.official) ctx.emu = await startEmulator(50);
  const rows = [];
  const started = Date.now();
  try {
    for (const e of es) {
      for (const n of SIZES) {
        for (const layout of LAYOUTS) {
          if (layout === 'official' && !ctx.official) continue;
          const got = [];
          for (let i = 0; i < RUNS_AT(n); i++) {
            const r = await cell(e, layout, n, ctx);
            log(`${e.name} ${layout} N=${n}: ${r.resources} resources, create ${r.create.toFixed(2)} s, destroy ${r.destroy.toFixed(2)} s, state ${r.state} B`);
            got.push(r);
          }
          rows.push({
            engine: e.name,
            layout,
            n,
            resources: got[0].resources,
            create: median(got.map((r) => r.create)),
            destroy: median(got.map((r) => r.destroy)),
            state: median(got.map((r) => r.state)),
            runs: got.length,
          });
        }
      }
    }
  } finally {
    ctx.emu?.stop();
  }
  // SPIKE_MERGE=a.md,b.md: earlier batches' tables (this script's output) go first, with their header lines.
  const merged = { heads: [], rows: [] };
  for (const f of (process.env.SPIKE_MERGE ?? '').split(',').filter(Boolean)) {
    const text = fs.readFileSync(f, 'utf8').split('\n');
    const busy = text.map((l) => /(\d+ timed step\(s\) started[^.]*\.)/.exec(l)?.[1]).find((x) => x && !text.some((h) => h.startsWith('Batch ')));
    merged.heads.push(...text.filter((l) => l.startsWith('Batch ') || l.startsWith('Spike of ')).map((l) => l.replace(/^Spike of /, 'Batch of ').replace(/\.$/, busy ? `; ${busy}` : '.')));
    merged.rows.push(...text.filter((l) => /^\| (terraform|tofu) \|/.test(l)));
  }
  const lines = [
    ...merged.heads,
...(rows.length ? [`Batch of ${new Date().toISOString()} (${Math.round((Date.now() - started) / 1000)} s): ${os.availableParallelism?.() ?? os.cpus().length} cores, ${cpu}; ${es.map((e) => e.version).join(', ')}; official provider: ${officialNote}; ${busyStarts} timed step(s) started with the machine over 15 % busy after ${QUIET_S} s of waiting (other agents share the cores).`] : []),
    '',
    `Local state, -parallelism 10, stub steps \`sleep 0.05\` (batched: 0.05 s × ceil(N/10)). Median of 3 runs at N = 100, 1 run at N = 1,000.`,
    '',
    '| engine | layout | resources | N | create s | destroy s | state bytes |',
    '|---|---|---|---|---|---|---|',
    ...[...merged.rows, ...rows.map((r) => `| ${r.engine} | ${r.layout} | ${r.resources} | ${r.n} | ${r.create.toFixed(2)} | ${r.destroy.toFixed(2)} | ${r.state} |`)]
      .map((l) => ({ l, f: l.split('|').map((x) => x.trim()) }))
      .sort((a, b) => a.f[1].localeCompare(b.f[1]) || Number(a.f[4]) - Number(b.f[4]) || ORDER.indexOf(a.f[2]) - ORDER.indexOf(b.f[2]))
      .map((x) => x.l),
    '',
  ];
  const text = lines.join('\n');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  console.log(text);
}

main().catch((e) => {
  console.error(`spike: ${e.stack ?? e}`);
  process.exit(1);
});
