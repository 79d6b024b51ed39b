import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT } from '../../lib/cli/errors';
import { Io, main } from '../../lib/cli/main';
import { headingCounts, mdEscape, planSummaryText, summarizePlan } from '../../lib/cli/plan-summary';
import { sensitiveStrings } from '../../lib/cli/secrets';
import { EXPECTED_CHANGES_BEFORE_0_4 } from '../fixtures/plans/expected-changes';
import { HOSTILE, paste } from './sh';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'plans');
/** Plans captured from real runs of test/integ/operations.test.ts (RT_WRITE_FIXTURES=1), with 0.3. */
const engines = ['terraform', 'tofu'].filter((e) => fs.existsSync(path.join(FIXTURES, `${e}-changes.json`)));
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');


describe.each(engines)('plan-summary of a real %s plan', (engine) => {
  test('one line per changed token, what happens and which calls', () => {
    const text = planSummaryText(read(`${engine}-changes.json`), 'text');
    expect(text.trimEnd().split('\n').sort()).toEqual([...EXPECTED_CHANGES_BEFORE_0_4].sort());
  });

  test('the plan holds passwords in clear; no format prints one', () => {
    const raw = read(`${engine}-changes.json`);
    const secrets = sensitiveStrings(JSON.parse(raw));
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const format of ['text', 'markdown', 'json'] as const) {
      const out = planSummaryText(raw, format);
      for (const s of secrets) expect(out).not.toContain(s);
    }
  });

  test('json gives calls, password fate and the token ids', () => {
    const summary = summarizePlan(JSON.parse(read(`${engine}-changes.json`)));
    const byName = Object.fromEntries(summary.tokens.map((t) => [t.name, t]));
    expect(byName['ci-push']).toMatchObject({ path: 'integ/ci-push', action: 'update', calls: ['GET', 'PATCH'], password: 'kept', changes: ['status enabled → disabled'] });
    expect(byName['ci-rename-2']).toMatchObject({ action: 'rename', calls: ['DELETE', 'GET', 'PUT'], password: 'new', changes: ['name ci-rename → ci-rename-2'] });
    expect(byName['ci-rotate']).toMatchObject({ action: 'rotate', calls: ['DELETE', 'GET', 'PUT'], changes: ['rotation 2025-01 → 2025-02'] });
    expect(byName['ci-adopted']).toMatchObject({ action: 'adopt', password: 'unknown' });
    expect(byName['ci-new']).toMatchObject({ action: 'create', calls: ['GET', 'PUT'], password: 'new' });
    expect(byName['old-token']).toMatchObject({ action: 'forget', calls: [], keptLive: 'unmanaged' });
    expect(summary.tokens.filter((t) => t.keptLive !== undefined).map((t) => t.name)).toEqual(['old-token']);
    expect(byName['ci-new'].tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(summary.unchanged).toBe(0);
  });

  test('markdown: a table for a PR comment, cells escaped; the heading counts each kind of change', () => {
    const md = planSummaryText(read(`${engine}-changes.json`), 'markdown');
    expect(md.split('\n').slice(0, 4)).toEqual([
      // adopt + create; status, scopes, expiry; rename + rotate; old-token (0.3 record: stays live)
      '#### Registry tokens: 2 to create, 3 to update, 2 to replace, 1 to forget',
      '',
      '| token | what happens | API calls | password |',
      '|---|---|---|---|',
    ]);
    expect(md).toContain('| `ci-scopes` (integ/ci-scopes) | scopes +repository app/\\* pull (PUT, password kept) | GET, PUT | kept |');
    expect(md).toContain('\n**1 token stays live** although removed from the code without removalPolicy RETAIN: `old-token`.\n');
    expect(md).toContain('| `ci-new` (integ/ci-new) | create ci-new (GET, then PUT) | GET, PUT | new |');
    // The checked-in review is this very summary.
    expect(md).toBe(read(`${engine}-review.md`));
  });

  test('a plan without changes, and a destroy plan', () => {
    expect(planSummaryText(read(`${engine}-none.json`), 'text')).toBe('no token changes (7 tokens unchanged)\n');
    expect(planSummaryText(read(`${engine}-destroy.json`), 'text').trimEnd().split('\n')).toEqual(
      ['ci-adopted', 'ci-new', 'ci-push', 'ci-rename-2', 'ci-rotate', 'ci-scopes', 'deploy-pull'].map((n) => `delete ${n}`),
    );
  });
});

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const IDS = {
  'ci-drop': 'b6208987-cf08-577c-b2ab-23d675d80622',
  'ci-retained': '6052a129-8fb4-52bc-bf41-3268c6e79d38',
  'ci-last': 'e0d03425-24f7-5adf-a479-24a548bed30f',
  'up-old': '595155aa-5eab-58c4-822e-310cb12a59ab',
};
const LAST_LINE =
  "forget ci-last: STAYS LIVE: it was the stack's last token, and Terraform runs no step for code it no longer has. " +
  'To delete it instead, run this before the change, with the token still in the code: ' +
  'terraform -chdir=cdktf.out/stacks/review apply -destroy -target=terraform_data.ci-last_password_7ABB3620';
