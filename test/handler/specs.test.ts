/**
 * The stack's specs steps (specs.ts): the pure parts, then `runStep('specs')` against the real
 * emulator, with tokens created by the real create step.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runStep, StepOutput } from '../../lib/handler';
import { freshMarkerName, Operation, resultFileName, specsBeforeName } from '../../lib/handler/consts';
import { canonical, engineKey, numberedVars, parseSpecsToken, pool, recordBefore, splitBefore, takeBefore, triage, type SpecsToken } from '../../lib/handler/specs';
import { StepError } from '../../lib/handler/lifecycle';
import { startEmulator, type RunningEmulator } from '../helper/emulator';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const spec = (name: string, status = 'enabled') => ({ name, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], status, expiryDate: null });
const entry = (name: string, status = 'enabled') => ({ name, status, expiry_date: 'never', scopes: ['repository app/* pull'] });

function tokenVar(n: number, status = 'enabled', createId = `create-${n}`) {
  const name = `spec-tok-${n}`;
  return JSON.stringify({
    token: {
      path: `stack/t${n}`,
      registry_id: REGISTRY,
      token_id: `0000000${n}-0000-4000-8000-000000000000`,
      name,
      api_url: '',
      spec: spec(name, status),
      create_id: createId,
      digest: `digest${n}`,
      adopt: '',
      max_attempts: '',
      timeout_seconds: '',
      replace_hint: `terraform apply -replace=terraform_data.t${n}_create_0000000${n}`,
    },
    entry: entry(name, status),
  });
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-specs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('specs steps (pure)', () => {
  const t = parseSpecsToken(tokenVar(1), 1).token;
  const files = () => ({
    marker: path.join(dir, freshMarkerName(t.tokenId, t.createId, t.digest)),
    result: path.join(dir, resultFileName(t.tokenId, t.createId)),
  });

  test('variables are read in order up to the first gap; a token needs its id, name, registry and create id', () => {
    expect(numberedVars({ X0: 'a', X1: 'b', X3: 'd' }, 'X')).toEqual(['a', 'b']);
    expect(t).toMatchObject({ path: 'stack/t1', name: 'spec-tok-1', createId: 'create-1', adopt: false });
    expect(() => parseSpecsToken('{', 4)).toThrow('IONOS_RT_T4 is not JSON');
    expect(() => parseSpecsToken(JSON.stringify({ token: { name: 'x' } }), 2)).toThrow('IONOS_RT_T2 lacks the token id');
  });

  test('canonical JSON ignores key order', () => {
    expect(canonical({ b: [1, { d: 1, c: 2 }], a: null })).toBe(canonical({ a: null, b: [1, { c: 2, d: 1 }] }));
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: 2 }));
  });

  test('just created with this spec: removes the result file and the marker, no API call', () => {
    const f = files();
    fs.writeFileSync(f.marker, '');
    fs.writeFileSync(f.result, '{"password":"x"}');
    expect(triage(dir, t, entry('spec-tok-1'), undefined)).toBe('created');
    expect([fs.existsSync(f.marker), fs.existsSync(f.result)]).toEqual([false, false]);
  });

  test('a marker without its result file: the password never reached the state, which is an error naming the fix', () => {
    fs.writeFileSync(files().marker, '');
    expect(() => triage(dir, t, entry('spec-tok-1'), undefined)).toThrow(StepError);
    expect(() => triage(dir, t, entry('spec-tok-1'), undefined)).toThrow(/could not be captured.*-replace=terraform_data\.t1_create_00000001/);
  });

  test('after an adoption (result file, no marker): removes the file, then updates', () => {
    fs.writeFileSync(files().result, '{"password":""}');
    expect(triage(dir, t, entry('spec-tok-1'), {})).toBe('update');
    expect(fs.existsSync(files().result)).toBe(false);
  });

  test('the same entry as before: nothing to do; a changed or new entry, or no record of before: update', () => {
    expect(triage(dir, t, entry('spec-tok-1'), { 'stack/t1': { scopes: ['repository app/* pull'], expiry_date: 'never', status: 'enabled', name: 'spec-tok-1' } })).toBe('unchanged');
    expect(triage(dir, t, entry('spec-tok-1'), { 'stack/t1': entry('spec-tok-1', 'disabled') })).toBe('update');
    expect(triage(dir, t, entry('spec-tok-1'), { 'stack/t9': entry('spec-tok-1') })).toBe('update');
    expect(triage(dir, t, entry('spec-tok-1'), undefined)).toBe('update');
  });

  test('the entries before are split by the paths declared now: kept, or left the code (with identity and policy)', () => {
    const before = {
      'stack/t1': entry('a'),
      'stack/t2': { ...entry('b'), token_id: 'id-b', registry_id: REGISTRY, api_url: 'https://x' },
      'stack/t3': { ...entry('c'), token_id: 'id-c', registry_id: REGISTRY, removal_policy: 'retain' },
      'stack/t4': entry('d'),
    };
    const { kept, removed } = splitBefore({ IONOS_RT_BEFORE: JSON.stringify(before), IONOS_RT_DECLARED: '["stack/t1","stack/t9"]' });
    expect(kept).toEqual({ 'stack/t1': entry('a') });
    expect(removed).toEqual([
      { path: 'stack/t2', name: 'b', tokenId: 'id-b', registryId: REGISTRY, apiUrl: 'https://x', retain: false },
      { path: 'stack/t3', name: 'c', tokenId: 'id-c', registryId: REGISTRY, apiUrl: '', retain: true },
      { path: 'stack/t4', name: 'd', tokenId: undefined, registryId: undefined, apiUrl: '', retain: false },
    ]);
    expect(splitBefore({ IONOS_RT_BEFORE: 'null' })).toEqual({ kept: {}, removed: [] });
    expect(() => splitBefore({ IONOS_RT_BEFORE: '[1]' })).toThrow(StepError);
    expect(() => splitBefore({ IONOS_RT_DECLARED: 'not json' })).toThrow('IONOS_RT_DECLARED is not JSON');
  });

  test("a created token whose password resource holds \"\" fails the step, naming the one command that repairs it", () => {
    const raw = JSON.parse(tokenVar(1));
    raw.token.captured = 'false';
    raw.token.replace_hint = 'terraform -chdir=cdktf.out/stacks/s apply -replace=terraform_data.t1_create_00000001';
    const t = parseSpecsToken(JSON.stringify(raw), 0).token;
    expect(() => triage(dir, t, entry('spec-tok-1'), undefined)).toThrow(
      `stack/t1: the password of token "spec-tok-1" (id ${t.tokenId}, registry ${REGISTRY}) never reached the Terraform state (the deploy that created it was interrupted, or its working directory was lost). Create it again, with a new password: terraform -chdir=cdktf.out/stacks/s apply -replace=terraform_data.t1_create_00000001`,
    );
    raw.token.captured = 'true';
    expect(triage(dir, parseSpecsToken(JSON.stringify(raw), 0).token, entry('spec-tok-1'), undefined)).toBe('update');
  });

  test('a change of identity or removal policy alone needs no API call', () => {
    const t = parseSpecsToken(tokenVar(1), 1).token;
    const now = { ...entry('spec-tok-1'), token_id: t.tokenId, registry_id: REGISTRY, removal_policy: 'retain' };
    expect(triage(dir, t, now, { 'stack/t1': entry('spec-tok-1') })).toBe('unchanged');
  });

  test('the entries before are kept per engine run (pid and start time), mode 0600, and read once', () => {
    const env = { IONOS_RT_WORK_DIR: dir, IONOS_RT_ENGINE_PID: String(process.pid) };
    expect(recordBefore(env, { 'stack/t1': entry('a') }, () => undefined)).toBe(1);
    const key = engineKey(String(process.pid))!;
    expect(key).toMatch(new RegExp(`^${process.pid}(-\\d+)?$`));
    const file = path.join(dir, specsBeforeName(key));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(takeBefore(env)).toEqual({ 'stack/t1': entry('a') });
    expect(takeBefore(env)).toBeUndefined();
    // another engine run (a pid that is no process) finds nothing, and its stale file is removed
    fs.writeFileSync(path.join(dir, specsBeforeName('2147483646-1')), '{}');
    expect(takeBefore({ ...env, IONOS_RT_ENGINE_PID: '2147483646' })).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([]);
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
  const baseEnv = () => ({ IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl, IONOS_RT_WORK_DIR: dir, IONOS_RT_ENGINE_PID: String(process.pid) });
  async function createToken(n: number): Promise<SpecsToken> {
    const t = parseSpecsToken(tokenVar(n), n).token;
    const { output, lines } = collect();
    const code = await runStep(
      Operation.CREATE,
      { ...baseEnv(), IONOS_RT_REGISTRY_ID: REGISTRY, IONOS_RT_TOKEN_ID: t.tokenId, IONOS_RT_NAME: t.name, IONOS_RT_SPEC: JSON.stringify(t.spec), IONOS_RT_CREATE_ID: t.createId, IONOS_RT_SPEC_DIGEST: t.digest, IONOS_RT_PATH: t.path },
      output,
    );
    expect({ code, lines }).toMatchObject({ code: 0 });
    return t;
  }

  test('right after the creates: removes every result file, no API call', async () => {
    await emu.reset();
    await createToken(1);
    await createToken(2);
    await emu.clearRequests();
    const { output, lines } = collect();
    const code = await runStep(Operation.SPECS, { ...baseEnv(), IONOS_RT_T0: tokenVar(1), IONOS_RT_T1: tokenVar(2) }, output);
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('specs: 2 token(s): 2 just created, 0 unchanged, 0 checked against the API');
    expect(await emu.requests()).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.result.json') || f.endsWith('.fresh'))).toEqual([]);
  });

  test('one status change among two tokens: the unchanged one is skipped, the changed one read and patched (2 calls)', async () => {
    // GIVEN two live tokens and the entries the destroyed specs resource held
    const env = baseEnv();
    recordBefore(env, { 'stack/t1': entry('spec-tok-1'), 'stack/t2': entry('spec-tok-2') }, () => undefined);
    await emu.clearRequests();
    // WHEN token 2 is declared disabled
    const { output, lines } = collect();
    const code = await runStep(Operation.SPECS, { ...env, IONOS_RT_T0: tokenVar(1), IONOS_RT_T1: tokenVar(2, 'disabled') }, output);
    // THEN
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('0 just created, 1 unchanged, 1 checked against the API');
    expect((await emu.requests()).map((r) => r.method)).toEqual(['GET', 'PATCH']);
    expect((await emu.listTokens()).find((t) => t.properties.name === 'spec-tok-2')!.properties.status).toBe('disabled');
  });

  test('without the entries before (a tainted or interrupted step): every token is checked; a gone one is one line naming the fix', async () => {
    await emu.clearRequests();
    const gone = parseSpecsToken(tokenVar(3), 3).token;
    const { output, lines } = collect();
    const code = await runStep(Operation.SPECS, { ...baseEnv(), IONOS_RT_T0: tokenVar(1), IONOS_RT_T1: tokenVar(2, 'disabled'), IONOS_RT_T2: tokenVar(3) }, output);
    expect(code).toBe(1);
    expect((await emu.requests()).map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    const errors = lines.filter((l) => l.startsWith('ERR '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^ERR registry-token: update failed: stack/t3: token "spec-tok-3" \\(id ${gone.tokenId}.*no longer exists.*-replace=terraform_data\\.t3_create_00000003$`));
    expect(lines.join('\n')).toContain('(no record of the entries before this change, so every token not just created was checked), 1 failed');
  });
});

describe('the specs resource\'s destroy step against the emulator: tokens that left the code', () => {
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
  const idOf = (n: number) => `0000000${n}-0000-4000-8000-00000000aaaa`;
  const held = (n: number, extra: Record<string, unknown> = {}) => ({ ...entry(`gone-${n}`), token_id: idOf(n), registry_id: REGISTRY, ...extra });

  test('deletes each removed token once (404 = already gone), keeps a retained one, touches no declared token', async () => {
    await emu.reset();
    for (const n of [1, 2, 4, 5]) expect((await put(idOf(n), `gone-${n}`)).status).toBe(201);
    await emu.clearRequests();
    const lines: string[] = [];
    const output: StepOutput = { out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) };
    const code = await runStep(
      Operation.SPECS_BEFORE,
      {
        IONOS_USERNAME: 'emulator',
        IONOS_PASSWORD: 'emulator',
        IONOS_API_URL: emu.apiUrl,
        IONOS_RT_WORK_DIR: dir,
        IONOS_RT_ENGINE_PID: String(process.pid),
        IONOS_RT_BEFORE: JSON.stringify({ 'stack/t1': held(1), 'stack/t2': held(2), 'stack/t3': held(3), 'stack/t4': held(4, { removal_policy: 'retain' }), 'stack/t5': held(5) }),
        IONOS_RT_DECLARED: JSON.stringify(['stack/t5']),
      },
      output,
    );
    expect({ code, errors: lines.filter((l) => l.startsWith('ERR')) }).toEqual({ code: 0, errors: [] });
    const calls = (await emu.requests()).map((r) => `${r.method} ${r.path.split('/').pop()} ${r.status}`).sort();
    expect(calls).toEqual([`DELETE ${idOf(1)} 204`, `DELETE ${idOf(2)} 204`, `DELETE ${idOf(3)} 404`]);
    expect((await emu.listTokens()).map((t) => t.properties.name).sort()).toEqual(['gone-4', 'gone-5']);
    expect(lines.join('\n')).toContain('stack/t4: token "gone-4"');
    expect(lines.join('\n')).toContain('retained (removalPolicy RETAIN)');
    expect(lines.join('\n')).toMatch(/deleted token "gone-1" .*: left the code/);
    expect(takeBefore({ IONOS_RT_WORK_DIR: dir, IONOS_RT_ENGINE_PID: String(process.pid) })).toEqual({ 'stack/t5': held(5) });
  });

  test('a delete that fails fails the step with one line naming the token and what to do', async () => {
    await emu.reset();
    await emu.addFault({ method: 'DELETE', status: 503, times: 10 });
    const lines: string[] = [];
    const output: StepOutput = { out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) };
    const code = await runStep(
      Operation.SPECS_BEFORE,
      {
        IONOS_USERNAME: 'emulator',
        IONOS_PASSWORD: 'emulator',
        IONOS_API_URL: emu.apiUrl,
        IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '2',
        IONOS_RT_WORK_DIR: dir,
        IONOS_RT_BEFORE: JSON.stringify({ 'stack/t1': held(1) }),
        IONOS_RT_DECLARED: '[]',
      },
      output,
    );
    expect(code).toBe(1);
    const errors = lines.filter((l) => l.startsWith('ERR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ERR registry-token: delete of stack\/t1 \(token "gone-1", id 00000001-.*HTTP 503.*run the deploy again/);
  });
});
