/**
 * A year of a zero-downtime token, deployed weekly by a scheduled pipeline, on the emulator's clock:
 * rotation every 30 days, a 7-day overlap, a 45-day rolling expiry. Every deploy's API calls are
 * recorded (in .test-results/year-of-rotations.md), a consumer's credential is tried every 50 ms
 * through each deploy, and after each the current credential (and, inside the overlap, the previous
 * one) logs in. One engine: the schedule is decided at synth, the same on both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { periodStart, rotationPeriod } from '../../lib/schedule';
import { Credential, deployAt } from '../helper/clocked';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, REPO, Workspace } from '../helper/workspace';

jest.setTimeout(20 * 60 * 1000);

const DAY = 24 * 3600_000;
const EVERY = 30;
const OVERLAP = 7;

let emu: RunningEmulator;
let ws: Workspace;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  ws?.cleanup();
  await emu?.stop();
});

test('a year of weekly deploys: a rotation each period, the previous credential deleted after its overlap, no failed login', async () => {
  ws = new Workspace(engines()[0], { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
  ws.declare([
    { id: 'ci', registryId: emu.registryId, name: 'ci-pull', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotateEveryDays: EVERY, zeroDowntime: true, overlapDays: OVERLAP, expiresAfterDays: 45 },
  ]);
  const start = new Date(periodStart(EVERY, rotationPeriod(EVERY, new Date()) + 1).getTime() + 9 * 3600_000);
  const rows: string[] = ['| day | date | period | current | API calls | live tokens | logins during the deploy (failed) |', '|---|---|---|---|---|---|---|'];
  let held: Credential | undefined;
  let previous: Credential | undefined;
  let rotations = 0;
  let deletes = 0;
  let lastRotated = false;
  for (let day = 0; day <= 365; day += 7) {
    const at = new Date(start.getTime() + day * DAY);
    const d = await deployAt(emu, ws, at, held);
    const current = { username: ws.outputValue('ci_username'), password: ws.outputValue('ci_password') };
    const live = (await emu.listTokens(emu.registryId)).map((t) => t.properties.name).sort();
    lastRotated = held !== undefined && current.username !== held.username;
    rows.push(`| ${day} | ${at.toISOString().slice(0, 10)} | ${rotationPeriod(EVERY, at)} | ${current.username} | ${d.calls.join(', ') || 'none'} | ${live.join(', ')} | ${d.logins} (${d.failedLogins}) |`);
    // the held credential logged in through the deploy, and the current one logs in after it
    expect(d.failedLogins).toBe(0);
    expect(await emu.login(emu.registryId, current.username, current.password)).toBe(true);
    if (held && current.username !== held.username) {
      // a rotation: the new credential only was made; the one consumers held still logs in
      expect(d.calls.filter((c) => c.startsWith('PUT'))).toEqual(['PUT 201']);
      expect(await emu.login(emu.registryId, held.username, held.password)).toBe(true);
      rotations += 1;
      previous = held;
    } else if (d.calls.length > 0 && day > 0) {
      // the end of an overlap: the previous credential deleted, nothing else
      expect(d.calls).toEqual(['DELETE 204']);
      if (previous) expect(await emu.login(emu.registryId, previous.username, previous.password)).toBe(false);
      deletes += 1;
    }
    expect(live.length).toBeLessThanOrEqual(2);
    held = current;
  }
  const report = `${rows.join('\n')}\n\n${rotations} rotations and ${deletes} deletes of a previous credential in 53 weekly deploys; every login tried succeeded.\n`;
  fs.mkdirSync(path.join(REPO, '.test-results'), { recursive: true });
  fs.writeFileSync(path.join(REPO, '.test-results', 'year-of-rotations.md'), report);
  process.stdout.write(`${report}\n`);
  expect(rotations).toBeGreaterThanOrEqual(11);
  // one delete per rotation whose overlap ended within the year, and one for the first deploy, which
  // makes both credentials (synth cannot tell it is the first)
  expect(deletes).toBe(rotations + 1 - (lastRotated ? 1 : 0));
  expect((await ws.destroy()).code).toBe(0);
  expect(await emu.listTokens(emu.registryId)).toEqual([]);
});
