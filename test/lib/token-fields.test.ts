/**
 * Every row of the field table reaches every place derived from it: a place that lists the fields
 * by hand misses a new row, and one of these checks fails for it.
 */
import type { ApiTokenResponse } from '../../lib/api-types';
import { updateWords } from '../../lib/change-words';
import { compare } from '../../lib/cli/drift';
import { summarizePlan } from '../../lib/cli/plan-summary';
import { readSpec } from '../../lib/cli/resources';
import { desiredOf } from '../../lib/handler/specs';
import { Operation } from '../../lib/handler/consts';
import { CreateStep, parseStep, SpecsEntry, SpecsStep } from '../../lib/handler/step';
import { ScopeAction, ScopeType, TokenStatus } from '../../lib/model';
import { entryFields, entrySpecText, readableOf } from '../../lib/specs-entry';
import { FIELD_NAMES, FIELDS, FieldName, WIRE_ORDER } from '../../lib/token-fields';
import { declaredToken, DesiredToken, desiredFrom, planUpdate, putBody, specDigest } from '../../lib/token-spec';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const TOKEN_ID = '11111111-1111-5111-8111-111111111111';

const base: DesiredToken = declaredToken('tok', {
  status: TokenStatus.ENABLED,
  expiryDate: '2030-01-01T00:00:00Z',
  scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }],
});

/** One declared change per field: a row without one here fails to compile. */
const CHANGED: Record<FieldName, DesiredToken> = {
  status: { ...base, status: 'disabled' },
  expiry: { ...base, expiryDate: '2031-06-01T00:00:00Z' },
  scopes: { ...base, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }] },
};

const entryOf = (d: DesiredToken): SpecsEntry => ({ name: d.name, ...entryFields(d), token_id: TOKEN_ID, registry_id: REGISTRY });
const liveOf = (d: DesiredToken): ApiTokenResponse => ({ id: TOKEN_ID, properties: { ...d, credentials: { username: d.name, password: '' } } }) as unknown as ApiTokenResponse;

/** A plan in which the stack's specs resource is replaced, its entry for the token going from `before` to `after`. */
function specsPlan(before: SpecsEntry, after: SpecsEntry) {
  const identity = JSON.stringify({ registry_id: REGISTRY, token_id: TOKEN_ID, name: 'tok', path: 'stack/tok', api_url: '' });
  const noop = (v: object) => ({ actions: ['no-op'], before: v, after: v, after_unknown: {} });
  const rc = (name: string, change: object) => ({ address: `terraform_data.${name}`, mode: 'managed', type: 'terraform_data', name, change });
  const specs = (entry: SpecsEntry) => ({ triggers_replace: { tokens: { 'stack/tok': entry }, creates: 'abc' } });
  return {
    format_version: '1.2',
    resource_changes: [
      rc('tok_create_AAAAAAAA', noop({ triggers_replace: { token_id: TOKEN_ID } })),
      rc('tok_password_BBBBBBBB', { ...noop({ triggers_replace: 'pw', input: identity }), before_sensitive: { triggers_replace: true }, after_sensitive: { triggers_replace: true } }),
      rc('registry-token-specs', { actions: ['delete', 'create'], before: specs(before), after: specs(after), after_unknown: {} }),
    ],
  };
}

test('the table: entry keys in the order deployed states record them, the API order, one change per row', () => {
  expect(FIELD_NAMES.map((f) => FIELDS[f].entryKey)).toEqual(['status', 'expiry_date', 'scopes']);
  expect(Object.keys(entryOf(base))).toEqual(['name', 'status', 'expiry_date', 'scopes', 'token_id', 'registry_id']);
  expect(WIRE_ORDER).toEqual(['scopes', 'status', 'expiry']);
  expect(Object.keys(putBody(base).properties)).toEqual(['name', 'scopes', 'status', 'expiryDate']);
  expect(Object.keys(CHANGED).sort()).toEqual([...FIELD_NAMES].sort());
});

describe.each(FIELD_NAMES)('field %s', (field) => {
  const row = FIELDS[field];
  const changed = CHANGED[field];

  test('its entry words read back to the declared token (construct → entry → handler, state and plan readers)', () => {
    for (const d of [base, changed]) {
      const entry = entryOf(d);
      expect(specDigest(desiredOf(entry))).toBe(specDigest(d));
      expect(readableOf(entry)[field]).toEqual(entry[row.entryKey]);
      expect(readSpec({ triggers_replace: entry })).toEqual(readableOf(entry));
      expect(desiredFrom(d.name, readableOf(entry))).toEqual(desiredOf(entry));
    }
  });

  test('a change of it changes the entry text, its key only, and the digest', () => {
    const [a, b] = [entryOf(base), entryOf(changed)];
    expect(entrySpecText(b)).not.toBe(entrySpecText(a));
    expect(Object.keys(a).filter((k) => JSON.stringify(a[k as keyof SpecsEntry]) !== JSON.stringify(b[k as keyof SpecsEntry]))).toEqual([row.entryKey]);
    expect(specDigest(changed)).not.toBe(specDigest(base));
  });

  test('the handler reads it from the specs step and from the create step', () => {
    const specs: SpecsStep = { op: Operation.SPECS, stack: 'stack', tokens: [{ path: 'stack/tok', entry: entryOf(changed), create: 'c', createId: 'x' }] };
    expect(entrySpecText((parseStep(JSON.stringify(specs)) as SpecsStep).tokens[0].entry)).toBe(entrySpecText(entryOf(changed)));
    const create: CreateStep = { op: Operation.CREATE, path: 'stack/tok', registryId: REGISTRY, tokenId: TOKEN_ID, apiUrl: '', spec: changed, createId: 'x' };
    expect((parseStep(JSON.stringify(create)) as CreateStep).spec).toEqual(changed);
  });

  test('the diff finds it, says it, and applies it by its method', () => {
    expect(planUpdate(liveOf(base), base).kind).toBe('none');
    const plan = planUpdate(liveOf(base), changed);
    expect(plan.differences.map((d) => d.field)).toEqual([field]);
    expect(plan.changes.length).toBeGreaterThan(0);
    for (const c of plan.changes) expect(c.startsWith(`${field} `)).toBe(true);
    expect(plan.kind).toBe(row.update);
    if (row.update === 'patch') expect(plan.patch).toEqual(row.body(changed));
    else expect(plan.put).toEqual(putBody(changed));
    expect(putBody(changed)).not.toEqual(putBody(base));
  });

  test('plan-summary says the same words and calls', () => {
    const plan = planUpdate(liveOf(base), changed);
    const method = plan.kind.toUpperCase();
    const [token] = summarizePlan(specsPlan(entryOf(base), entryOf(changed))).tokens;
    expect(token).toMatchObject({ action: 'update', changes: plan.changes, calls: ['GET', method], line: updateWords('tok', plan.changes, method) });
  });

  test('drift reports it', () => {
    const state = { path: 'stack/tok', name: 'tok', registryId: REGISTRY, tokenId: TOKEN_ID, apiUrl: '', adopted: false, identityAddress: 'x', spec: readableOf(entryOf(changed)), source: 'test' };
    const result = compare(state, liveOf(base));
    expect(result).toMatchObject({ state: 'drift', fix: row.update.toUpperCase() });
    expect(result.line).toContain(`${field} ${row.is} ${difference(field).live}, declared ${difference(field).declared}`);
  });
});

function difference(field: FieldName) {
  return planUpdate(liveOf(base), CHANGED[field]).differences[0];
}
