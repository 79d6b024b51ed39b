/**
 * Rotation without downtime (`zeroDowntime`), with the real engine and the emulator, "now" moved at
 * synth (IONOS_REGISTRY_TOKEN_SYNTH_NOW, the test aid) and on the emulator's clock together. Two
 * credentials alternate; a consumer that holds the current one logs in all through every deploy
 * (polled while it runs), and after a rotation the one it held still logs in until the overlap ends.
 */
import { periodStart, rotationPeriod } from '../../lib/schedule';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, RunResult, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const DAY = 24 * 3600_000;

/** What a consumer holds: the stack's outputs at some deploy. */
interface Credential {
  readonly username: string;
  readonly password: string;
}
const EVERY = 30;

describe.each(engines().map((e) => [e.name, e] as const))('zero-downtime rotation (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  let ws: Workspace;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterEach(() => ws?.cleanup());
  afterAll(async () => {
    await emu?.stop();
  });

  const ok = (res: RunResult, what: string): RunResult => {
    if (res.code !== 0) throw new Error(`${what} failed (${res.code}):\n${res.all.slice(-3000)}`);
    return res;
  };
  const calls = async () => (await emu.requests()).map((r) => `${r.method} ${r.status}`);
  const names = async () => (await emu.listTokens(emu.registryId)).map((t) => t.properties.name).sort();
  const login = (c: Credential) => emu.login(emu.registryId, c.username, c.password);
  const current = (): Credential => ({ username: ws.outputValue('zd_username'), password: ws.outputValue('zd_password') });

  /** Moves the emulator's clock to `at` (it only goes forward) and deploys with synth's "now" there; counts failed logins of `held` meanwhile. */
  async function deployAt(at: Date, held: Credential | undefined, what: string): Promise<{ failedLogins: number; logins: number }> {
    const emuNow = Date.parse((await emu.advanceClock(0)) as string);
    if (at.getTime() > emuNow) await emu.advanceClock(Math.ceil((at.getTime() - emuNow) / 1000));
    await emu.clearRequests();
    let running = true;
    const polls = { failedLogins: 0, logins: 0 };
    const poller = (async () => {
      while (running && held) {
        polls.logins += 1;
        if (!(await login(held))) polls.failedLogins += 1;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      ok(await ws.deploy({ IONOS_REGISTRY_TOKEN_SYNTH_NOW: at.toISOString() }), what);
    } finally {
      running = false;
      await poller;
    }
    return polls;
  }

  test('two credentials alternate; the one a consumer holds logs in through every deploy and for the overlap after', async () => {
    ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    ws.declare([
      { id: 'zd', registryId: emu.registryId, name: 'zd', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotateEveryDays: EVERY, zeroDowntime: true, overlapDays: 10, expiresAfterDays: 60 },
    ]);
    const first = rotationPeriod(EVERY, new Date()) + 1;
    const day = (period: number, n: number) => new Date(periodStart(EVERY, period).getTime() + n * DAY + 3600_000);
    const slot = (period: number) => `zd-${period % 2 === 0 ? 'a' : 'b'}`;

    // the first deploy makes both credentials (the previous one is inside its overlap)
    await deployAt(day(first, 0), undefined, 'first deploy');
    expect(await names()).toEqual(['zd-a', 'zd-b']);
    let held = current();
    expect(held.username).toBe(slot(first));
    expect(await login(held)).toBe(true);

    for (const period of [first, first + 1, first + 2]) {
      if (period > first) {
        // a new period: the other slot is made; the current one is untouched and logs in throughout
        const polls = await deployAt(day(period, 0), held, `rotation in period ${period}`);
        expect(await calls()).toEqual(['GET 404', 'PUT 201']);
        expect(polls).toEqual({ failedLogins: 0, logins: expect.any(Number) });
        expect(polls.logins).toBeGreaterThan(0);
        const next = current();
        expect(next.username).toBe(slot(period));
        expect(next.password).not.toBe(held.password);
        expect([await login(next), await login(held)]).toEqual([true, true]);
        // inside the overlap: nothing changes, no call, both log in
        const quiet = await deployAt(day(period, 9), next, `deploy in the overlap of period ${period}`);
        expect([await calls(), quiet.failedLogins]).toEqual([[], 0]);
        expect([await login(next), await login(held)]).toEqual([true, true]);
        const previous = held;
        held = next;
        // the overlap ends: the next deploy deletes the previous credential, and only it
        const retire = await deployAt(day(period, 10), held, `end of the overlap in period ${period}`);
        expect([await calls(), retire.failedLogins]).toEqual([['DELETE 204'], 0]);
        expect([await login(held), await login(previous)]).toEqual([true, false]);
        expect(await names()).toEqual([held.username]);
      } else {
        const retire = await deployAt(day(period, 10), held, 'end of the first overlap');
        expect([await calls(), retire.failedLogins]).toEqual([['DELETE 204'], 0]);
        expect(await names()).toEqual([held.username]);
      }
      // later in the period: no change, no API call
      const late = await deployAt(day(period, EVERY - 1), held, `late in period ${period}`);
      expect([await calls(), late.failedLogins]).toEqual([[], 0]);
    }
    ok(await ws.destroy(), 'destroy');
    expect(await names()).toEqual([]);
  });

  test('with an overlap of a whole period, a rotation re-creates the older slot while the current one logs in', async () => {
    ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    ws.declare([{ id: 'zd', registryId: emu.registryId, name: 'zd', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotateEveryDays: EVERY, zeroDowntime: true }]);
    const first = rotationPeriod(EVERY, new Date(Date.parse((await emu.advanceClock(0)) as string))) + 1;
    const day = (period: number, n: number) => new Date(periodStart(EVERY, period).getTime() + n * DAY + 3600_000);
    await deployAt(day(first, 0), undefined, 'first deploy');
    const before = current();
    const older = (await emu.listTokens(emu.registryId)).find((t) => t.properties.name !== before.username)!;
    const polls = await deployAt(day(first + 1, 0), before, 'rotation');
    // the slot made a period ago is deleted and made again (same name, same id); the current one stays
    expect(await calls()).toEqual(['DELETE 204', 'GET 404', 'PUT 201']);
    expect(polls.failedLogins).toBe(0);
    const after = current();
    expect(after.username).toBe(older.properties.name);
    expect((await emu.listTokens(emu.registryId)).map((t) => t.id).sort()).toEqual([older.id, (await emu.listTokens(emu.registryId)).find((t) => t.properties.name === before.username)!.id].sort());
    expect([await login(after), await login(before)]).toEqual([true, true]);
    ok(await ws.destroy(), 'destroy');
  });
});
