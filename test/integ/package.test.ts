/**
 * The package as users get it: `npm pack`, installed into a fresh project next to cdktf and
 * constructs. It brings no dependency of its own (the CLI, the emulator and the handler are
 * bundles), and all three work from the installed copy, as does the construct.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator } from '../helper/emulator';
import { REPO } from '../helper/workspace';

jest.setTimeout(5 * 60 * 1000);

let project: string;
beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-package-'));
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').pop()!;
  const npm = (...args: string[]) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--silent'], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }));
  const versionOf = (m: string) => JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', m, 'package.json'), 'utf8')).version;
  npm('install', `cdktf@${versionOf('cdktf')}`, `constructs@${versionOf('constructs')}`);
  fs.writeFileSync(path.join(project, 'before.txt'), fs.readdirSync(path.join(project, 'node_modules')).sort().join('\n'));
  npm('install', path.join(project, tarball));
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const installed = () => fs.readdirSync(path.join(project, 'node_modules')).sort();

test('installing it adds itself and nothing else', () => {
  const before = fs.readFileSync(path.join(project, 'before.txt'), 'utf8').split('\n');
  expect(installed().filter((m) => !before.includes(m) && m !== '.bin')).toEqual(['cdktf-ionos-registry-token']);
  const files = fs.readdirSync(path.join(project, 'node_modules', 'cdktf-ionos-registry-token'));
  expect(files).toEqual(expect.arrayContaining(['.jsii', 'API.md', 'LICENSE', 'dist', 'bin']));
});

test('the construct synthesizes with its handler asset, and a refused prop is its one-line error', () => {
  const app = [
    "const { App, TerraformStack } = require('cdktf');",
    "const { RegistryToken, RegistryTokenErrors, ScopeAction, ScopeType } = require('cdktf-ionos-registry-token');",
    "const app = new App({ outdir: 'out' }); const stack = new TerraformStack(app, 's');",
    "const scopes = [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }];",
    "new RegistryToken(stack, 't', { registryId: '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a', name: 'ci-push', scopes });",
    "try { new RegistryToken(stack, 'u', { registryId: 'x', name: 'ok-name', scopes }); } catch (e) { console.log(RegistryTokenErrors.isConfigError(e), e.message); }",
    'app.synth();',
  ].join('\n');
  const res = spawnSync(process.execPath, ['-e', app], { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: project } });
  expect(res.stderr).toBe('');
  expect(res.stdout.trim()).toBe('true s/u: registryId "x" must be a uuid like 00000000-0000-4000-8000-000000000000');
  const asset = path.join(project, 'out', 'stacks', 's', 'assets', 'ionos-registry-token-handler');
  const [hash] = fs.readdirSync(asset);
  expect(fs.readdirSync(path.join(asset, hash)).sort()).toEqual(['index.js', 'run.sh']);
});

test('a refused prop the app does not catch ends it with our line alone, exit 1; any other error is Node\'s to report', () => {
  const head = [
    "const { App, TerraformStack } = require('cdktf');",
    "const { RegistryToken, ScopeAction, ScopeType } = require('cdktf-ionos-registry-token');",
    "const stack = new TerraformStack(new App({ outdir: 'out' }), 's');",
    "const bad = () => new RegistryToken(stack, 'u', { registryId: 'x', name: 'ok-name', scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }] });",
  ];
  const node = (...lines: string[]) => spawnSync(process.execPath, ['-e', [...head, ...lines].join('\n')], { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: project } });
  const uncaught = node('bad();');
  expect({ status: uncaught.status, stderr: uncaught.stderr, stdout: uncaught.stdout }).toEqual({
    status: 1,
    stderr: 's/u: registryId "x" must be a uuid like 00000000-0000-4000-8000-000000000000\n',
    stdout: '',
  });
  // caught, then another error in the same tick: Node's usual report of that one
  const other = node('try { bad(); } catch {}', "throw new TypeError('not ours');");
  expect(other.status).toBe(1);
  expect(other.stderr).toMatch(/^TypeError: not ours\n\s+at /m);
  expect(other.stderr).not.toMatch(/registryId/);
});

test('the CLI and the emulator run from the installed copy', async () => {
  const bin = path.join(project, 'node_modules', '.bin');
  const cli = spawnSync(path.join(bin, 'registry-token'), [], { cwd: project, encoding: 'utf8' });
  expect(cli.stdout + cli.stderr).toMatch(/^usage:\n {2}registry-token plan-summary/);
  // its API, through its bin in the installed copy
  const emu = await startEmulator([], { bin: path.join(bin, 'ionos-registry-emulator') });
  try {
    const res = await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}/tokens`, { headers: { authorization: `Basic ${Buffer.from('emulator:emulator').toString('base64')}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
  } finally {
    await emu.stop();
  }
});
