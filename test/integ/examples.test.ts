/**
 * The shipped examples, deployed as they are with the real `cdktf deploy` against the emulator:
 * each token exists, its captured password logs in (or is refused when the token is disabled), a
 * second deploy is a no-op, and destroy removes it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, REPO, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const engine = engines()[0];
const examples: [string, string, { name: string; output: string; enabled: boolean; usernameOutput?: string }[]][] = [
  ['ci-push-token', 'ci-push-token', [{ name: 'ci-push', output: 'ci-push_password', enabled: true }]],
  ['pull-with-expiry', 'pull-with-expiry', [{ name: 'deploy-pull', output: 'deploy-pull_password', enabled: true }]],
  ['disabled-token', 'disabled-token', [{ name: 'break-glass', output: 'break-glass_password', enabled: false }]],
  // zeroDowntime: two live credentials; the outputs hold the current one's name and password
  [
    'rotation-schedule',
    'rotation-schedule',
    [
      { name: 'deploy-sched-a', output: 'deploy-sched_password', usernameOutput: 'deploy-sched_username', enabled: true },
      { name: 'deploy-sched-b', output: 'deploy-sched_password', usernameOutput: 'deploy-sched_username', enabled: true },
    ],
  ],
  [
    'demo',
    'demo',
    [
      { name: 'ci-push', output: 'ci-push_password', enabled: true },
      { name: 'deploy-pull', output: 'deploy-pull_password', enabled: true },
      { name: 'break-glass', output: 'break-glass_password', enabled: false },
    ],
  ],
];

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

test.each(examples)('examples/%s deploys, is a no-op the second time, and destroys', async (dir, stack, tokens) => {
  const ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl }, stack);
  const app = path.join(REPO, 'dist', 'examples', dir, 'main.js');
  expect(fs.existsSync(app)).toBe(true);
  fs.writeFileSync(path.join(ws.dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${app}`, sendCrashReports: false }));
  try {
    const first = await ws.deploy();
    if (first.code !== 0) throw new Error(first.all.slice(-3000));
    const live = await emu.listTokens(emu.registryId);
    expect(live.map((t) => t.properties.name).sort()).toEqual(tokens.map((t) => t.name).sort());
    for (const t of tokens) {
      const username = t.usernameOutput ? ws.outputValue(t.usernameOutput) : t.name;
      expect(await emu.login(emu.registryId, username, ws.outputValue(t.output))).toBe(t.enabled);
    }
    await emu.clearRequests();
    expect((await ws.deploy()).all).toMatch(/No changes/);
    expect(await emu.requests()).toEqual([]);
    expect((await ws.destroy()).code).toBe(0);
    expect(await emu.listTokens(emu.registryId)).toEqual([]);
  } finally {
    ws.cleanup();
  }
});
