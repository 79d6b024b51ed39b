/**
 * Credentials and the API URL from the IONOS config file only (as `ionosctl login` writes it), with no
 * IONOS_* variable set: the real `cdktf deploy` creates a token whose password logs in, and the
 * `registry-token drift` CLI reads the same file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, REPO, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

describe.each(engines().map((e) => [e.name, e] as const))('the IONOS config file (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionos-home-'));
  });
  afterAll(async () => {
    await emu?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a deploy with credentials and endpoint from the current profile only', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(
      file,
      [
        'version: 1.0',
        'currentProfile: other',
        'profiles:',
        '  - name: other',
        '    environment: nowhere',
        '    credentials: { token: wrong-token }',
        '  - name: emulator',
        '    environment: local',
        '    credentials:',
        '      username: emulator',
        '      password: emulator',
        'environments:',
        '  - name: local',
        '    products:',
        '      - name: containerregistry',
        '        endpoints:',
        `          - name: ${emu.apiUrl}`,
        '            skipTlsVerify: false',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    // No IONOS_* variable but the file and its profile (this process's own are dropped too).
    const env: Record<string, string> = { IONOS_CONFIG_FILE: file, IONOS_CURRENT_PROFILE: 'emulator' };
    for (const k of Object.keys(process.env)) if (k.startsWith('IONOS_') && !(k in env)) env[k] = '';
    const ws = new Workspace(engine, env);
    ws.declare([{ id: 'from-file', registryId: emu.registryId, name: 'from-file', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] }]);
    const res = await ws.deploy();
    if (res.code !== 0) throw new Error(res.all.slice(-3000));
    expect(await emu.login(emu.registryId, 'from-file', ws.outputValue('from-file_password'))).toBe(true);
    // the CLI reads the same file
    const drift = await ws.run(process.execPath, [path.join(REPO, 'bin', 'registry-token.js'), 'drift', '--stack', '.']);
    expect({ code: drift.code, out: drift.all }).toMatchObject({ code: 0 });
    expect(drift.all).toMatch(/checked 1 token of stack \S+: 1 as declared/);
    // a malformed file: one line naming it, no call made
    fs.writeFileSync(file, 'profiles: [unclosed\n');
    await emu.clearRequests();
    ws.declare([{ id: 'from-file', registryId: emu.registryId, name: 'from-file', status: 'disabled', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] }]);
    const bad = await ws.deploy();
    expect(bad.code).not.toBe(0);
    expect(bad.all.split('\n').some((l) => l.includes(`registry-token: update of integ/from-file`) && l.includes(`invalid IONOS_CONFIG_FILE "${file}": is not valid YAML`))).toBe(true);
    expect(await emu.requests()).toEqual([]);
    ws.cleanup();
  });
});
