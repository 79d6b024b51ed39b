/**
 * Bad input, a table: each rule broken at synth and (through unresolved values) at apply, and API
 * answers the client does not expect. Each gives one clear line naming the token and what to do, no
 * stack trace, and leaves nothing half-done: the registry stays empty and a corrected deploy works.
 * The lines seen are written to .test-results/bad-input.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, REPO, RunResult, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(15 * 60 * 1000);

const engine = engines()[0];
const table: string[] = ['| case | where | what the user sees |', '|---|---|---|'];

let emu: RunningEmulator;
let ws: Workspace;
const good = (): TokenDecl => ({ id: 'bad', registryId: emu.registryId, name: 'bad-input', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] });

beforeAll(async () => {
  emu = await startEmulator();
  ws = new Workspace(engine, {
    IONOS_USERNAME: 'emulator',
    IONOS_PASSWORD: 'emulator',
    IONOS_API_URL: emu.apiUrl,
    IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '2',
    IONOS_REGISTRY_TOKEN_REQUEST_TIMEOUT_SECONDS: '1',
  });
});
afterAll(async () => {
  fs.mkdirSync(path.join(REPO, '.test-results'), { recursive: true });
  fs.writeFileSync(path.join(REPO, '.test-results', 'bad-input.md'), `${table.join('\n')}\n`);
  await emu?.stop();
  ws?.cleanup();
});

/** The one line the user reads, and the checks every failure must pass. */
function failureLine(res: RunResult, marker: RegExp): string {
  expect(res.code).not.toBe(0);
  const plain = res.all.replace(/\x1b\[[0-9;]*m/g, '');
  const line = plain.split('\n').find((l) => marker.test(l));
  if (!line) throw new Error(`no line matching ${marker} in:\n${plain.slice(-3000)}`);
  expect(plain).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
  // Node prints an uncaught synth error as [Name: message]; the user reads the message.
  return line.replace(/^.*?(registry-token:|integ\/bad:)/, '$1').replace(/\]$/, '').trim();
}

const soon = () => new Date(Date.now() + 10 * 60 * 1000).toISOString();

describe(`broken rules (${engine.name})`, () => {
  const cases: [string, Partial<TokenDecl>, string][] = [
    ['name', { name: '1abc' }, 'name "1abc" must start with a letter a-z'],
    ['registry id', { registryId: 'not-a-uuid' }, 'registryId "not-a-uuid" must be a uuid'],
    ['expiry format', { expiryDate: '2030-01-01' }, 'expiryDate "2030-01-01" must be an RFC 3339 date-time with a zone'],
    ['status', { status: 'on' }, 'status "on" must be one of enabled, disabled'],
  ];

  test.each(cases)('%s at synth: one line naming path, prop, value and rule', async (what, bad, words) => {
    ws.declare([{ ...good(), ...bad }]);
    const line = failureLine(await ws.cdktf(['synth']), /integ\/bad: /);
    expect(line).toContain(`integ/bad: ${words}`);
    table.push(`| ${what} | synth | \`${line}\` |`);
  });

  test.each([...cases, ['expiry less than an hour ahead', { expiryDate: 'SOON' }, 'must be at least one hour in the future']] as [string, Partial<TokenDecl>, string][])(
    '%s at apply (unresolved at synth): the handler refuses it before any call',
    async (what, bad, words) => {
      const value = bad.expiryDate === 'SOON' ? { expiryDate: soon() } : bad;
      ws.declare([{ ...good(), ...value, viaVariable: Object.keys(value) }]);
      await emu.clearRequests();
      const line = failureLine(await ws.deploy(), /registry-token: create failed/);
      expect(line).toContain('integ/bad: ');
      expect(line).toContain(words);
      // No create reached the API (a DELETE of the previous case's never-created token may have).
      expect((await emu.requests()).filter((r) => r.method === 'PUT' || r.method === 'POST')).toEqual([]);
      expect(await emu.listTokens(emu.registryId)).toEqual([]);
      table.push(`| ${what} | apply | \`${line}\` |`);
    },
  );
});

describe(`answers the client does not expect (${engine.name})`, () => {
  const faults: [string, Record<string, unknown>, RegExp][] = [
    ['HTML error page', { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', contentType: 'text/html' }, /HTTP 502/],
    ['empty body', { status: 200, body: '' }, /empty|no body|unexpected/i],
    ['wrong content type', { status: 201, body: 'created', contentType: 'text/plain' }, /text\/plain|content type|unexpected/i],
    ['200 without an id', { status: 200, body: '{"type":"token"}', contentType: 'application/json' }, /id|unexpected/i],
    ['timeout', { latencyMs: 3000 }, /time|timeout/i],
  ];

  test.each(faults)('%s on create: one line naming the token and what to do; nothing left behind but what may have landed', async (what, fault, words) => {
    ws.declare([good()]);
    await emu.clearFaults();
    // Every PUT of the create: none of these answers proves the PUT unapplied, so the create reads the
    // token again (GET, 404) and PUTs again, 3 rounds at most, one attempt each.
    await emu.addFault({ method: 'PUT', path: '/tokens/', times: 3, ...fault });
    await emu.clearRequests();
    const res = await ws.deploy();
    const line = failureLine(res, /registry-token: create (of|failed)/);
    expect(line).toMatch(/bad-input|integ\/bad/);
    expect(line).toMatch(words);
    expect(line).toMatch(/run the deploy again|IONOS_API_URL|report/);
    if (fault.latencyMs) {
      // A PUT the client gave up on still lands (the emulator applies it after its latency, as an API
      // may): the token left is this workspace's (its journal records the attempt), so the next deploy
      // deletes it and creates it again (the last test). Wait until the last one has landed.
      await new Promise((r) => setTimeout(r, 4000));
      expect((await emu.listTokens(emu.registryId)).map((t) => t.properties.name)).toEqual(['bad-input']);
    } else {
      // Nothing was written: each round read the id (404) and its PUT got the unexpected answer.
      const round = ['GET 404', `PUT ${fault.status}`];
      expect((await emu.requests()).filter((r) => r.method !== 'DELETE').map((r) => `${r.method} ${r.status}`)).toEqual([...round, ...round, ...round]);
      expect(await emu.listTokens(emu.registryId)).toEqual([]);
    }
    table.push(`| ${what} | apply (PUT) | \`${line}\` |`);
  });

  test('after all that, the corrected stack deploys: one token, a working password', async () => {
    await emu.clearFaults();
    ws.declare([good()]);
    const res = await ws.deploy();
    if (res.code !== 0) throw new Error(res.all.slice(-3000));
    const live = await emu.listTokens(emu.registryId);
    expect(live.map((t) => t.properties.name)).toEqual(['bad-input']);
    expect(await emu.login(emu.registryId, 'bad-input', ws.outputValue('bad_password'))).toBe(true);
  });
});
