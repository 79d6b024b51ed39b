/**
 * Plan warnings before a token expires or rotates, with the real engine and the emulator: a token
 * whose event lies inside its window is named in a warning, with its date, while plan and apply exit
 * 0 and make no API call; one outside its window is not. A rolling expiry counts from the creation
 * time its create recorded, and a state from before that record plans no change and warns of nothing.
 * plantimestamp() is the real clock, so the dates and windows are picked relative to the real now.
 */
import * as fs from 'node:fs';
import { periodStart, rotationPeriod } from '../../lib/schedule';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, ok, RunResult, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const DAY = 24 * 3600_000;
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A rotation period whose next start is 3 to 10 days away from now: windows on either side of it are exact. */
function rotationFixture(now: Date): { every: number; daysToNext: number; next: string } {
  for (let every = 20; ; every++) {
    const next = periodStart(every, rotationPeriod(every, now) + 1);
    const daysToNext = (next.getTime() - now.getTime()) / DAY;
    if (daysToNext > 3 && daysToNext < 10) return { every, daysToNext: Math.ceil(daysToNext), next: rfc3339(next) };
  }
}

/** The registry-token warnings the engine printed (-no-color): a paragraph each, which the engine wraps at 78 columns. */
const warnings = (res: RunResult): string[] => (res.all.match(/^registry-token: token (?:.+\n?)+/gm) ?? []).map((w) => w.trim().replace(/\s*\n\s*/g, ' '));
/** Output as text, without colours (cdktf keeps the engine's, and boxes its diagnostics). */
const plain = (res: RunResult): string => res.all.replace(/\x1b\[[0-9;]*m/g, '');

describe.each(engines().map((e) => [e.name, e] as const))('expiry warnings (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  let ws: Workspace;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
    ws?.cleanup();
  });

  const scopes = [{ type: 'repository', name: 'app/*', actions: ['pull'] }];

  test('inside the window a plan warns (exit 0, no API call); outside it does not; a rolling expiry counts from the recorded creation', async () => {
    const now = new Date();
    const rot = rotationFixture(now);
    const soon = rfc3339(new Date(now.getTime() + 3 * DAY));
    ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    ws.declare([
      { id: 'fixed-in', registryId: emu.registryId, name: 'fixed-in', scopes, expiryDate: soon },
      { id: 'fixed-out', registryId: emu.registryId, name: 'fixed-out', scopes, expiryDate: rfc3339(new Date(now.getTime() + 20 * DAY)) },
      { id: 'roll-in', registryId: emu.registryId, name: 'roll-in', scopes, expiresAfterDays: 5 },
      { id: 'roll-out', registryId: emu.registryId, name: 'roll-out', scopes, expiresAfterDays: 30 },
      { id: 'rot-in', registryId: emu.registryId, name: 'rot-in', scopes, rotateEveryDays: rot.every, expiryWarningDays: rot.daysToNext + 1 },
      { id: 'rot-out', registryId: emu.registryId, name: 'rot-out', scopes, rotateEveryDays: rot.every, expiryWarningDays: rot.daysToNext - 2 },
    ]);
    ok(await ws.deploy(), 'first deploy');
    expect(await emu.listTokens(emu.registryId)).toHaveLength(6);

    // the creation time create recorded: the plan time of the deploy that created it
    const createOf = (id: string) => ws.state().resources.find((r) => r.type === 'terraform_data' && r.name.startsWith(`${id}_create_`));
    // (a dynamic attribute: the state holds its value with its type)
    const created: string = createOf('roll-in').instances[0].attributes.input.value;
    expect(Math.abs(Date.parse(created) - now.getTime())).toBeLessThan(5 * 60_000);
    const rollExpiry = rfc3339(new Date(Date.parse(created) + 5 * DAY));
    // the API's expiry was set by the handler's clock, a little after the plan: the warning is never late
    const live = (await emu.listTokens(emu.registryId)).find((t) => t.properties.name === 'roll-in')!;
    expect(Date.parse(live.properties.expiryDate!)).toBeGreaterThanOrEqual(Date.parse(rollExpiry));

    // later plans: a plan time that moved on would move a date counted from it
    await new Promise((r) => setTimeout(r, 2000));
    const expected = [
      `registry-token: token "fixed-in" (integ/fixed-in) expires on ${soon}, within 14 days, and the API then deletes it: set a later expiryDate and deploy`,
      `registry-token: token "roll-in" (integ/roll-in) expires on ${rollExpiry} (5 days after its creation), within 14 days, and the API then deletes it: change rotationTrigger and deploy: a rotation sets a new expiry`,
      `registry-token: token "rot-in" (integ/rot-in) rotates at the first deploy on or after ${rot.next}, within ${rot.daysToNext + 1} days (every ${rot.every} days): it gets a new password; deploy then, and update anything that holds a copy of the password`,
    ];
    await emu.clearRequests();
    const plan = await ws.tf(['plan', '-input=false', '-no-color', '-detailed-exitcode']);
    if (process.env.EXPIRY_WARNINGS_OUT) fs.writeFileSync(`${process.env.EXPIRY_WARNINGS_OUT}-${engine.name}.txt`, plan.all);
    expect([plan.code, plan.all]).toEqual([0, expect.stringMatching(/No changes/)]);
    expect(warnings(plan).sort()).toEqual(expected);
    expect(plan.all.match(/Warning: Check block assertion failed/g)).toHaveLength(3);
    // a deploy (plan and apply) warns the same and succeeds
    const deploy = plain(ok(await ws.deploy(), 'deploy with warnings'));
    for (const name of ['fixed-in', 'roll-in', 'rot-in']) expect(deploy).toContain(`registry-token: token "${name}" (integ/${name})`);
    for (const name of ['fixed-out', 'roll-out', 'rot-out']) expect(deploy).not.toContain(`registry-token: token "${name}"`);
    expect(await emu.requests()).toEqual([]);

    // a state from before the creation time was recorded: no change planned, and nothing to warn of
    const state = JSON.parse(fs.readFileSync(ws.stateFile, 'utf8'));
    for (const r of state.resources) {
      if (r.type === 'terraform_data' && r.name.startsWith('roll-')) {
        if (r.name.includes('_create_')) Object.assign(r.instances[0].attributes, { input: null, output: null });
      }
    }
    state.serial += 1;
    fs.writeFileSync(ws.stateFile, JSON.stringify(state, null, 2));
    const upgraded = await ws.tf(['plan', '-input=false', '-no-color', '-detailed-exitcode']);
    expect([upgraded.code, upgraded.all]).toEqual([0, expect.stringMatching(/No changes/)]);
    expect(warnings(upgraded).sort()).toEqual([expected[0], expected[2]]);
    expect(await emu.requests()).toEqual([]);
  });
});
