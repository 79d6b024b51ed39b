/**
 * A stack whose specs outgrow one environment string: Linux refuses to start a process with one over
 * 128 KiB (MAX_ARG_STRLEN), and the specs resource's destroy step gets every entry it held, which
 * only the apply knows. Here 4 tokens of 40 long scopes each (about 150 KiB of entries): a change
 * replaces the specs resource, its destroy step runs with all of them, and a removal deletes.
 */
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

describe.each(engines().map((e) => [e.name, e] as const))('specs larger than one environment string (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('a change and a removal go through the destroy step with all entries', async () => {
    const token = (i: number, status = 'enabled'): TokenDecl => ({
      id: `big-${i}`,
      registryId: emu.registryId,
      name: `big-${i}`,
      status,
      scopes: Array.from({ length: 40 }, (_, j) => ({ type: 'repository', name: `team-${i}/${'x'.repeat(900)}-${j}/*`, actions: ['pull'] })),
    });
    const ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    try {
      ws.declare([0, 1, 2, 3].map((i) => token(i)));
      const first = await ws.deploy();
      if (first.code !== 0) throw new Error(first.all.slice(-3000));
      const entries = JSON.stringify(ws.state().resources.find((r) => r.name === 'registry-token-specs').instances[0].attributes.triggers_replace.value.tokens);
      expect(entries.length).toBeGreaterThan(140 * 1024);

      // a status change replaces the specs resource: its destroy step gets all four entries
      ws.declare([token(0, 'disabled'), token(1), token(2), token(3)]);
      await emu.clearRequests();
      const second = await ws.deploy();
      if (second.code !== 0) throw new Error(second.all.slice(-3000));
      expect((await emu.requests()).map((r) => r.method)).toEqual(['GET', 'PATCH']);

      // a removal: the destroy step deletes the token that left
      ws.declare([token(0, 'disabled'), token(1), token(2)]);
      await emu.clearRequests();
      const third = await ws.deploy();
      if (third.code !== 0) throw new Error(third.all.slice(-3000));
      expect((await emu.requests()).map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 204']);
      expect((await emu.listTokens(emu.registryId)).map((t) => t.properties.name).sort()).toEqual(['big-0', 'big-1', 'big-2']);
    } finally {
      ws.cleanup();
    }
  });
});
