/**
 * Credentials that look after themselves, with the real engine and the emulator, moving "now" at
 * synth (IONOS_REGISTRY_TOKEN_SYNTH_NOW, the documented test aid): a token with a rolling expiry of 90
 * days and a rotation every 30 lives through several periods. Each period's first deploy rotates it
 * (new password, the old one stops working, a new expiry); every other deploy makes no API call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { periodStart, rotationPeriod } from '../../lib/schedule';
import { DEFAULT_AUTH, RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, ok, REPO, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const BIN = path.join(REPO, 'bin', 'registry-token.js');
const DAY = 24 * 3600_000;
const EVERY = 30;

describe.each(engines().map((e) => [e.name, e] as const))('a scheduled token over several periods (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  let ws: Workspace;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
    ws?.cleanup();
  });

  const at = (d: Date) => ({ IONOS_REGISTRY_TOKEN_SYNTH_NOW: d.toISOString() });
  const live = async () => (await emu.listTokens(emu.registryId)).filter((t) => t.properties.name === 'sched');
  const calls = async () => (await emu.requests()).map((r) => `${r.method} ${r.status}`);

  test('rotated once per period, by its first deploy, with a new password and a new expiry; silent in between', async () => {
    ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    ws.declare([
      { id: 'sched', registryId: emu.registryId, name: 'sched', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], expiresAfterDays: 90, rotateEveryDays: EVERY },
    ]);
    // synth "now" runs ahead of the clock (the API's and the handler's), period by period
    const first = rotationPeriod(EVERY, new Date()) + 1;
    const day = (period: number, n: number) => new Date(periodStart(EVERY, period).getTime() + n * DAY + 3600_000);

    ok(await ws.deploy(at(day(first, 0))), 'first deploy');
    let password = ws.outputValue('sched_password');
    expect(await emu.login(emu.registryId, 'sched', password)).toBe(true);
    const [token] = await live();
    // the rolling expiry: this creation's time plus 90 days (the handler's clock)
    expect(Math.abs(Date.parse(token.properties.expiryDate!) - (Date.now() + 90 * DAY))).toBeLessThan(5 * 60_000);

    for (const period of [first, first + 1, first + 2]) {
      if (period > first) {
        // the plan says why, before the deploy
        ok(await ws.cdktf(['synth'], at(day(period, 0))), 'synth');
        ok(await ws.tf(['plan', '-input=false', '-no-color', '-out', 'due.tfplan']), 'plan');
        const shown = ok(await ws.tf(['show', '-json', 'due.tfplan']), 'show');
        fs.writeFileSync(path.join(ws.dir, 'due.json'), shown.stdout);
        const summary = ok(await ws.run(process.execPath, [BIN, 'plan-summary', path.join(ws.dir, 'due.json')]), 'plan-summary');
        expect(summary.stdout).toBe(`rotate sched: due (every ${EVERY} days, a new period began on ${periodStart(EVERY, period).toISOString().slice(0, 10)}): delete, create (new password)\n`);
        // the period's first deploy rotates it: DELETE, then the create (GET, PUT)
        await emu.clearRequests();
        ok(await ws.deploy(at(day(period, 0))), `deploy in period ${period}`);
        expect(await calls()).toEqual(['DELETE 204', 'GET 404', 'PUT 201']);
        const next = ws.outputValue('sched_password');
        expect(next).not.toBe(password);
        expect(await emu.login(emu.registryId, 'sched', password)).toBe(false);
        expect(await emu.login(emu.registryId, 'sched', next)).toBe(true);
        password = next;
        const [rotated] = await live();
        expect(Math.abs(Date.parse(rotated.properties.expiryDate!) - (Date.now() + 90 * DAY))).toBeLessThan(5 * 60_000);
      }
      // later in the same period: no change, no API call
      await emu.clearRequests();
      expect(ok(await ws.deploy(at(day(period, EVERY - 1))), `deploy late in period ${period}`).all).toMatch(/No changes/);
      expect(await calls()).toEqual([]);
      expect(await emu.login(emu.registryId, 'sched', password)).toBe(true);
    }
    expect(await live()).toHaveLength(1);
  });

  test("an adopted token's first scheduled rotation makes it the stack's own, with a password and a rolling expiry", async () => {
    ws?.cleanup();
    ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    // a token made outside the stack, with no expiry
    const res = await fetch(`${emu.apiUrl}/containerregistries/registries/${emu.registryId}/tokens`, {
      method: 'POST',
      headers: { Authorization: DEFAULT_AUTH.basic, 'Content-Type': 'application/json' },
      body: JSON.stringify({ properties: { name: 'adopted-sched', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] } }),
    });
    const made = (await res.json()) as { id: string; properties: { credentials: { password: string } } };
    ws.declare([
      { id: 'adopted', registryId: emu.registryId, name: 'adopted-sched', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], adoptTokenId: made.id, expiresAfterDays: 90, rotateEveryDays: EVERY },
    ]);
    const base = Date.parse(await emu.advanceClock(0));
    const first = rotationPeriod(EVERY, new Date(base)) + 1;
    const day = (period: number) => new Date(periodStart(EVERY, period).getTime() + 3600_000);
    // adopted as it is: no write, its own password keeps working, the stack's is unknown ("")
    ok(await ws.deploy(at(day(first))), 'adopting deploy');
    expect(ws.outputValue('adopted_password')).toBe('');
    expect(await emu.login(emu.registryId, 'adopted-sched', made.properties.credentials.password)).toBe(true);
    // the next period: deleted and made again at the same id, now with a password the state holds
    await emu.clearRequests();
    ok(await ws.deploy(at(day(first + 1))), 'rotating deploy');
    expect(await calls()).toEqual(['DELETE 204', 'GET 404', 'PUT 201']);
    const password = ws.outputValue('adopted_password');
    expect(await emu.login(emu.registryId, 'adopted-sched', password)).toBe(true);
    expect(await emu.login(emu.registryId, 'adopted-sched', made.properties.credentials.password)).toBe(false);
    const [rotated] = (await emu.listTokens(emu.registryId)).filter((t) => t.properties.name === 'adopted-sched');
    expect(rotated.id).toBe(made.id);
    expect(rotated.properties.expiryDate).toBeTruthy();
    // destroy deletes it: it is the stack's own now
    ok(await ws.destroy(), 'destroy');
    expect((await emu.listTokens(emu.registryId)).filter((t) => t.properties.name === 'adopted-sched')).toEqual([]);
  });
});
