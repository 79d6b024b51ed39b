import type { ApiTokenResponse } from '../../lib/api-types';
import { describeScope, normalizeScopes, parseReadableScope, sameExpiry } from '../../lib/field-values';
import { desiredFrom, DesiredToken, planUpdate, specDigest } from '../../lib/token-spec';

function live(p: Partial<ApiTokenResponse['properties']>): ApiTokenResponse {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    type: 'token',
    href: '',
    metadata: { createdBy: 'u', createdByUserId: 'u', createdDate: '2026-01-01T00:00:00Z', state: 'enabled' },
    properties: {
      name: 'ci-push',
      scopes: [{ type: 'repository', name: 'app/*', actions: ['push', 'pull'] }],
      status: 'enabled',
      expiryDate: null,
      credentials: { username: 'ci-push', password: '' },
      ...p,
    },
  };
}
const desired: DesiredToken = {
  name: 'ci-push',
  scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }],
  status: 'enabled',
  expiryDate: null,
};

test('nothing differs (scope and action order ignored) → no write', () => {
  expect(planUpdate(live({}), desired)).toEqual({ kind: 'none', changes: [], differences: [] });
});

test('status differs → PATCH of status only', () => {
  const plan = planUpdate(live({}), { ...desired, status: 'disabled' });
  expect(plan).toEqual({
    kind: 'patch',
    changes: ['status enabled → disabled'],
    differences: [{ field: 'status', live: 'enabled', declared: 'disabled' }],
    patch: { status: 'disabled' },
  });
});

test('expiry differs → PATCH of expiry only; the same instant in another zone is no change', () => {
  const plan = planUpdate(live({}), { ...desired, expiryDate: '2030-01-01T00:00:00Z' });
  expect(plan.kind).toBe('patch');
  expect(plan.patch).toEqual({ expiryDate: '2030-01-01T00:00:00Z' });
  expect(planUpdate(live({ expiryDate: '2030-01-01T01:00:00+01:00' }), { ...desired, expiryDate: '2030-01-01T00:00:00Z' }).kind).toBe('none');
});

test('removing the expiry sends null', () => {
  const plan = planUpdate(live({ expiryDate: '2030-01-01T00:00:00Z' }), desired);
  expect(plan.patch).toEqual({ expiryDate: null });
  expect(plan.changes).toEqual(['expiry 2030-01-01T00:00:00Z → never']);
});

test('scopes differ → PUT of the whole spec, with readable changes', () => {
  const want = { ...desired, status: 'disabled', scopes: [...desired.scopes, { type: 'registry', name: '*', actions: ['pull'] }] };
  const plan = planUpdate(live({}), want);
  expect(plan.kind).toBe('put');
  expect(plan.changes).toEqual(['status enabled → disabled', 'scopes +registry * pull']);
  expect(plan.differences).toEqual([
    { field: 'status', live: 'enabled', declared: 'disabled' },
    { field: 'scopes', live: 'repository app/* pull,push', declared: 'registry * pull; repository app/* pull,push' },
  ]);
  expect(plan.put?.properties).toEqual({
    name: 'ci-push',
    scopes: [
      { type: 'registry', name: '*', actions: ['pull'] },
      { type: 'repository', name: 'app/*', actions: ['pull', 'push'] },
    ],
    status: 'disabled',
    expiryDate: null,
  });
});

test('describeScope and normalizeScopes are stable', () => {
  expect(describeScope({ type: 'repository', name: 'x/*', actions: ['delete', 'push', 'pull'] })).toBe('repository x/* pull,push,delete');
  expect(normalizeScopes(null)).toEqual([]);
  expect(sameExpiry(null, undefined)).toBe(true);
  expect(sameExpiry(null, '2030-01-01T00:00:00Z')).toBe(false);
});

test('scopes in plain words read back as they were written; a declaration from a plan entry', () => {
  expect(parseReadableScope('repository app/* pull,push')).toEqual({ type: 'repository', name: 'app/*', actions: ['pull', 'push'] });
  expect(parseReadableScope('repository my repo pull')).toEqual({ type: 'repository', name: 'my repo', actions: ['pull'] });
  expect(desiredFrom('ci-push', { status: 'disabled', expiry: 'never', scopes: ['repository app/* pull,push'] })).toEqual({ ...desired, status: 'disabled' });
  expect(desiredFrom('ci-push', {})).toEqual({ name: 'ci-push', scopes: [], status: 'enabled', expiryDate: null });
});

test('the spec digest is of the normal form: scope and action order do not change it, any value does', () => {
  const shuffled = { ...desired, scopes: [{ type: 'repository', name: 'app/*', actions: ['push', 'pull'] }] };
  expect(specDigest(shuffled)).toBe(specDigest(desired));
  expect(specDigest(desired)).toMatch(/^[0-9a-f]{16}$/);
  expect(specDigest({ ...desired, status: 'disabled' })).not.toBe(specDigest(desired));
  // the text of a spec already in normal form: the digest 0.1 and 0.2 computed for it at synth
  expect(specDigest({ name: 'up-plain', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }], status: 'enabled', expiryDate: null })).toBe('a7ba72c10d41b972');
});