const UPGRADE_REMOVE_LINE =
  'forget up-old: STAYS LIVE: its record in the state predates 0.4 (no token id), so no step can delete it. ' +
  `Delete it in the console or with the API: DELETE /registries/${REGISTRY}/tokens/${IDS['up-old']}`;
/** Plans of removals, captured from real runs against the emulator (fixtures/plans/README.md); stack "review". */
const REMOVALS = ['remove-one', 'remove-retained', 'remove-last', 'policy-retain', 'upgrade-0.3', 'upgrade-0.3-remove'];
const removalEngines = ['terraform', 'tofu'].filter((e) => REMOVALS.every((k) => fs.existsSync(path.join(FIXTURES, `${e}-${k}.json`))));

describe.each(removalEngines)('plan-summary of real %s plans that remove a token from the code', (engine) => {
  const text = (kind: string, format: 'text' | 'markdown' = 'text') => planSummaryText(read(`${engine}-${kind}.json`), format);
  const summary = (kind: string) => summarizePlan(JSON.parse(read(`${engine}-${kind}.json`)));

  test('one token of three (removalPolicy DESTROY, the default): deleted by the specs step; the two others unchanged', () => {
    expect(text('remove-one')).toBe('delete ci-drop (removed from the code)\n');
    const s = summary('remove-one');
    expect(s.tokens).toEqual([
      { path: 'review/ci-drop', name: 'ci-drop', action: 'delete', line: 'delete ci-drop (removed from the code)', changes: [], calls: ['DELETE'], password: 'gone', tokenId: IDS['ci-drop'], registryId: REGISTRY },
    ]);
    expect(s.unchanged).toBe(2);
  });

  test('a token with removalPolicy RETAIN: forgotten and kept live, no API call', () => {
    expect(text('remove-retained')).toBe('forget ci-retained (kept live: removalPolicy RETAIN)\n');
    const s = summary('remove-retained');
    expect(s.tokens).toEqual([
      { path: 'review/ci-retained', name: 'ci-retained', action: 'forget', line: 'forget ci-retained (kept live: removalPolicy RETAIN)', changes: [], calls: [], password: 'gone', keptLive: 'retained', tokenId: IDS['ci-retained'], registryId: REGISTRY },
    ]);
    expect(s.unchanged).toBe(2);
  });

  test("the stack's last token: it stays live, and the line gives the command that deletes it", () => {
    expect(text('remove-last')).toBe(`${LAST_LINE}\n`);
    expect(summary('remove-last').tokens).toEqual([
      { path: 'review/ci-last', name: 'ci-last', action: 'forget', line: LAST_LINE, changes: [], calls: [], password: 'gone', keptLive: 'unmanaged', tokenId: IDS['ci-last'], registryId: REGISTRY },
    ]);
  });

  test('markdown shows each of them, and a warning for a token that stays live', () => {
    expect(text('remove-one', 'markdown').split('\n')).toEqual([
      '#### Registry tokens: 1 to delete',
      '',
      '| token | what happens | API calls | password |',
      '|---|---|---|---|',
      '| `ci-drop` (review/ci-drop) | delete ci-drop (removed from the code) | DELETE | gone |',
      '',
      '2 tokens unchanged.',
      '',
    ]);
    expect(text('remove-retained', 'markdown')).toContain('| `ci-retained` (review/ci-retained) | forget ci-retained (kept live: removalPolicy RETAIN) | none | dropped from the state |\n\n2 tokens unchanged.\n');
    expect(text('remove-retained', 'markdown')).not.toContain('stays live');
    expect(text('remove-retained', 'markdown').split('\n')[0]).toBe('#### Registry tokens: 1 to forget');
    expect(text('policy-retain', 'markdown').split('\n')[0]).toBe('#### Registry tokens: 1 to update');
    expect(text('upgrade-0.3', 'markdown').split('\n')[0]).toBe('#### Registry tokens: no changes');
    expect(text('remove-last', 'markdown').split('\n').slice(4)).toEqual([
      `| \`ci-last\` (review/ci-last) | ${mdEscape(LAST_LINE)} | none | dropped from the state |`,
      '',
      '**1 token stays live** although removed from the code without removalPolicy RETAIN: `ci-last`.',
      '',
    ]);
  });

  test('a stack deployed by 0.3: its entries gain token id and registry (no API call), so no token changes', () => {
    const raw = JSON.parse(read(`${engine}-upgrade-0.3.json`));
    const specs = raw.resource_changes.find((r: any) => r.name === 'registry-token-specs');
    // (the plan does replace the specs resource: every entry gains its identity)
    expect(specs.change.actions).toEqual(['delete', 'create']);
    expect(Object.values(specs.change.before.triggers_replace.tokens).some((e: any) => 'token_id' in e)).toBe(false);
    expect(Object.values(specs.change.after.triggers_replace.tokens).every((e: any) => 'token_id' in e && 'registry_id' in e)).toBe(true);
    expect(text('upgrade-0.3')).toBe('no token changes (3 tokens unchanged)\n');
  });

  test('... and a token removed from it at the same time stays live: its record has no id', () => {
    expect(text('upgrade-0.3-remove')).toBe(`${UPGRADE_REMOVE_LINE}\n`);
    expect(summary('upgrade-0.3-remove')).toMatchObject({ tokens: [{ name: 'up-old', action: 'forget', calls: [], keptLive: 'unmanaged' }], unchanged: 2 });
  });

  test('a change of removalPolicy alone: one line, no API call', () => {
    expect(text('policy-retain')).toBe('ci-keep: removalPolicy DESTROY → RETAIN (no API call)\n');
    expect(summary('policy-retain')).toMatchObject({ tokens: [{ name: 'ci-keep', action: 'other', calls: [], password: 'kept', changes: ['removalPolicy DESTROY → RETAIN'] }], unchanged: 2 });
  });

  test('the fixtures hold no password: only placeholders, at the sensitive paths, and no format prints them', () => {
    for (const kind of REMOVALS) {
      const raw = read(`${engine}-${kind}.json`);
      const secrets = sensitiveStrings(JSON.parse(raw));
      expect(secrets.length).toBeGreaterThanOrEqual(1);
      for (const s of secrets) expect(s).toMatch(/^redacted-emulator-password-\d+$/);
      for (const format of ['text', 'markdown', 'json'] as const) expect(planSummaryText(raw, format)).not.toMatch(/redacted-emulator-password/);
    }
  });
});

