/**
 * Bad input, a table: each rule broken at synth and (through values unresolved at synth) at plan, an
 * expiry too near at apply, and API answers the client does not expect. Each gives one clear line
 * naming the token and what to do, no stack trace, and leaves nothing half-done: the registry stays
 * empty and a corrected deploy works.
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

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** The one line the user reads, and the checks every failure must pass. */
function failureLine(res: RunResult, marker: RegExp): string {
  expect(res.code).not.toBe(0);
  const plain = stripAnsi(res.all);
  const line = plain.split('\n').find((l) => marker.test(l));
  if (!line) throw new Error(`no line matching ${marker} in:\n${plain.slice(-3000)}`);
  expect(plain).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
  // Our line comes first, before the engine's error box, and nothing shows our shell.
  const box = plain.search(/Error: local-exec provisioner error/);
  if (box >= 0) expect(plain.indexOf(line)).toBeLessThan(box);
  expect(plain).not.toMatch(/RT_STEP|RT_HANDLER|run\.sh|IONOS_RT_STEP/);
  // Node prints an uncaught synth error as [Name: message]; the user reads the message.
  return line.replace(/^.*?(registry-token:|integ\/bad:)/, '$1').replace(/\]$/, '').trim();
}

/** The message of the engine's "Resource precondition failed" error box, its wrapped lines joined. */
function preconditionMessage(res: RunResult): string {
  expect(res.code).not.toBe(0);
  const plain = stripAnsi(res.all);
  expect(plain).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
  // The box's lines, "│ <text>" (cdktf may put the stack's name in front), and where it ends ("╵").
  const rows = plain.split('\n').map((l) => l.replace(/^\s*(\S+\s+)?(?=[│╵╷])/, ''));
  const start = rows.findIndex((l) => /^│ Error: Resource precondition failed/.test(l));
  if (start < 0) throw new Error(`no "Resource precondition failed" error in:\n${plain.slice(-3000)}`);
  const first = rows.findIndex((l, i) => i > start && /^│ integ\/bad: /.test(l));
  if (first < 0) throw new Error(`no message of ours in the precondition error:\n${rows.slice(start, start + 20).join('\n')}`);
  const lines: string[] = [];
  for (let i = first; i < rows.length && /^│ \S/.test(rows[i]); i++) lines.push(rows[i].slice(2).trim());
  return lines.join(' ');
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

  // A value passed through a TerraformVariable is unresolved at synth but known at plan: each rule is
  // also a precondition of the token's create resource (lib/preconditions.ts), so the plan refuses
  // it with the engine's "Resource precondition failed" error, in the construct's words, before any
  // resource (hence any step, hence any API call) runs. Without the preconditions the handler would
  // refuse it at apply instead ("registry-token: create failed: ..."), which these tests refuse.
  const atPlan: [string, Partial<TokenDecl>, RegExp][] = [
    // The name's precondition is one regex for all of the name's rules, so its message cannot say which
    // part of the pattern the value breaks: it names the whole rule, not the synth line.
    ['name', { name: '1abc' }, /^integ\/bad: name "1abc" must be 3-63 characters of a-z, A-Z, 0-9 and "-", start with a letter a-z and end with a letter or a digit$/],
    ['registry id', { registryId: 'not-a-uuid' }, /^integ\/bad: registryId "not-a-uuid" must be a uuid like 00000000-0000-4000-8000-000000000000$/],
    ['expiry format', { expiryDate: '2030-01-01' }, /^integ\/bad: expiryDate "2030-01-01" must be an RFC 3339 date-time with a zone/],
    ['status', { status: 'on' }, /^integ\/bad: status "on" must be one of enabled, disabled$/],
  ];

  test.each(atPlan)('%s at plan (unresolved at synth, a variable): the plan\'s precondition refuses it, no API call, nothing created', async (what, bad, words) => {
    ws.declare([{ ...good(), ...bad, viaVariable: Object.keys(bad) }]);
    await emu.clearRequests();
    const res = await ws.deploy();
    const message = preconditionMessage(res);
    // path, prop, value and rule
    expect(message).toMatch(words);
    // Refused by the plan: no step ran, nothing was created, and the API heard nothing at all.
    const plain = stripAnsi(res.all);
    expect(plain).not.toMatch(/Provisioning with 'local-exec'|Creating\.\.\.|registry-token: create failed/);
    expect(await emu.requests()).toEqual([]);
    expect(fs.existsSync(ws.stateFile) ? ws.state().resources : []).toEqual([]);
    expect(await emu.listTokens(emu.registryId)).toEqual([]);
    table.push(`| ${what} | plan | \`${message}\` |`);
  });

  // Whether an expiry is an hour ahead depends on the time of the apply: the handler checks it then.
  test('expiry less than an hour ahead at apply (unresolved at synth): the handler refuses it before any call', async () => {
    const what = 'expiry less than an hour ahead';
    ws.declare([{ ...good(), expiryDate: soon(), viaVariable: ['expiryDate'] }]);
    await emu.clearRequests();
    const line = failureLine(await ws.deploy(), /registry-token: create failed/);
    expect(line).toContain('integ/bad: expiryDate "');
    expect(line).toContain('must be at least one hour in the future');
    // No call reached the API (the cases above left nothing in the state to delete).
    expect(await emu.requests()).toEqual([]);
    expect(await emu.listTokens(emu.registryId)).toEqual([]);
    table.push(`| ${what} | apply | \`${line}\` |`);
  });
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
