/**
 * TF_LOG at DEBUG or finer makes the engine log every value it reads from the state, passwords
 * included (README "Known limitations"): a deploy says so in one line, once per engine run, naming
 * the logs without them (TF_LOG_PROVIDER, IONOS_REGISTRY_TOKEN_DEBUG); without it, nothing.
 */
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, RunResult, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(15 * 60 * 1000);

const creds = { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' };
const LINE = /registry-token: warning: TF_LOG(_CORE)?=\S+ makes the engine log the token passwords it reads from the state; do not share this log \(for logs without them: TF_LOG_PROVIDER for providers, IONOS_REGISTRY_TOKEN_DEBUG=1 for this library\)/;

/** The output lines that say it (the engine prefixes a provisioner's lines with the resource). */
const said = (res: RunResult): string[] => res.all.split('\n').filter((l) => LINE.test(l));

describe.each(engines().map((e) => [e.name, e] as const))('TF_LOG (%s)', (engineName, engine) => {
  let emu: RunningEmulator;
  let ws: Workspace;

  beforeAll(async () => {
    emu = await startEmulator();
    ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
  });
  afterAll(async () => {
    ws?.cleanup();
    await emu?.stop();
  });

  const decl = (names: string[]): TokenDecl[] =>
    names.map((name, i) => ({ id: `t${i}`, registryId: emu.registryId, name, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] }));

  test('TF_LOG=TRACE: one line per engine run, on deploy and on destroy; without it (or at INFO): none', async () => {
    ws.declare(decl([`log-a-${engineName}`, `log-b-${engineName}`, `log-c-${engineName}`]));
    const trace = { TF_LOG: 'TRACE', TF_LOG_PATH: path.join(ws.dir, 'engine.log') };
    const deployed = await ws.deploy(trace);
    expect(deployed.code).toBe(0);
    expect(said(deployed)).toHaveLength(1);
    expect(said(deployed)[0]).toContain('TF_LOG=TRACE');

    // a change (a rename: delete, create, capture, specs) without TF_LOG, and one at INFO: nothing
    ws.declare(decl([`log-a-${engineName}`, `log-b2-${engineName}`, `log-c-${engineName}`]));
    const quiet = await ws.deploy();
    expect(quiet.code).toBe(0);
    expect(said(quiet)).toEqual([]);
    ws.declare(decl([`log-a-${engineName}`, `log-b3-${engineName}`, `log-c-${engineName}`]));
    const info = await ws.deploy({ TF_LOG: 'info', TF_LOG_PATH: path.join(ws.dir, 'engine-info.log') });
    expect(info.code).toBe(0);
    expect(said(info)).toEqual([]);

    const destroyed = await ws.destroy({ TF_LOG_CORE: 'debug', TF_LOG_PATH: path.join(ws.dir, 'engine-destroy.log') });
    expect(destroyed.code).toBe(0);
    expect(said(destroyed)).toHaveLength(1);
    expect(said(destroyed)[0]).toContain('TF_LOG_CORE=debug');
  });
});
