/**
 * The stack's specs steps (specs.ts): the pure parts, then `runStep` of a specs step against the real
 * emulator, with tokens created by the real create step.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runStep, StepOutput, type StepRuntime } from '../../lib/handler';
import { capturedNoteName, freshMarkerName, resultFileName, specsBeforeName } from '../../lib/handler/consts';
import { NeedsRecreate, StepError } from '../../lib/handler/errors';
import { engineKey, StateProof } from '../../lib/handler/processes';
import { desiredOf, pool, reportRecreate, recordBefore, splitBefore, takeBefore, triage, type CaptureRun } from '../../lib/handler/specs';
import type { SpecsEntry, SpecsToken } from '../../lib/handler/step';
import { RemovalPolicy } from '../../lib/model';
import { specDigest } from '../../lib/token-spec';
import { startEmulator, type RunningEmulator } from '../helper/emulator';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const idOf = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;
const entry = (name: string, status = 'enabled', n = 0): SpecsEntry => ({ name, status, expiry_date: 'never', scopes: ['repository app/* pull'], token_id: idOf(n), registry_id: REGISTRY });

/** Token n of a specs step, as the construct gives it (the engine has filled in its create id). */
function token(n: number, status = 'enabled', extra: Partial<SpecsToken> = {}): SpecsToken {
  return { path: `stack/t${n}`, entry: entry(`spec-tok-${n}`, status, n), create: `t${n}_create_0000000${n}`, createId: `create-${n}`, captured: true, ...extra };
}
const specsStep = (...tokens: SpecsToken[]) => JSON.stringify({ op: 'specs', stack: 'stack', tokens });

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-specs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('specs steps (pure)', () => {
  const t = token(1);
  const files = () => ({
    marker: path.join(dir, freshMarkerName(t.entry.token_id, t.createId, specDigest(desiredOf(t.entry)))),
    result: path.join(dir, resultFileName(t.entry.token_id, t.createId)),
  });

  test("an entry's plain words are the declared token", () => {
    expect(desiredOf({ ...entry('a', 'disabled'), expiry_date: '2030-01-01T00:00:00Z', scopes: ['repository app/* pull,push', 'registry * pull'] })).toEqual({
      name: 'a',
      status: 'disabled',
      expiryDate: '2030-01-01T00:00:00Z',
      scopes: [
        { type: 'repository', name: 'app/*', actions: ['pull', 'push'] },
        { type: 'registry', name: '*', actions: ['pull'] },
      ],
    });
  });

  test('just created with this spec: removes the result file and the marker, no API call', () => {
    const f = files();
    fs.writeFileSync(f.marker, '');
    fs.writeFileSync(f.result, '{"password":"x"}');
    expect(triage(dir, t, undefined)).toBe('created');
    expect([fs.existsSync(f.marker), fs.existsSync(f.result)]).toEqual([false, false]);
  });

  test('a marker without its result file: captured (the state says so), an earlier run removed it; else an error naming the fix', () => {
    fs.writeFileSync(files().marker, '');
    const { captured: _c, ...unknown } = t;
    expect(() => triage(dir, unknown, undefined)).toThrow(StepError);
    expect(() => triage(dir, unknown, undefined)).toThrow(/could not be captured.*Create the token again with:/);
    expect(triage(dir, t, undefined)).toBe('created');
    expect(fs.existsSync(files().marker)).toBe(false);
  });

  test('a result file captured in this engine run stays for the worker until the state file holds its password; one of an earlier run goes', () => {
    const f = files();
    const note = path.join(dir, capturedNoteName(t.entry.token_id, t.createId));
    const state = path.join(dir, 'terraform.tfstate');
    const again = () => {
      fs.writeFileSync(f.marker, '');
      fs.writeFileSync(f.result, '{"password":"just-captured-0123456789"}');
    };
    // GIVEN the note of this engine run, and a state file that does not hold the password yet
    fs.writeFileSync(state, JSON.stringify({ version: 4, resources: [] }));
    const run: CaptureRun = { engine: '4242-99', proof: new StateProof(state) };
    again();
    fs.writeFileSync(note, '4242-99\n');
    // THEN the file stays (the engine writes the state when it finishes: the worker removes it then)
    expect(triage(dir, t, undefined, run)).toBe('created');
    expect([fs.existsSync(f.result), fs.existsSync(note)]).toEqual([true, true]);
    // once the state file holds it, it goes, with the note
    fs.writeFileSync(state, JSON.stringify({ version: 4, resources: [{ instances: [{ attributes: { triggers_replace: { value: 'just-captured-0123456789' } } }] }] }));
    again();
    expect(triage(dir, t, undefined, { engine: '4242-99', proof: new StateProof(state) })).toBe('created');
    expect([fs.existsSync(f.result), fs.existsSync(note)]).toEqual([false, false]);
    // captured by an earlier run (the state this run read holds it): it goes
    again();
    fs.writeFileSync(note, '4141-98\n');
    expect(triage(dir, t, undefined, run)).toBe('created');
    expect([fs.existsSync(f.result), fs.existsSync(note)]).toEqual([false, false]);
  });

  test('a marker of another spec (the entry changed since that create) is not this one: update', () => {
    fs.writeFileSync(path.join(dir, freshMarkerName(t.entry.token_id, t.createId, '0123456789abcdef')), '');
    fs.writeFileSync(files().result, '{"password":"x"}');
    expect(triage(dir, t, undefined)).toBe('update');
  });

  test('after an adoption (result file, no marker): removes the file, then updates', () => {
    fs.writeFileSync(files().result, '{"password":""}');
    expect(triage(dir, t, {})).toBe('update');
    expect(fs.existsSync(files().result)).toBe(false);
  });

  test('the same entry as before: nothing to do; a changed or new entry, or no record of before: update', () => {
    expect(triage(dir, t, { 'stack/t1': { scopes: ['repository app/* pull'], expiry_date: 'never', status: 'enabled', name: 'spec-tok-1' } })).toBe('unchanged');
    expect(triage(dir, t, { 'stack/t1': entry('spec-tok-1', 'disabled') })).toBe('update');
    expect(triage(dir, t, { 'stack/t9': entry('spec-tok-1') })).toBe('update');
    expect(triage(dir, t, undefined)).toBe('update');
  });

  test('the entries before are split by the paths declared now: kept, or left the code (with identity and policy)', () => {
    const before = {
      'stack/t1': entry('a'),
      'stack/t2': { ...entry('b'), token_id: 'id-b', registry_id: REGISTRY, api_url: 'https://x' },
      'stack/t3': { ...entry('c'), token_id: 'id-c', registry_id: REGISTRY, removal_policy: 'retain' },
      'stack/t4': { name: 'd', status: 'enabled', expiry_date: 'never', scopes: [] },
    };
    const { kept, removed } = splitBefore({ before, declared: ['stack/t1', 'stack/t9'] });
    expect(kept).toEqual({ 'stack/t1': entry('a') });
    expect(removed).toEqual([
      { path: 'stack/t2', name: 'b', tokenId: 'id-b', registryId: REGISTRY, apiUrl: 'https://x', retain: false },
      { path: 'stack/t3', name: 'c', tokenId: 'id-c', registryId: REGISTRY, apiUrl: '', retain: true },
      { path: 'stack/t4', name: 'd', tokenId: undefined, registryId: undefined, apiUrl: '', retain: false },
    ]);
  });

  test("a created token whose password resource holds \"\" fails the step, naming the one command that repairs it", () => {
    const lost = token(1, 'enabled', { captured: false });
    let err: unknown;
    try {
      triage(dir, lost, undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NeedsRecreate);
    const lines: string[] = [];
    reportRecreate('stack', [{ step: 'capture', create: lost.create, err: err as NeedsRecreate }], { cli: 'cdktf', engine: 'terraform' }, (l) => lines.push(l));
    expect(lines).toEqual([
      `registry-token: capture failed: stack/t1: the password of token "spec-tok-1" (id ${idOf(1)}, registry ${REGISTRY}) never reached the Terraform state (the deploy that created it was interrupted, or its working directory was lost). Create it again, with a new password: TF_CLI_ARGS_apply="-replace=terraform_data.'t1_create_00000001'" cdktf deploy stack`,
    ]);
    // an adopted token is not told (its password is unknown)
    const { captured: _c, ...adopted } = lost;
    expect(triage(dir, adopted, undefined)).toBe('update');
  });

  test('several tokens to create again: each named on its line, and one command for the stack on the last', () => {
    const errs = [1, 2, 3].map((i) => {
      try {
        triage(dir, token(i, 'enabled', { captured: false }), undefined);
      } catch (e) {
        return { step: 'capture', create: token(i, 'enabled').create, err: e as NeedsRecreate };
      }
      throw new Error('no failure');
    });
    const lines: string[] = [];
    reportRecreate('prod', errs.map((e, i) => (i === 0 ? { ...e, password: 't1_password_0000000A' } : e)), { cli: 'cdktn', engine: 'tofu' }, (l) => lines.push(l));
    expect(lines).toHaveLength(4);
    lines.slice(0, 3).forEach((l, i) => expect(l).toMatch(new RegExp(`^registry-token: capture failed: stack/t${i + 1}: .*\\(one command for the 3 tokens: the last line\\)$`)));
    expect(lines[3]).toBe(
      `registry-token: 3 tokens of stack prod need creating again, with new passwords; one deploy does it for all: TF_CLI_ARGS_apply="-replace=terraform_data.'t1_create_00000001' -replace=terraform_data.'t1_password_0000000A' -replace=terraform_data.'t2_create_00000002' -replace=terraform_data.'t3_create_00000003'" cdktn deploy prod`,
    );
  });

  test('a change of identity or removal policy alone needs no API call', () => {
    const now: SpecsToken = { ...t, entry: { ...t.entry, removal_policy: RemovalPolicy.RETAIN as const } };
    expect(triage(dir, now, { 'stack/t1': { name: 'spec-tok-1', status: 'enabled', expiry_date: 'never', scopes: ['repository app/* pull'] } })).toBe('unchanged');
  });

  test('the entries before are kept per engine run (pid and start time), mode 0600, and read once', async () => {
    expect(await recordBefore(dir, process.pid, { 'stack/t1': entry('a') }, () => undefined)).toBe(1);
    const key = engineKey(process.pid)!;
    expect(key).toMatch(new RegExp(`^${process.pid}(-\\d+)?$`));
    const file = path.join(dir, specsBeforeName(key));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(takeBefore(dir, process.pid)).toEqual({ 'stack/t1': entry('a') });
    expect(takeBefore(dir, process.pid)).toBeUndefined();
    // another engine run (a pid that is no process) finds nothing, and its stale file is removed
    fs.writeFileSync(path.join(dir, specsBeforeName('2147483646-1')), '{}');
    expect(takeBefore(dir, 2147483646)).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([]);
    // without the engine's pid there is nothing to tie the two steps: nothing is kept
    const lines: string[] = [];
    expect(await recordBefore(dir, undefined, { 'stack/t1': entry('a') }, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual(['specs-before: no engine pid; the next specs step checks every token']);
  });

  test('pool runs every item, at most n at once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await pool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      seen.push(n);
      running--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });
});

describe('the specs step against the emulator', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.stop());

  const collect = () => {
    const lines: string[] = [];
    const output: StepOutput = { out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) };
    return { lines, output };
  };
  const runtime = (output: StepOutput, env: NodeJS.ProcessEnv = {}): StepRuntime => ({
    env: { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl, ...env },
    workDir: dir,
    enginePid: process.pid,
    output,
  });
  async function createToken(n: number): Promise<void> {
    const t = token(n);
    const { output, lines } = collect();
    const step = { op: 'create', path: t.path, registryId: REGISTRY, tokenId: t.entry.token_id, apiUrl: '', spec: desiredOf(t.entry), createId: t.createId };
    const code = await runStep(JSON.stringify(step), runtime(output));
    expect({ code, lines }).toMatchObject({ code: 0 });
  }

  test('right after the creates: removes every result file, no API call', async () => {
    await emu.reset();
    await createToken(1);
    await createToken(2);
    await emu.clearRequests();
    const { output, lines } = collect();
    const code = await runStep(specsStep(token(1), token(2)), runtime(output));
    expect(code).toBe(0);
    // a user reads nothing of our internal steps
    expect(lines.filter((l) => /specs/.test(l))).toEqual([]);
    expect(await emu.requests()).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.result.json') || f.endsWith('.fresh'))).toEqual([]);
    // with IONOS_REGISTRY_TOKEN_DEBUG the counts are there
    const debug = collect();
    expect(await runStep(specsStep(token(1), token(2)), runtime(debug.output, { IONOS_REGISTRY_TOKEN_DEBUG: '1' }))).toBe(0);
    expect(debug.lines.join('\n')).toContain('specs: 2 token(s): 0 just created, 0 unchanged, 2 checked against the API');
  });

  test('one status change among two tokens: the unchanged one is skipped, the changed one read and patched (2 calls)', async () => {
    // GIVEN two live tokens and the entries the destroyed specs resource held
    await recordBefore(dir, process.pid, { 'stack/t1': token(1).entry, 'stack/t2': token(2).entry }, () => undefined);
    await emu.clearRequests();
    // WHEN token 2 is declared disabled
    const { output, lines } = collect();
    const code = await runStep(specsStep(token(1), token(2, 'disabled')), runtime(output, { IONOS_REGISTRY_TOKEN_DEBUG: '1' }));
    // THEN
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('0 just created, 1 unchanged, 1 checked against the API');
    // besides the debug counts (and the notice of a non-default API), one line: the change, in plan-summary's words
    expect(lines.filter((l) => !/ specs: |using the IONOS API/.test(l))).toEqual(['registry-token: spec-tok-2: status enabled → disabled (PATCH, password kept)']);
    expect((await emu.requests()).map((r) => r.method)).toEqual(['GET', 'PATCH']);
    expect((await emu.listTokens()).find((t) => t.properties.name === 'spec-tok-2')!.properties.status).toBe('disabled');
  });

  test('without the entries before (a tainted or interrupted step): every token is checked; a gone one is one line naming the fix', async () => {
    await emu.clearRequests();
    const { output, lines } = collect();
    const code = await runStep(specsStep(token(1), token(2, 'disabled'), token(3)), runtime(output, { IONOS_REGISTRY_TOKEN_DEBUG: '1' }));
    expect(code).toBe(1);
    expect((await emu.requests()).map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    const errors = lines.filter((l) => l.startsWith('ERR '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^ERR registry-token: update failed: stack/t3: token "spec-tok-3" \\(id ${idOf(3)}.*no longer exists.* run: terraform -chdir=cdktf.out/stacks/stack apply -replace=terraform_data\\.'t3_create_00000003'$`));
    expect(lines.join('\n')).toContain('(no record of the entries before this change, so every token not just created was checked), 1 failed');
  });

  test("a token's own retry settings (props) win over the environment's", async () => {
    await emu.clearRequests();
    await emu.addFault({ method: 'GET', status: 503, times: 2 });
    const { output, lines } = collect();
    const code = await runStep(specsStep(token(1, 'enabled', { maxAttempts: 3 }), token(2, 'disabled', { maxAttempts: 1 })), runtime(output, { IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '2' }));
    expect(code).toBe(1);
    const errors = lines.filter((l) => l.startsWith('ERR '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('HTTP 503');
    expect(errors[0]).not.toContain('gave up after');
    expect((await emu.requests()).map((r) => `${r.method} ${r.status}`).sort()).toEqual(['GET 200', 'GET 503', 'GET 503']);
  });
});

describe("the specs resource's destroy step against the emulator: tokens that left the code", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.stop());

  const put = (id: string, name: string) =>
    fetch(`${emu.apiUrl}/containerregistries/registries/${REGISTRY}/tokens/${id}`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from('emulator:emulator').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { name, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] } }),
    });
  const goneId = (n: number) => `0000000${n}-0000-4000-8000-00000000aaaa`;
  const held = (n: number, extra: Record<string, unknown> = {}) => ({ ...entry(`gone-${n}`), token_id: goneId(n), registry_id: REGISTRY, ...extra });
  const step = (before: object, declared: string[]) => JSON.stringify({ op: 'specs-before', declared, beforeText: [JSON.stringify(before)] });
  const runtime = (lines: string[], env: NodeJS.ProcessEnv = {}): StepRuntime => ({
    env: { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl, ...env },
    workDir: dir,
    enginePid: process.pid,
    output: { out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) },
  });

  test('deletes each removed token once (404 = already gone), keeps a retained one, touches no declared token', async () => {
    await emu.reset();
    for (const n of [1, 2, 4, 5]) expect((await put(goneId(n), `gone-${n}`)).status).toBe(201);
    await emu.clearRequests();
    const lines: string[] = [];
    const before = { 'stack/t1': held(1), 'stack/t2': held(2), 'stack/t3': held(3), 'stack/t4': held(4, { removal_policy: 'retain' }), 'stack/t5': held(5) };
    const code = await runStep(step(before, ['stack/t5']), runtime(lines));
    expect({ code, errors: lines.filter((l) => l.startsWith('ERR')) }).toEqual({ code: 0, errors: [] });
    const calls = (await emu.requests()).map((r) => `${r.method} ${r.path.split('/').pop()} ${r.status}`).sort();
    expect(calls).toEqual([`DELETE ${goneId(1)} 204`, `DELETE ${goneId(2)} 204`, `DELETE ${goneId(3)} 404`]);
    expect((await emu.listTokens()).map((t) => t.properties.name).sort()).toEqual(['gone-4', 'gone-5']);
    // one line per token, in plan-summary's words; nothing about the step itself
    expect(lines.filter((l) => !/using the IONOS API/.test(l)).sort()).toEqual([
      'registry-token: delete gone-1 (removed from the code)',
      'registry-token: delete gone-2 (removed from the code)',
      'registry-token: delete gone-3 (removed from the code; already gone)',
      'registry-token: forget gone-4 (kept live: removalPolicy RETAIN)',
    ]);
    expect(takeBefore(dir, process.pid)).toEqual({ 'stack/t5': held(5) });
  });

  test('a delete that fails fails the step with one line naming the token and what to do', async () => {
    await emu.reset();
    await emu.addFault({ method: 'DELETE', status: 503, times: 10 });
    const lines: string[] = [];
    const code = await runStep(step({ 'stack/t1': held(1) }, []), runtime(lines, { IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '2' }));
    expect(code).toBe(1);
    const errors = lines.filter((l) => l.startsWith('ERR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ERR registry-token: delete of stack\/t1 \(token "gone-1", id 00000001-.*HTTP 503.*run the deploy again/);
  });
});
