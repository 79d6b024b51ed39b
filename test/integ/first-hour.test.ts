/**
 * A user's first hour, as the README's first screen tells it, on cdktf and on cdktn: the packed
 * package (`npm pack`, what npm would publish) installed into a fresh app by the README's install
 * commands, the README's main.ts, then the emulator from the installed package and the README's
 * deploy commands, as written. The blocks are the README's `<!-- user-path: ... -->` ones; every line
 * of them runs, and a line of a kind this test does not know fails it. The only changes: the package
 * name becomes the tarball's path (it is not published), and the emulator's port a free one.
 *
 * The user's shell: a supported Node.js (22) first on PATH, then the engine; nothing of this
 * repository (no NODE_PATH, no npm_* variables of the `npm test` that runs this); no network but
 * the package registry. Checked: no npm warning names this package and its installed manifest has no
 * lifecycle script; the deploy summary names the output as Terraform does (`ci-push_password`); the
 * token exists and its password logs in (the emulator's docker-login check).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { supportedNodeBin } from '../helper/jsii';
import { engines, REPO } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const PACKAGE = 'cdktf-ionos-registry-token';
const EMULATOR_BIN = 'ionos-registry-emulator';
/** npm runs these itself (install, pack, publish); the published manifest must have none. */
const LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare', 'prepack', 'postpack', 'prepublish', 'prepublishOnly', 'publish', 'postpublish', 'dependencies'];

/** The lines of the README block marked `<!-- user-path: <key> -->`, comments and blank lines kept out. */
function userPath(key: string): string[] {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const marker = `<!-- user-path: ${key} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no block marked ${marker}`);
  const m = /^\s*```[a-z]*\n([\s\S]*?)\n```/.exec(readme.slice(at + marker.length));
  if (!m) throw new Error(`README.md: no code block right after ${marker}`);
  return m[1].split('\n');
}

const commands = (lines: string[]) => lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

interface Run {
  code: number;
  all: string;
}

/** Runs one line through bash in `cwd`, in a process group of its own (killed after 5 minutes). */
function sh(line: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let all = '';
    child.stdout.on('data', (d) => (all += d));
    child.stderr.on('data', (d) => (all += d));
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5 * 60 * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, all });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const engine = engines()[0];
let nodeBin: string;
let root: string;
let tarball: string;
beforeAll(() => {
  nodeBin = supportedNodeBin();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-first-hour-'));
  const packed = spawnText('npm', ['pack', '--silent', '--pack-destination', root], REPO);
  tarball = path.join(root, packed.trim().split('\n').pop()!);
});
afterAll(() => {
  if (root && !process.env.KEEP_WORKSPACES) fs.rmSync(root, { recursive: true, force: true });
});

function spawnText(cmd: string, args: string[], cwd: string): string {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: userEnv() });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  return res.stdout;
}