/** Runs the CLI on a fixture; gives exit code, stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: () => '' };
  const code = await main(args, {}, io);
  return { code, stdout, stderr };
}

describe.each(removalEngines)('registry-token plan-summary --fail-on-forget (real %s plans)', (engine) => {
  const file = (kind: string) => path.join(FIXTURES, `${engine}-${kind}.json`);

  test('exit 3 when a token would stay live without RETAIN; the summary is printed all the same', async () => {
    expect(EXIT.FORGET).toBe(3);
    expect(await cli(['plan-summary', file('remove-last'), '--fail-on-forget'])).toEqual({
      code: 3,
      stdout: `${LAST_LINE}\n`,
      stderr: 'registry-token: 1 token removed from the code would stay live without removalPolicy RETAIN: ci-last (--fail-on-forget)\n',
    });
    const old = await cli(['plan-summary', file('upgrade-0.3-remove'), '--fail-on-forget', '--format', 'markdown']);
    expect(old.code).toBe(3);
    expect(old.stdout).toContain('**1 token stays live** although removed from the code without removalPolicy RETAIN: `up-old`.');
    const json = await cli(['plan-summary', file('remove-last'), '--format', 'json', '--fail-on-forget']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).tokens[0]).toMatchObject({ name: 'ci-last', action: 'forget', keptLive: 'unmanaged' });
  });

  test('exit 0 for a deleted or a retained token, and without the option', async () => {
    for (const kind of ['remove-one', 'remove-retained', 'policy-retain', 'upgrade-0.3']) {
      const res = await cli(['plan-summary', file(kind), '--fail-on-forget']);
      expect({ kind, code: res.code, stderr: res.stderr }).toEqual({ kind, code: 0, stderr: '' });
      expect(res.stdout).toBe(planSummaryText(read(`${engine}-${kind}.json`), 'text'));
    }
    expect(await cli(['plan-summary', file('remove-last')])).toEqual({ code: 0, stdout: `${LAST_LINE}\n`, stderr: '' });
  });

  test('drift does not take it', async () => {
    expect(await cli(['drift', '--fail-on-forget'])).toEqual({ code: 1, stdout: '', stderr: 'registry-token: --fail-on-forget is not an option of this command (registry-token --help)\n' });
  });
});

/** A minimal plan: one token's four resources with the given changes. */
function plan(changes: Partial<Record<'identity' | 'create' | 'password' | 'spec', object>>, extra: object = {}) {
  const idValues = (name: string, more: object = {}) => ({
    triggers_replace: { registry_id: '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a', name, token_id: '11111111-1111-5111-8111-111111111111', ...more },
    input: { api_url: '', path: 'stack/tok' },
  });
  const spec = (status: string, scopes: string[], expiry = 'never') => ({ triggers_replace: { status, expiry_date: expiry, scopes } });
  const noop = (v: object) => ({ actions: ['no-op'], before: v, after: v, after_unknown: {} });
  const defaults = {
    identity: noop(idValues('tok')),
    create: noop({ triggers_replace: { token_id: '11111111-1111-5111-8111-111111111111' } }),
    password: { actions: ['no-op'], before: { triggers_replace: 'hunter2-secret-pw' }, after: { triggers_replace: 'hunter2-secret-pw' }, before_sensitive: { triggers_replace: true }, after_sensitive: { triggers_replace: true } },
    spec: noop(spec('enabled', ['repository app/* pull'])),
  };
  const hashes = { identity: 'AAAAAAAA', create: 'BBBBBBBB', password: 'CCCCCCCC', spec: 'DDDDDDDD' };
  return {
    format_version: '1.2',
    resource_changes: (Object.keys(defaults) as (keyof typeof defaults)[]).map((role) => ({
      address: `terraform_data.tok_${role}_${hashes[role]}`,
      mode: 'managed',
      type: 'terraform_data',
      name: `tok_${role}_${hashes[role]}`,
      change: { ...defaults[role], ...(changes[role] ?? {}) },
    })),
    ...extra,
    helpers: { idValues, spec },
  };
}
const h = plan({}).helpers;

