/**
 * CDK Terrain: examples/cdk-terrain (a `cdktn` app) deployed with the real `cdktn deploy` (cdktn-cli
 * 0.24 on the Node.js 22 that scripts/cdktn.sh installs from npm) against the emulator: the token
 * exists, its password logs in, a second deploy is a no-op with no API call, destroy removes it.
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