/** The user's shell: this process's environment without what ties it to this repository or to `npm test`. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const own = (k: string) => /^npm_/i.test(k) || /^JSII_/.test(k) || ['NODE_PATH', 'RT_LIB', 'INIT_CWD', 'TERRAFORM_BINARY_NAME', 'NODE_OPTIONS'].includes(k);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !own(k)));
  return {
    ...env,
    PATH: `${nodeBin}:${path.dirname(engine.binary)}:${process.env.PATH}`,
    // The user's settings, not the commands: the npm cache first, no audit or funding lines, no
    // checkpoint calls; the engine's CLI config has no provider registry (none is needed).
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: path.join(REPO, '.engine', 'terraformrc'),
    // README: "for OpenTofu, export TERRAFORM_BINARY_NAME=tofu"
    ...(engine.name === 'tofu' ? { TERRAFORM_BINARY_NAME: 'tofu' } : {}),
    ...extra,
  };
}

describe.each(['cdktf', 'cdktn'] as const)(`the README's first screen on %s (${engine.name})`, (core) => {
  let app: string;
  let emu: RunningEmulator | undefined;
  let installOutput = '';
  beforeAll(async () => {
    app = path.join(root, core);
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: `my-${core}-app`, version: '1.0.0', private: true }, null, 2));
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('installs with the README commands, and nothing of ours warns', async () => {
    const lines = commands(userPath(`${core} install`));
    expect(lines.some((l) => new RegExp(`\\s${PACKAGE}(\\s|$)`).test(l))).toBe(true);
    for (const line of lines) {
      const res = await sh(line.replace(new RegExp(`(\\s)${PACKAGE}(?=\\s|$)`), `$1${tarball}`), app, userEnv());
      installOutput += res.all;
      if (res.code !== 0) throw new Error(`${line}: exit ${res.code}\n${res.all.slice(-3000)}`);
    }
    const ours = installOutput.split('\n').filter((l) => /\bwarn/i.test(l) && l.includes(PACKAGE));
    expect(ours).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', PACKAGE, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => LIFECYCLE.includes(s))).toEqual([]);
    for (const bin of [EMULATOR_BIN, 'registry-token']) expect(fs.existsSync(path.join(app, 'node_modules', '.bin', bin))).toBe(true);
  });

  test("the README's main.ts compiles against the installed types", async () => {
    const source = userPath('main.ts').join('\n');
    // README: "with CDK Terrain, App and TerraformStack come from 'cdktn'"
    const main = core === 'cdktn' ? source.replace("from 'cdktf';", "from 'cdktn';") : source;
    expect(main).toContain(`from '${core}';`);
    fs.writeFileSync(path.join(app, 'main.ts'), main);
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const res = await sh(`node ${tsc} --strict --target es2022 --module commonjs --skipLibCheck main.ts`, app, userEnv());
    if (res.code !== 0) throw new Error(`tsc main.ts: ${res.all}`);
    // What `cdktf init` writes, with the compiled file in place of ts-node.
    fs.writeFileSync(path.join(app, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.js', sendCrashReports: false, terraformProviders: [] }));
  });

  test('the emulator from the installed package and the README deploy give a token whose password logs in', async () => {
    const port = String(await freePort());
    let env = userEnv();
    let deployed: Run | undefined;
    for (const line of commands(userPath(`${core} deploy`))) {
      const emulator = new RegExp(`^npx ${EMULATOR_BIN}((?:\\s+[^\\s&]+)*)\\s*&$`).exec(line);
      if (emulator) {
        const args = emulator[1].trim().split(/\s+/).filter(Boolean).map((a) => (a === '8787' ? port : a));
        expect(args).toContain(port);
        emu = await startEmulator(args, { bin: path.join(app, 'node_modules', '.bin', EMULATOR_BIN), env: userEnv() });
        expect(emu.url).toBe(`http://127.0.0.1:${port}`);
      } else if (/^export\s/.test(line)) {
        const vars = line.replace(/^export\s+/, '').split(/\s+/).map((kv) => kv.split('=') as [string, string]);
        env = { ...env, ...Object.fromEntries(vars.map(([k, v]) => [k, v.replace(':8787', `:${port}`)])) };
      } else if (new RegExp(`^npx ${core} deploy\\s`).test(line)) {
        deployed = await sh(line, app, env);
        if (deployed.code !== 0) throw new Error(`${line}: exit ${deployed.code}\n${deployed.all.slice(-3000)}`);
      } else {
        throw new Error(`a line of the README's "${core} deploy" block that this test does not know how to run: ${line}`);
      }
    }
    expect(emu).toBeDefined();
    expect(deployed).toBeDefined();
    // The summary names the output as Terraform does, not by the construct id of 0.5.
    const summary = deployed!.all.replace(/\x1b\[[0-9;]*m/g, '');
    expect(summary).toMatch(/ci-push_password\s*=\s*<sensitive>/);
    expect(summary).not.toMatch(/password-output/);
    expect(summary).not.toMatch(/end-of-life|!!!!/); // a supported Node.js: no banner
    const state = JSON.parse(fs.readFileSync(path.join(app, 'terraform.registry.tfstate'), 'utf8'));
    const password = String(state.outputs['ci-push_password'].value);
    expect((await emu!.listTokens()).map((t) => t.properties.name)).toEqual(['ci-push']);
    expect(await emu!.login(emu!.registryId, 'ci-push', password)).toBe(true);
    expect(summary).not.toContain(password);
  });
});
