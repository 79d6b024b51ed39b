import type { ApiTokenResponse } from '../../lib/api-types';
import { describeScope, DesiredToken, normalizeScopes, planUpdate, sameExpiry } from '../../lib/token-spec';

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
  expect(planUpdate(live({}), desired)).toEqual({ kind: 'none', changes: [] });
});

test('status differs → PATCH of status only', () => {
  const plan = planUpdate(live({}), { ...desired, status: 'disabled' });
  expect(plan).toEqual({ kind: 'patch', changes: ['status enabled → disabled'], patch: { status: 'disabled' } });
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