/** The same for the 0.2 layout: no identity resource; the identity is `password.input` (+ `create` rotation). */
function plan3(changes: Partial<Record<'create' | 'password' | 'spec', object>>) {
  const p = plan({});
  const rc = p.resource_changes.filter((r) => !r.name.includes('_identity_'));
  const idInput = (name: string, more: object = {}) => ({
    registry_id: '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a',
    token_id: '11111111-1111-5111-8111-111111111111',
    name,
    path: 'stack/tok',
    api_url: '',
    ...more,
  });
  const pw = (input: object) => ({ triggers_replace: 'hunter2-secret-pw', input });
  const defaults: Record<string, object> = {
    password: { actions: ['no-op'], before: pw(idInput('tok')), after: pw(idInput('tok')), before_sensitive: { triggers_replace: true }, after_sensitive: { triggers_replace: true }, after_unknown: {} },
  };
  for (const r of rc) {
    const role = r.name.split('_')[1] as 'create' | 'password' | 'spec';
    r.change = { ...r.change, ...(defaults[role] ?? {}), ...(changes[role] ?? {}) } as typeof r.change;
  }
  return { format_version: '1.2', resource_changes: rc, helpers: { idInput, pw } };
}

describe.each(engines)('plan-summary of a real %s plan of the 0.2 layout (a spec resource per token)', (engine) => {
  test('the same lines as today', () => {
    const text = planSummaryText(read(`layout-0.2/${engine}-changes.json`), 'text');
    expect(text.trimEnd().split('\n').sort()).toEqual([...EXPECTED_CHANGES_BEFORE_0_4].sort());
  });
});

