/**
 * Rotation without downtime (`zeroDowntime`), with the real engine and the emulator, "now" moved at
 * synth (IONOS_REGISTRY_TOKEN_SYNTH_NOW, the test aid) and on the emulator's clock together. Two
 * credentials alternate; a consumer that holds the current one logs in all through every deploy
 * (polled while it runs), and after a rotation the one it held still logs in until the overlap ends.
 */
import { periodStart, rotationPeriod } from '../../lib/schedule';
import { Credential, deployAt as clockedDeploy, planSummaryAt } from '../helper/clocked';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, ok, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const DAY = 24 * 3600_000;
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

  const names = async () => (await emu.listTokens(emu.registryId)).map((t) => t.properties.name).sort();
  const login = (c: Credential) => emu.login(emu.registryId, c.username, c.password);
  const current = (): Credential => ({ username: ws.outputValue('zd_username'), password: ws.outputValue('zd_password') });

  test('two credentials alternate; the one a consumer holds logs in through every deploy and for the overlap after', async () => {
    ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    ws.declare([
      { id: 'zd', registryId: emu.registryId, name: 'zdt', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotateEveryDays: EVERY, zeroDowntime: true, overlapDays: 10, expiresAfterDays: 60 },
    ]);
    const first = rotationPeriod(EVERY, new Date()) + 1;
    const day = (period: number, n: number) => new Date(periodStart(EVERY, period).getTime() + n * DAY + 3600_000);
    const slot = (period: number) => `zdt-${period % 2 === 0 ? 'a' : 'b'}`;

    // the first deploy makes both credentials (the previous one is inside its overlap)
    await clockedDeploy(emu, ws, day(first, 0));
    expect(await names()).toEqual(['zdt-a', 'zdt-b']);
    let held = current();
    expect(held.username).toBe(slot(first));
    expect(await login(held)).toBe(true);

    for (const period of [first, first + 1, first + 2]) {
      if (period > first) {
        // a new period: the other slot is made; the current one is untouched and logs in throughout
        const began = periodStart(EVERY, period).toISOString().slice(0, 10);
        expect(await planSummaryAt(ws, day(period, 0))).toBe(`create ${slot(period)}: the next credential, due (every ${EVERY} days, a new period began on ${began}); the current one stays live (GET, then PUT)\n`);
        const polls = await clockedDeploy(emu, ws, day(period, 0), held);
        expect(polls.calls).toEqual(['GET 404', 'PUT 201']);
        expect(polls.failedLogins).toBe(0);
        expect(polls.logins).toBeGreaterThan(0);
        const next = current();
        expect(next.username).toBe(slot(period));
        expect(next.password).not.toBe(held.password);
        expect([await login(next), await login(held)]).toEqual([true, true]);
        // inside the overlap: nothing changes, no call, both log in
        const quiet = await clockedDeploy(emu, ws, day(period, 9), next);
        expect([quiet.calls, quiet.failedLogins]).toEqual([[], 0]);
        expect([await login(next), await login(held)]).toEqual([true, true]);
        const previous = held;
        held = next;
        // the overlap ends: the next deploy deletes the previous credential, and only it
        expect(await planSummaryAt(ws, day(period, 10))).toBe(`delete ${previous.username}: the previous credential, its overlap ended\n`);
        const retire = await clockedDeploy(emu, ws, day(period, 10), held);
        expect([retire.calls, retire.failedLogins]).toEqual([['DELETE 204'], 0]);
        expect([await login(held), await login(previous)]).toEqual([true, false]);
        expect(await names()).toEqual([held.username]);
      } else {
        const retire = await clockedDeploy(emu, ws, day(period, 10), held);
        expect([retire.calls, retire.failedLogins]).toEqual([['DELETE 204'], 0]);
        expect(await names()).toEqual([held.username]);
      }
      // later in the period: no change, no API call
      const late = await clockedDeploy(emu, ws, day(period, EVERY - 1), held);
      expect([late.calls, late.failedLogins]).toEqual([[], 0]);
    }
    ok(await ws.destroy(), 'destroy');
    expect(await names()).toEqual([]);
  });

  test('with an overlap of a whole period, a rotation re-creates the older slot while the current one logs in', async () => {
    ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    ws.declare([{ id: 'zd', registryId: emu.registryId, name: 'zdt', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotateEveryDays: EVERY, zeroDowntime: true }]);
    const first = rotationPeriod(EVERY, new Date(Date.parse((await emu.advanceClock(0)) as string))) + 1;
    const day = (period: number, n: number) => new Date(periodStart(EVERY, period).getTime() + n * DAY + 3600_000);
    await clockedDeploy(emu, ws, day(first, 0));
    const before = current();
    const older = (await emu.listTokens(emu.registryId)).find((t) => t.properties.name !== before.username)!;
    const polls = await clockedDeploy(emu, ws, day(first + 1, 0), before);
    // the slot made a period ago is deleted and made again (same name, same id); the current one stays
    expect(polls.calls).toEqual(['DELETE 204', 'GET 404', 'PUT 201']);
    expect(polls.failedLogins).toBe(0);
    const after = current();
    expect(after.username).toBe(older.properties.name);
    expect((await emu.listTokens(emu.registryId)).map((t) => t.id).sort()).toEqual([older.id, (await emu.listTokens(emu.registryId)).find((t) => t.properties.name === before.username)!.id].sort());
    expect([await login(after), await login(before)]).toEqual([true, true]);
    ok(await ws.destroy(), 'destroy');
  });
});
