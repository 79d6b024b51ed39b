/**
 * CDK Terrain: examples/cdk-terrain (a `cdktn` app) deployed with the real `cdktn deploy` (cdktn-cli
 * 0.24 on the Node.js 22 that scripts/cdktn.sh installs from npm) against the emulator: the token
 * exists, its password logs in, the deploy summary names its output as Terraform does, a second
 * deploy is a no-op with no API call, destroy removes it. A prop the rules refuse makes `cdktn synth`
 * show our line alone: no throw site of Node's (file:line, source line, caret), no Node.js version.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, REPO, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

// Installs cdktn-cli and Node.js 22 into .engine/cdktn when missing (npm only); prints its bin folder.
const bin = execFileSync('bash', [path.join(REPO, 'scripts', 'cdktn.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;

describe.each(engines().map((e) => [e.name, e] as const))('cdktn deploy of examples/cdk-terrain (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('deploys, is a no-op the second time, and destroys', async () => {
    const ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl }, 'cdk-terrain');
    const app = path.join(REPO, 'dist', 'examples', 'cdk-terrain', 'main.js');
    fs.writeFileSync(path.join(ws.dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${app}`, sendCrashReports: false }));
    const env = { PATH: `${bin}:${path.dirname(engine.binary)}:${process.env.PATH}` };
    const cdktn = (...args: string[]) => ws.run(path.join(bin, 'cdktn'), args, { env });
    try {
      const version = await ws.run(path.join(bin, 'node'), ['--version'], { env });
      expect(version.stdout.trim()).toMatch(/^v22\./);
      const first = await cdktn('deploy', 'cdk-terrain', '--auto-approve');
      if (first.code !== 0) throw new Error(first.all.slice(-3000));
      // cdktn lists outputs by construct path: the output's construct id is its name (0.5: "password-output")
      const summary = first.all.replace(/\x1b\[[0-9;]*m/g, '');
      expect(summary).toMatch(/ci-push_password\s*=\s*<sensitive>/);
      expect(summary).not.toMatch(/password-output/);
      expect((await emu.listTokens(emu.registryId)).map((t) => t.properties.name)).toEqual(['ci-push']);
      expect(await emu.login(emu.registryId, 'ci-push', ws.outputValue('ci-push_password'))).toBe(true);
      await emu.clearRequests();
      expect((await cdktn('deploy', 'cdk-terrain', '--auto-approve')).all).toMatch(/No changes/);
      expect(await emu.requests()).toEqual([]);
      expect((await cdktn('destroy', 'cdk-terrain', '--auto-approve')).code).toBe(0);
      expect(await emu.listTokens(emu.registryId)).toEqual([]);
    } finally {
      ws.cleanup();
    }
  });
});

test('a refused prop under `cdktn synth`: our line, and nothing of Node\'s around it', async () => {
  const engine = engines()[0];
  const ws = new Workspace(engine, {}, 'refused');
  try {
    // A user's app: the construct from the build (RT_LIB, as the other integration tests load it).
    const app = [
      "const { App, TerraformStack } = require('cdktn');",
      'const { RegistryToken, ScopeAction, ScopeType } = require(process.env.RT_LIB);',
      "const stack = new TerraformStack(new App(), 'refused');",
      "new RegistryToken(stack, 'ci-push', { registryId: 'not-a-uuid', name: 'ci-push', scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }] });",
    ].join('\n');
    fs.writeFileSync(path.join(ws.dir, 'main.js'), app);
    fs.writeFileSync(path.join(ws.dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.js', sendCrashReports: false }));
    const res = await ws.run(path.join(bin, 'cdktn'), ['synth'], { env: { PATH: `${bin}:${path.dirname(engine.binary)}:${process.env.PATH}` } });
    expect(res.code).not.toBe(0);
    const out = res.all.replace(/\x1b\[[0-9;]*m/g, '');
    expect(out).toContain('refused/ci-push: registryId "not-a-uuid" must be a uuid like 00000000-0000-4000-8000-000000000000');
    expect(out).not.toMatch(/\.js:\d+/); // no throw site, no stack frame
    expect(out).not.toMatch(/^\s*\^\s*$/m); // no caret line
    expect(out).not.toMatch(/\[RegistryTokenConfigError/); // not the error in Node's brackets
    expect(out).not.toMatch(/^\s*Node\.js v\d+/m); // not Node's version line
  } finally {
    ws.cleanup();
  }
});