describe('plan-summary of the 0.2 layout (three resources)', () => {
  const { idInput, pw } = plan3({}).helpers;
  const replace = (before: object, after: object, afterUnknown: object = {}) => ({ actions: ['delete', 'create'], before, after, after_unknown: afterUnknown });

  test('nothing changes; a new token; a destroy', () => {
    expect(planSummaryText(JSON.stringify(plan3({})), 'text')).toBe('no token changes (1 token unchanged)\n');
    const created = plan3({ password: { actions: ['create'], before: null, after: { input: idInput('tok') }, after_unknown: { triggers_replace: true } } });
    expect(planSummaryText(JSON.stringify(created), 'text')).toBe('create tok (GET, then PUT)\n');
    expect(summarizePlan(created).tokens[0]).toMatchObject({ action: 'create', calls: ['GET', 'PUT'], password: 'new' });
    const destroyed = plan3({ password: { actions: ['delete'], before: pw(idInput('tok')), after: null, after_unknown: {} } });
    expect(planSummaryText(JSON.stringify(destroyed), 'text')).toBe('delete tok\n');
  });

  test('a rename replaces create and password: delete old, create new', () => {
    const p = plan3({
      create: replace({ triggers_replace: { token_id: '11111111-1111-5111-8111-111111111111' } }, { triggers_replace: { token_id: '22222222-2222-5222-8222-222222222222' } }),
      password: replace(pw(idInput('tok')), { input: idInput('tok-2', { token_id: '22222222-2222-5222-8222-222222222222' }) }, { triggers_replace: true }),
    });
    expect(planSummaryText(JSON.stringify(p), 'text')).toBe('rename tok → tok-2: delete old, create new (new password)\n');
    expect(summarizePlan(p).tokens[0]).toMatchObject({ action: 'rename', calls: ['DELETE', 'GET', 'PUT'] });
  });

  test('a scheduled rotation that is due says so, with the period and the date it began', () => {
    const period = (n: number) => ({ token_id: '11111111-1111-5111-8111-111111111111', rotation_period: `30 days, period ${n}` });
    const due = plan3({
      create: replace({ triggers_replace: period(684) }, { triggers_replace: period(685) }),
      password: replace(pw(idInput('tok')), { input: idInput('tok') }, { triggers_replace: true }),
    });
    expect(planSummaryText(JSON.stringify(due), 'text')).toBe('rotate tok: due (every 30 days, a new period began on 2026-04-07): delete, create (new password)\n');
    expect(summarizePlan(due).tokens[0]).toMatchObject({ action: 'rotate', calls: ['DELETE', 'GET', 'PUT'], changes: ['rotation period 30 days, period 684 → 30 days, period 685'] });
    // the schedule switched on: rotated once, and said so
    const on = plan3({
      create: replace({ triggers_replace: { token_id: '11111111-1111-5111-8111-111111111111' } }, { triggers_replace: period(685) }),
      password: replace(pw(idInput('tok')), { input: idInput('tok') }, { triggers_replace: true }),
    });
    expect(planSummaryText(JSON.stringify(on), 'text')).toBe('rotate tok: rotation schedule unset → 30 days, period 685: delete, create (new password)\n');
  });

  test('a rotation; and -replace of create without any identity change re-creates', () => {
    const rotated = plan3({
      create: replace({ triggers_replace: { token_id: '11111111-1111-5111-8111-111111111111', rotation: '2025-01' } }, { triggers_replace: { token_id: '11111111-1111-5111-8111-111111111111', rotation: '2025-02' } }),
      password: replace(pw(idInput('tok')), { input: idInput('tok') }, { triggers_replace: true }),
    });
    expect(planSummaryText(JSON.stringify(rotated), 'text')).toBe('rotate tok: delete, create (new password)\n');
    // The old password resource's destroy deletes; the create then reads the id (free) and writes.
    expect(summarizePlan(rotated).tokens[0]).toMatchObject({ action: 'rotate', calls: ['DELETE', 'GET', 'PUT'] });
    const same = { triggers_replace: { token_id: '11111111-1111-5111-8111-111111111111' } };
    const recreated = plan3({ create: replace(same, same), password: replace(pw(idInput('tok')), { input: idInput('tok') }, { triggers_replace: true }) });
    expect(planSummaryText(JSON.stringify(recreated), 'text')).toBe('re-create tok: delete, create (new password)\n');
    expect(summarizePlan(recreated).tokens[0]).toMatchObject({ action: 're-create', calls: ['DELETE', 'GET', 'PUT'] });
  });

  test('the upgrade from the four-resource layout keeps the token', () => {
    const p = plan({
      identity: { actions: ['delete'], before: h.idValues('tok'), after: null, after_unknown: {} },
      password: { actions: ['update'], before: { triggers_replace: 'hunter2-secret-pw', input: null }, after: { triggers_replace: 'hunter2-secret-pw', input: idInput('tok') }, before_sensitive: { triggers_replace: true }, after_sensitive: { triggers_replace: true }, after_unknown: {} },
    });
    (p.resource_changes[0] as Record<string, unknown>).action_reason = 'delete_because_no_resource_config';
    expect(planSummaryText(JSON.stringify(p), 'text')).toBe(
      'tok: layout upgrade (0.2): the identity resource leaves the state, the password resource takes its place; the token is kept (no API call)\n',
    );
  });
});

