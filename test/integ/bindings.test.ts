/**
 * The other jsii languages, as far as this machine can take them (the Python binding is deployed end
 * to end in python.test.ts): jsii-pacmak builds the Java jar with Maven, and generates the Go module,
 * which then compiles with the Go toolchain. Neither core's Java jar nor Go module is served here, so
 * no Java or Go app runs (README "Known limitations").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pacmak } from '../helper/jsii';
import { REPO } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0 || spawnSync(cmd, ['version'], { stdio: 'ignore' }).status === 0;

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-pacmak-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));


(has('mvn') ? test : test.skip)('Java: jsii-pacmak builds the jar, with the API in it (skipped without mvn)', () => {
  pacmak(['--targets', 'java', '--outdir', out]);
  const dir = path.join(out, 'java', 'io', 'github', 'cdktf-ionos-registry-token', 'cdktf-ionos-registry-token');
  const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  const jar = path.join(dir, version, `cdktf-ionos-registry-token-${version}.jar`);
  const classes = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' }).split('\n');
  for (const c of ['RegistryToken', 'RegistryTokenConfig', 'RegistryTokenErrors', 'TokenScope', 'ScopeType', 'ScopeAction', 'TokenStatus', 'RemovalPolicy']) {
    expect(classes).toContain(`io/github/cdktf_ionos_registry_token/${c}.class`);
  }
});

(has('go') ? test : test.skip)('Go: the generated module compiles (against constructs-go 10.8.1, the one the Go proxy serves; skipped without go)', () => {
  pacmak(['--targets', 'go', '--code-only', '--outdir', out]);
  const mod = path.join(out, 'go', 'cdktfionosregistrytoken');
  expect(fs.readFileSync(path.join(mod, 'RegistryToken.go'), 'utf8')).toMatch(/func NewRegistryToken\(scope constructs\.Construct, id \*string, config \*RegistryTokenConfig\) RegistryToken/);
  const go = (...args: string[]) => execFileSync('go', args, { cwd: mod, env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' }, stdio: ['ignore', 'pipe', 'pipe'] });
  go('mod', 'edit', '-require=github.com/aws/constructs-go/constructs/v10@v10.8.1');
  go('build', './...');
  go('vet', './...');
});
