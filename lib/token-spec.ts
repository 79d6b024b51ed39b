/**
 * The declared state of a token and the diff planner: which API call turns the live token into the
 * declared one. Pure functions, shared by the construct (readable plan triggers) and the handler.
 */
import type { ApiScope, ApiTokenInput, ApiTokenPatch, ApiTokenResponse } from './api-types';
import { SCOPE_ACTIONS } from './validation';

/** What a stack declares for one token, in wire values. */
export interface DesiredToken {
  readonly name: string;
  readonly scopes: ApiScope[];
  readonly status: string;
  /** RFC 3339, or null for "never expires". */
  readonly expiryDate: string | null;
}

/** Scopes in a canonical order (by type, then path), each with its actions in the API's order. */
export function normalizeScopes(scopes: readonly ApiScope[] | null | undefined): ApiScope[] {
  return (scopes ?? [])
    .map((s) => ({
      type: s.type,
      name: s.name,
      actions: [...new Set(s.actions)].sort((a, b) => SCOPE_ACTIONS.indexOf(a) - SCOPE_ACTIONS.indexOf(b)),
    }))
    .sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type < b.type ? -1 : 1));
}

/** One scope as a reviewer reads it in a plan: `repository app/* pull,push`. */
export function describeScope(scope: ApiScope): string {
  return `${scope.type} ${scope.name} ${normalizeScopes([scope])[0].actions.join(',')}`;
}

/** Two expiries are the same when both are "never" or both name the same instant. */
export function sameExpiry(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? a === b : ta === tb;
}

export function sameScopes(a: readonly ApiScope[] | null | undefined, b: readonly ApiScope[] | null | undefined): boolean {
  return JSON.stringify(normalizeScopes(a)) === JSON.stringify(normalizeScopes(b));
}

/** What an update does: nothing, a PATCH of status/expiry only, or a PUT of the whole spec. */
export interface UpdatePlan {
  readonly kind: 'none' | 'patch' | 'put';
  /** Human-readable changes, e.g. `status enabled → disabled`. */
  readonly changes: string[];
  readonly patch?: ApiTokenPatch;
  readonly put?: ApiTokenInput;
}

/** The body of a create or full replace. */
export function putBody(desired: DesiredToken): ApiTokenInput {
  return {
    properties: {
      name: desired.name,
      scopes: normalizeScopes(desired.scopes),
      status: desired.status,
      expiryDate: desired.expiryDate,
    },
  };
}

/**
 * Diffs the live token against the declared one. Scopes differ → PUT the full spec (the REST
 * reference does not document scopes in PATCH); only status or expiry differ → PATCH just those.
 */
export function planUpdate(live: ApiTokenResponse, desired: DesiredToken): UpdatePlan {
  const lp = live.properties;
  const changes: string[] = [];
  const patch: ApiTokenPatch = {};
  if (lp.status !== desired.status) {
    changes.push(`status ${lp.status} → ${desired.status}`);
    patch.status = desired.status;
  }
  if (!sameExpiry(lp.expiryDate, desired.expiryDate)) {
    changes.push(`expiry ${lp.expiryDate ?? 'never'} → ${desired.expiryDate ?? 'never'}`);
    patch.expiryDate = desired.expiryDate;
  }
  if (!sameScopes(lp.scopes, desired.scopes)) {
    const before = new Set(normalizeScopes(lp.scopes).map(describeScope));
    const after = new Set(normalizeScopes(desired.scopes).map(describeScope));
    for (const s of after) if (!before.has(s)) changes.push(`scopes +${s}`);
    for (const s of before) if (!after.has(s)) changes.push(`scopes -${s}`);
    return { kind: 'put', changes, put: putBody(desired) };
  }
  if (changes.length === 0) return { kind: 'none', changes };
  return { kind: 'patch', changes, patch };
}
