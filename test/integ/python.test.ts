/**
 * A real Python user: the wheel jsii-pacmak builds from this package, installed in a fresh venv with
 * `cdktf` 0.21 (or `cdktn` 0.24) from PyPI, running examples/python/main.py (two tokens). It is
 * deployed with the real CLI of that core (cdktf-cli from node_modules, cdktn-cli from
 * scripts/cdktn.sh) and the real engine against the emulator: both passwords log in, a second deploy
 * is a no-op with no API call, destroy removes both. A name the rules refuse reaches Python as one
 * line naming the construct path. The jsii runtime runs on a supported Node.js (22+, first on the
 * user's PATH) and prints no banner about it: nothing is set to keep it quiet.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { periodStart, rotationPeriod } from '../../lib/schedule';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { pacmak, SUPPORTED_NODE_MAJOR, supportedNodeBin } from '../helper/jsii';
import { engines, REPO, Workspace } from '../helper/workspace';

jest.setTimeout(15 * 60 * 1000);

const APP = path.join(REPO, 'examples', 'python', 'main.py');
const STACK = 'python-tokens';
const CORES = [
  { core: 'cdktf', pip: 'cdktf==0.21.0' },
  { core: 'cdktn', pip: 'cdktn==0.24.0' },
] as const;

/** The wheel in dist-jsii/python, built by jsii-pacmak from the current assembly (.jsii) when older. */
function wheel(): string {
  const dir = path.join(REPO, 'dist-jsii', 'python');
  const find = () => (fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.whl')) : undefined);
  const assembly = fs.statSync(path.join(REPO, '.jsii')).mtimeMs;
  const built = find();
  if (!built || fs.statSync(path.join(dir, built)).mtimeMs < assembly) {
    pacmak(['--targets', 'python']);
  }
  return path.join(dir, find()!);
}

/** A fresh venv with the wheel and one core from PyPI; returns its python. */
function venv(root: string, pip: string, whl: string): string {
  const dir = path.join(root, pip.split('==')[0]);
  execFileSync('python3', ['-m', 'venv', dir], { stdio: 'inherit' });
  const python = path.join(dir, 'bin', 'python');
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', whl, pip], { stdio: ['ignore', 'inherit', 'inherit'] });
  return python;
}

let root: string;
let whl: string;
let cdktnBin: string;
let nodeBin: string;
beforeAll(() => {
  nodeBin = supportedNodeBin();
  whl = wheel();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-python-'));
  cdktnBin = execFileSync('bash', [path.join(REPO, 'scripts', 'cdktn.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
});
afterAll(() => {
  if (root && !process.env.KEEP_WORKSPACES) fs.rmSync(root, { recursive: true, force: true });
});

test('the wheel depends on constructs and the jsii runtime only: neither core is forced on the user', () => {
  const metadata = execFileSync('unzip', ['-p', whl, '*.dist-info/METADATA'], { encoding: 'utf8' });
  const requires = metadata.split('\n').filter((l) => l.startsWith('Requires-Dist:')).map((l) => l.split(/[ ;<>=]/)[1]);
  expect(requires).toEqual(expect.arrayContaining(['constructs', 'jsii']));
  expect(requires).not.toContain('cdktf');
  expect(requires).not.toContain('cdktn');
});

describe.each(CORES.map((c) => [c.core, c] as const))('a Python app on %s', (core, { pip }) => {
  let python: string;
  let emu: RunningEmulator;
  beforeAll(async () => {
    python = venv(root, pip, whl);
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  // The real user's environment: no NODE_PATH into this repository; a supported Node.js, the engine
  // and the core's CLI on PATH; none of the jsii runtime's variables that silence its Node.js banner.
  const userEnv = (engine = engines()[0]) => ({
    NODE_PATH: '',
    RT_LIB: '',
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '',
    JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '',
    JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION: '',
    PATH: `${core === 'cdktn' ? `${cdktnBin}:` : ''}${nodeBin}:${path.dirname(engine.binary)}:${process.env.PATH}`,
  });
  /** The jsii runtime's banner about the Node.js it runs on (end of life, deprecated, untested). */
  const NODE_BANNER = /end-of-life|has not been tested|!!!!/;

  test(`the jsii runtime runs on the Node.js ${SUPPORTED_NODE_MAJOR}+ first on the user's PATH`, async () => {
    const ws = new Workspace(engines()[0], {}, STACK);
    try {
      const script = 'import shutil, subprocess; print(subprocess.run([shutil.which("node"), "--version"], capture_output=True, text=True).stdout)';
      const res = await ws.run(python, ['-c', script], { env: userEnv() });
      expect(Number(/^v(\d+)\./.exec(res.stdout.trim())?.[1])).toBeGreaterThanOrEqual(SUPPORTED_NODE_MAJOR);
    } finally {
      ws.cleanup();
    }
  });

  test('a name the rules refuse is one line naming the construct path, with no trace into the library', async () => {
    const ws = new Workspace(engines()[0], {}, STACK);
    try {
      const res = await ws.run(python, [APP], { env: { ...userEnv(), PUSH_TOKEN_NAME: '1abc' } });
      expect(res.code).not.toBe(0);
      const lines = res.stderr.trim().split('\n');
      expect(lines.at(-1)).toBe(`RuntimeError: ${STACK}/ci-push: name "1abc" must start with a letter a-z (3-63 chars of a-z, A-Z, 0-9, "-")`);
      expect(res.stderr).not.toMatch(/\.js:\d+/); // no JavaScript stack frame
      expect(res.stderr).not.toMatch(NODE_BANNER);
    } finally {
      ws.cleanup();
    }
  });

  test("the error's name is testable from Python: RegistryTokenErrors.CONFIG_ERROR_NAME heads the JavaScript error it comes from", async () => {
    const script = [
      `from ${core} import App, TerraformStack`,
      'from cdktf_ionos_registry_token import RegistryToken, RegistryTokenErrors, ScopeAction, ScopeType, TokenScope',
      'stack = TerraformStack(App(), "s")',
      'try:',
      '    RegistryToken(stack, "t", registry_id="5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a", name="1abc", scopes=[TokenScope(type=ScopeType.REPOSITORY, name="a/*", actions=[ScopeAction.PULL])])',
      'except RuntimeError as e:',
      '    assert str(e.__cause__).strip().startswith(RegistryTokenErrors.CONFIG_ERROR_NAME + ": s/t: "), str(e.__cause__)',
      '    print(str(e))',
    ].join('\n');
    const ws = new Workspace(engines()[0], {}, STACK);
    try {
      const res = await ws.run(python, ['-c', script], { env: userEnv() });
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout.trim()).toBe('s/t: name "1abc" must start with a letter a-z (3-63 chars of a-z, A-Z, 0-9, "-")');
    } finally {
      ws.cleanup();
    }
  });

  describe.each(engines().map((e) => [e.name, e] as const))('deployed with %s', (_name, engine) => {
    test('every password logs in, a second deploy makes no API call, a new period rotates without downtime, destroy removes all', async () => {
      const ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl }, STACK);
      fs.writeFileSync(path.join(ws.dir, 'cdktf.json'), JSON.stringify({ language: 'python', app: `${python} ${APP}`, sendCrashReports: false }));
      const cli = core === 'cdktn' ? path.join(cdktnBin, 'cdktn') : path.join(REPO, 'node_modules', '.bin', 'cdktf');
      // "now" at synth (the documented test aid): the first hour of a period, then of the next one
      const period = rotationPeriod(30, new Date()) + 1;
      const at = (p: number) => ({ IONOS_REGISTRY_TOKEN_SYNTH_NOW: new Date(periodStart(30, p).getTime() + 3600_000).toISOString() });
      const run = (args: string[], extra: Record<string, string> = at(period)) => ws.run(cli, args, { env: { ...userEnv(engine), ...extra } });
      const slot = (p: number) => `cluster-rotating-${p % 2 === 0 ? 'a' : 'b'}`;
      try {
        const first = await run(['deploy', STACK, '--auto-approve']);
        if (first.code !== 0) throw new Error(first.all.slice(-3000));
        expect(first.all).not.toMatch(NODE_BANNER); // the synth the deploy ran
        const tokens = await emu.listTokens(emu.registryId);
        expect(tokens.map((t) => t.properties.name).sort()).toEqual(['ci-push', 'cluster-pull', 'cluster-rotating-a', 'cluster-rotating-b']);
        expect(ws.outputValue('rotating_username')).toBe(slot(period));
        for (const [name, output] of [['ci-push', 'ci-push_password'], ['cluster-pull', 'pull_password'], [slot(period), 'rotating_password']]) {
          const password = ws.outputValue(output);
          expect(await emu.login(emu.registryId, name, password)).toBe(true);
          expect(first.all).not.toContain(password);
        }
        await emu.clearRequests();
        const second = await run(['deploy', STACK, '--auto-approve']);
        expect(second.all).toMatch(/No changes/);
        expect(await emu.requests()).toEqual([]);
        // the next period: the older slot is made anew and becomes current; the one before still logs in
        const held = { username: ws.outputValue('rotating_username'), password: ws.outputValue('rotating_password') };
        const rotation = await run(['deploy', STACK, '--auto-approve'], at(period + 1));
        if (rotation.code !== 0) throw new Error(rotation.all.slice(-3000));
        expect((await emu.requests()).map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 204', 'GET 404', 'PUT 201']);
        expect(ws.outputValue('rotating_username')).toBe(slot(period + 1));
        expect(await emu.login(emu.registryId, slot(period + 1), ws.outputValue('rotating_password'))).toBe(true);
        expect(await emu.login(emu.registryId, held.username, held.password)).toBe(true);
        expect((await run(['destroy', STACK, '--auto-approve'], at(period + 1))).code).toBe(0);
        expect(await emu.listTokens(emu.registryId)).toEqual([]);
      } finally {
        ws.cleanup();
      }
    });
  });
});