describe('plan-summary of synthetic plans', () => {
  test('nothing changes', () => {
    expect(planSummaryText(JSON.stringify(plan({})), 'text')).toBe('no token changes (1 token unchanged)\n');
  });

  test('status and expiry together: one PATCH', () => {
    const p = plan({ spec: { actions: ['delete', 'create'], before: h.spec('enabled', ['repository app/* pull']), after: h.spec('disabled', ['repository app/* pull'], '2030-01-01T00:00:00Z'), after_unknown: {} } });
    expect(planSummaryText(JSON.stringify(p), 'text')).toBe('tok: status enabled → disabled, expiry never → 2030-01-01T00:00:00Z (PATCH, password kept)\n');
  });

  test('a scope removed and one added: one PUT', () => {
    const p = plan({ spec: { actions: ['create', 'delete'], before: h.spec('enabled', ['repository app/* pull']), after: h.spec('enabled', ['repository app/* pull,push']), after_unknown: {} } });
    expect(planSummaryText(JSON.stringify(p), 'text')).toBe('tok: scopes +repository app/* pull,push, scopes -repository app/* pull (PUT, password kept)\n');
  });

  test('values known only after apply', () => {
    const p = plan({ spec: { actions: ['delete', 'create'], before: h.spec('enabled', []), after: { triggers_replace: { expiry_date: 'never', scopes: [] } }, after_unknown: { triggers_replace: { status: true } } } });
    expect(planSummaryText(JSON.stringify(p), 'text')).toBe('tok: status, expiry or scopes (known after apply) (GET, then PATCH or PUT, password kept)\n');
  });

  test('a registry change moves the token; a create replaced alone re-creates it', () => {
    const moved = plan({ identity: { actions: ['delete', 'create'], before: h.idValues('tok'), after: { ...h.idValues('tok'), triggers_replace: { ...h.idValues('tok').triggers_replace, registry_id: '22222222-2222-4222-8222-222222222222' } }, after_unknown: {} } });
    expect(planSummaryText(JSON.stringify(moved), 'text')).toBe('move tok to registry 22222222-2222-4222-8222-222222222222: delete old, create new (new password)\n');
    const recreate = plan({ create: { actions: ['delete', 'create'], before: {}, after: {}, after_unknown: {} } });
    expect(summarizePlan(moved).tokens[0]).toMatchObject({ calls: ['DELETE', 'GET', 'PUT'], password: 'new' });
    expect(planSummaryText(JSON.stringify(recreate), 'text')).toBe('re-create tok: delete, create (new password)\n');
    // The create resource alone is replaced: its create finds its own token, deletes it and writes again.
    expect(summarizePlan(recreate).tokens[0]).toMatchObject({ action: 're-create', calls: ['GET', 'DELETE', 'PUT'] });
  });

  test('a password resource replaced alone is a warning', () => {
    const p = plan({ password: { actions: ['delete', 'create'], before: { triggers_replace: 'hunter2-secret-pw' }, after: null, before_sensitive: { triggers_replace: true }, after_sensitive: {}, after_unknown: { triggers_replace: true } } });
    expect(planSummaryText(JSON.stringify(p), 'text')).toBe('tok: the password resource is replaced without a new token: the state loses the password (no API call)\n');
  });

  test('secrets at sensitive paths are cut out even if a value shows up in a printed field', () => {
    // A user who (wrongly) names a token after a sensitive variable value.
    const p = plan(
      { identity: { actions: ['create'], before: null, after: h.idValues('hunter2-secret-pw'), after_unknown: {} } },
      { configuration: { root_module: { variables: { v: { sensitive: true } } } }, variables: { v: { value: 'hunter2-secret-pw' } } },
    );
    const out = planSummaryText(JSON.stringify(p), 'text');
    expect(out).toBe('create [REDACTED] (GET, then PUT)\n');
  });

  test('other terraform_data resources are not tokens', () => {
    const p = {
      format_version: '1.2',
      resource_changes: [{ address: 'terraform_data.x_create_ABCDEF12', mode: 'managed', type: 'terraform_data', name: 'x_create_ABCDEF12', change: { actions: ['create'], before: null, after: { input: 'x' } } }],
    };
    expect(planSummaryText(JSON.stringify(p), 'text')).toBe('no token changes\n');
  });

  test('one-line errors for input that is not a plan', () => {
    expect(() => planSummaryText('PK\u0003\u0004...', 'text')).toThrow(new CliError('this is a binary plan file: give its JSON, "terraform show -json <planfile> > plan.json"'));
    expect(() => planSummaryText('{"version": 4', 'text')).toThrow(/^the input is not JSON \(/);
    expect(() => planSummaryText('{"a": 1}', 'text')).toThrow('the input has no format_version');
    expect(() => planSummaryText('{"format_version": "1.0", "values": {}}', 'text')).toThrow('the input is a state, not a plan');
  });

  test('markdown escaping', () => {
    expect(mdEscape('a|b *c* _d_ `e` <f>')).toBe('a\\|b \\*c\\* \\_d\\_ \\`e\\` \\<f\\>');
  });
});

/** Plans of an `apiUrl` change, captured from real deploys against two emulators (fixtures/README.md). */
const API_URL_FIXTURES = path.join(__dirname, 'fixtures');
const OLD_URL = 'http://127.0.0.1:36517';
const NEW_URL = 'http://127.0.0.1:41961';
const API_URL_LINE =
  `ci-api: API URL ${OLD_URL} → ${NEW_URL}: the token is not moved or re-created (no API call); ` +
  `from now on its updates, its delete and drift call ${NEW_URL}`;

describe.each(['terraform', 'tofu'])('plan-summary of a real %s plan that changes apiUrl', (engine) => {
  const raw = () => fs.readFileSync(path.join(API_URL_FIXTURES, `${engine}-api-url.json`), 'utf8');

  test('the plan updates the password resource in place and replaces the specs resource; create stays: no re-create', () => {
    const actions = Object.fromEntries(JSON.parse(raw()).resource_changes.map((r: any) => [r.name.replace(/_[0-9A-F]{8}$/, ''), r.change.actions]));
    expect(actions).toEqual({ 'ci-api_create': ['no-op'], 'ci-api_password': ['update'], 'registry-token-specs': ['delete', 'create'] });
  });

  test('text: the API URL change on a line of its own, from which URL to which, and where later calls go', () => {
    expect(planSummaryText(raw(), 'text')).toBe(`${API_URL_LINE}\n`);
  });

  test('markdown: the same line in the table; the heading counts an update', () => {
    expect(planSummaryText(raw(), 'markdown').split('\n')).toEqual([
      '#### Registry tokens: 1 to update',
      '',
      '| token | what happens | API calls | password |',
      '|---|---|---|---|',
      `| \`ci-api\` (review/ci-api) | ${mdEscape(API_URL_LINE.slice('ci-api: '.length))} | none | kept |`,
      '',
    ]);
  });

  test('json: apiUrlChange from and to, no calls', () => {
    expect(summarizePlan(JSON.parse(raw())).tokens).toEqual([
      expect.objectContaining({ name: 'ci-api', action: 'other', calls: [], password: 'kept', changes: [`API URL ${OLD_URL} → ${NEW_URL}`], apiUrlChange: { from: OLD_URL, to: NEW_URL, line: API_URL_LINE } }),
    ]);
  });

  test('the fixture holds no password: only placeholders, and no format prints them', () => {
    const secrets = sensitiveStrings(JSON.parse(raw()));
    expect(secrets).toEqual(['redacted-emulator-password-1']);
    for (const format of ['text', 'markdown', 'json'] as const) expect(planSummaryText(raw(), format)).not.toContain('redacted-emulator-password');
  });
});

describe('plan-summary: an API URL change with other changes (0.2+ layout)', () => {
  const { idInput, pw } = plan3({}).helpers;
  const replace = (before: object, after: object, afterUnknown: object = {}) => ({ actions: ['delete', 'create'], before, after, after_unknown: afterUnknown });
  const pwUpdate = (before: object, after: object, afterUnknown: object = { output: true }) => ({
    actions: ['update'],
    before: pw(before),
    after: pw(after),
    before_sensitive: { triggers_replace: true },
    after_sensitive: { triggers_replace: true },
    after_unknown: afterUnknown,
  });
  const run = (p: object, format: 'text' | 'markdown' = 'text') => planSummaryText(JSON.stringify(p), format);

  test('from the default to a URL, and back', () => {
    expect(run(plan3({ password: pwUpdate(idInput('tok'), idInput('tok', { api_url: 'https://api.example.ionos.com' })) }))).toBe(
      'tok: API URL default → https://api.example.ionos.com: the token is not moved or re-created (no API call); from now on its updates, its delete and drift call https://api.example.ionos.com\n',
    );
    expect(run(plan3({ password: pwUpdate(idInput('tok', { api_url: 'https://a.example' }), idInput('tok')) }))).toBe(
      "tok: API URL https://a.example → default: the token is not moved or re-created (no API call); from now on its updates, its delete and drift call the default URL (IONOS_API_URL at apply, else the config file's, else https://api.ionos.com)\n",
    );
  });

  test('with a status change: two lines, the update first (its calls go to the new URL)', () => {
    const p = plan3({
      password: pwUpdate(idInput('tok'), idInput('tok', { api_url: 'https://b.example' })),
      spec: { actions: ['delete', 'create'], before: h.spec('enabled', ['repository app/* pull']), after: h.spec('disabled', ['repository app/* pull']), after_unknown: {} },
    });
    expect(run(p)).toBe(
      'tok: status enabled → disabled (PATCH, password kept)\n' +
        'tok: API URL default → https://b.example: the token is not moved or re-created (no API call); from now on its updates, its delete and drift call https://b.example\n',
    );
    const md = run(p, 'markdown').split('\n');
    expect(md[0]).toBe('#### Registry tokens: 1 to update');
    expect(md.slice(4, 6)).toEqual([
      '| `tok` (stack/tok) | status enabled → disabled (PATCH, password kept) | GET, PATCH | kept |',
      '| `tok` (stack/tok) | API URL default → https://b.example: the token is not moved or re-created (no API call); from now on its updates, its delete and drift call https://b.example | none | — |',
    ]);
    expect(summarizePlan(p).tokens[0]).toMatchObject({ action: 'update', calls: ['GET', 'PATCH'], changes: ['status enabled → disabled', 'API URL default → https://b.example'] });
  });

  test('with a rename: the old token is deleted at the old URL, the new one made at the new', () => {
    const p = plan3({
      create: replace({ triggers_replace: { token_id: '11111111-1111-5111-8111-111111111111' } }, { triggers_replace: { token_id: '22222222-2222-5222-8222-222222222222' } }),
      password: replace(pw(idInput('tok')), { input: idInput('tok-2', { token_id: '22222222-2222-5222-8222-222222222222', api_url: 'https://b.example' }) }, { triggers_replace: true }),
    });
    expect(run(p).split('\n')).toEqual([
      'rename tok → tok-2: delete old, create new (new password)',
      'tok-2: API URL default → https://b.example: the old token is deleted at the old URL, the new one made at the new URL; from then on its updates, its delete and drift call https://b.example',
      '',
    ]);
  });

  test('a URL known only after apply says so', () => {
    const p = plan3({ password: pwUpdate(idInput('tok', { api_url: 'https://a.example' }), idInput('tok', { api_url: null }), { output: true, input: { api_url: true } }) });
    expect(run(p)).toBe(
      'tok: API URL https://a.example → (known after apply): the token is not moved or re-created (no API call); from now on its updates, its delete and drift call the new URL\n',
    );
  });

  test('a new token, a deleted token and an unchanged URL print no API URL line', () => {
    const created = plan3({ password: { actions: ['create'], before: null, after: { input: idInput('tok', { api_url: 'https://b.example' }) }, after_unknown: { triggers_replace: true } } });
    expect(run(created)).toBe('create tok (GET, then PUT)\n');
    const destroyed = plan3({ password: { actions: ['delete'], before: pw(idInput('tok', { api_url: 'https://a.example' })), after: null, after_unknown: {} } });
    expect(run(destroyed)).toBe('delete tok\n');
    const same = plan3({ password: pwUpdate(idInput('tok', { api_url: 'https://a.example' }), idInput('tok', { api_url: 'https://a.example', adopt: undefined })) });
    expect(summarizePlan(same).tokens.every((t) => t.apiUrlChange === undefined)).toBe(true);
  });
});

describe('plan-summary --format markdown: the heading counts each kind of change', () => {
  const { idInput, pw } = plan3({}).helpers;
  const replace = (before: object, after: object, afterUnknown: object = {}) => ({ actions: ['delete', 'create'], before, after, after_unknown: afterUnknown });
  const heading = (p: object) => planSummaryText(JSON.stringify(p), 'markdown').split('\n')[0];

  test('a plan that only deletes says "to delete", not "to change"', () => {
    expect(heading(plan3({ password: { actions: ['delete'], before: pw(idInput('tok')), after: null, after_unknown: {} } }))).toBe('#### Registry tokens: 1 to delete');
    expect(planSummaryText(read('terraform-destroy.json'), 'markdown').split('\n')[0]).toBe('#### Registry tokens: 7 to delete');
  });

  test('creates, updates, replaces, deletes each counted', () => {
    expect(heading(plan3({ password: { actions: ['create'], before: null, after: { input: idInput('tok') }, after_unknown: { triggers_replace: true } } }))).toBe('#### Registry tokens: 1 to create');
    const same = { triggers_replace: { token_id: '11111111-1111-5111-8111-111111111111' } };
    expect(heading(plan3({ create: replace(same, same), password: replace(pw(idInput('tok')), { input: idInput('tok') }, { triggers_replace: true }) }))).toBe('#### Registry tokens: 1 to replace');
    expect(heading(plan3({}))).toBe('#### Registry tokens: no changes');
  });

  test('a mix', () => {
    const tokens = (['create', 'adopt', 'update', 'other', 'rename', 'rotate', 're-create', 'delete', 'delete', 'forget'] as const).map((action) => ({ action }));
    expect(headingCounts(tokens as any)).toBe('2 to create, 2 to update, 3 to replace, 2 to delete, 1 to forget');
  });
});

describe.each(removalEngines)('the command of a token that stays live (real %s plan), with a hostile stack name', (engine) => {
  /** The remove-last plan, its stack renamed (paths in the password's identity and the specs entries). */
  function withStack(stack: string, address?: string): string {
    const p = JSON.parse(read(`${engine}-remove-last.json`));
    for (const rc of p.resource_changes) {
      if (address && rc.name.includes('_password_')) rc.address = address;
      for (const side of ['before', 'after'] as const) {
        const v = rc.change[side];
        if (v && typeof v.input === 'string') v.input = v.input.replace('"review/ci-last"', JSON.stringify(`${stack}/ci-last`));
        const tokens = v?.triggers_replace?.tokens;
        if (tokens?.['review/ci-last']) tokens[`${stack}/ci-last`] = tokens['review/ci-last'];
      }
    }
    return JSON.stringify(p);
  }
  const commandOf = (line: string) => line.split('with the token still in the code: ')[1].trimEnd();

  test('a plain stack name stays plain', () => {
    expect(planSummaryText(withStack('review'), 'text')).toBe(`${LAST_LINE}\n`);
  });

  test.each(HOSTILE)('stack %j: pasted into sh, the engine gets the literal text and nothing runs', (stack) => {
    const line = planSummaryText(withStack(stack), 'text');
    expect(line.trimEnd()).not.toContain('\n');
    expect(paste(commandOf(line))).toMatchObject({
      argv: [`-chdir=cdktf.out/stacks/${stack}`, 'apply', '-destroy', '-target=terraform_data.ci-last_password_7ABB3620'],
      leftovers: [],
      status: 0,
    });
  });

  test('a hostile resource address (a hand-made plan) is quoted too', () => {
    const address = 'terraform_data.x;touch pwned';
    expect(paste(commandOf(planSummaryText(withStack('review', address), 'text')))).toMatchObject({ argv: ['-chdir=cdktf.out/stacks/review', 'apply', '-destroy', `-target=${address}`], leftovers: [] });
  });

  test('no stack in the path: no runnable placeholder (a "<stack>" would be a redirection)', () => {
    const line = planSummaryText(withStack('').replace(/"\/ci-last/g, '"ci-last').replace(/\\"\/ci-last/g, '\\"ci-last'), 'text');
    expect(line).not.toContain('<stack>');
    expect(line).toContain("run this before the change, with the token still in the code: in the stack's directory under cdktf.out/stacks: terraform apply -destroy -target=");
  });
});
