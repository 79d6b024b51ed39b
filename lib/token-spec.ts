/**
 * The declared state of a token and the diff planner: which API call turns the live token into the
 * declared one. Pure functions, shared by the construct (readable plan triggers) and the handler.
 */
import { createHash } from 'node:crypto';
import type { ApiScope, ApiTokenInput, ApiTokenPatch, ApiTokenResponse } from './api-types';
import { rollingDaysOf } from './schedule';
import { SCOPE_ACTIONS } from './validation';

/** What a stack declares for one token, in wire values. */
export interface DesiredToken {
  readonly name: string;
  readonly scopes: ApiScope[];
  readonly status: string;
  /** RFC 3339, or null for "never expires" (or for a rolling expiry, set at creation). */
  readonly expiryDate: string | null;
  /** A rolling expiry: each creation sets the expiry to its own time plus this many days. */
  readonly expiresAfterDays?: number;
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

/** `repository app/* pull,push` → `{ type, name, actions }` (the path may hold spaces): the inverse of {@link describeScope}. */
export function parseReadableScope(s: string): ApiScope {
  const parts = s.trim().split(' ');
  if (parts.length < 3) return { type: parts[0] ?? '', name: parts[1] ?? '', actions: [] };
  return { type: parts[0], name: parts.slice(1, -1).join(' '), actions: parts[parts.length - 1].split(',').filter(Boolean) };
}

/** A spec in plain words, as a plan shows it: the stack's specs entry (or a 0.2 spec resource's triggers). */
export interface ReadableSpec {
  readonly status?: string;
  /** RFC 3339, or `never`. */
  readonly expiry?: string;
  readonly scopes?: readonly string[];
}

/** The declared token from its name and its spec in plain words. */
export function desiredFrom(name: string, spec: ReadableSpec): DesiredToken {
  const rolling = rollingDaysOf(spec.expiry);
  return {
    name,
    scopes: (spec.scopes ?? []).map(parseReadableScope),
    status: spec.status || 'enabled',
    expiryDate: !spec.expiry || spec.expiry === 'never' || rolling !== undefined ? null : spec.expiry,
    ...(rolling !== undefined ? { expiresAfterDays: rolling } : {}),
  };
}

/**
 * A short digest of the declared token in its normal form (scopes sorted): the create's marker is
 * named with it, and the specs step, which reads the same token from its plain-words entry, finds
 * the marker only if the create made the token with this very spec.
 */
export function specDigest(desired: DesiredToken): string {
  const normal = {
    name: desired.name,
    scopes: normalizeScopes(desired.scopes),
    status: desired.status,
    expiryDate: desired.expiryDate,
    ...(desired.expiresAfterDays !== undefined ? { expiresAfterDays: desired.expiresAfterDays } : {}),
  };
  return createHash('sha256').update(JSON.stringify(normal)).digest('hex').slice(0, 16);
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

/** One field in which the live token differs from the declared one, in words (scopes as whole lists, `none` when empty). */
export interface FieldDifference {
  readonly field: 'status' | 'expiry' | 'scopes';
  readonly live: string;
  readonly declared: string;
}

/** What an update does: nothing, a PATCH of status/expiry only, or a PUT of the whole spec. */
export interface UpdatePlan {
  readonly kind: 'none' | 'patch' | 'put';
  /** The changes in words, e.g. `status enabled → disabled`, `scopes +registry * pull`. */
  readonly changes: string[];
  /** The same, field by field. */
  readonly differences: FieldDifference[];
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
 * The one diff: the live token against the declared one (the handler's update, `drift`, and
 * `plan-summary` between two specs). Scopes differ → PUT the full spec (the REST reference does not
 * document scopes in PATCH); only status or expiry differ → PATCH just those.
 */
export function planUpdate(live: ApiTokenResponse, desired: DesiredToken): UpdatePlan {
  const lp = live.properties;
  const changes: string[] = [];
  const differences: FieldDifference[] = [];
  const patch: ApiTokenPatch = {};
  if (lp.status !== desired.status) {
    differences.push({ field: 'status', live: lp.status, declared: desired.status });
    changes.push(`status ${lp.status} → ${desired.status}`);
    patch.status = desired.status;
  }
  // A rolling expiry is set by each creation; an update keeps it.
  if (desired.expiresAfterDays === undefined && !sameExpiry(lp.expiryDate, desired.expiryDate)) {
    differences.push({ field: 'expiry', live: lp.expiryDate ?? 'never', declared: desired.expiryDate ?? 'never' });
    changes.push(`expiry ${lp.expiryDate ?? 'never'} → ${desired.expiryDate ?? 'never'}`);
    patch.expiryDate = desired.expiryDate;
  }
  if (!sameScopes(lp.scopes, desired.scopes)) {
    const before = normalizeScopes(lp.scopes).map(describeScope);
    const after = normalizeScopes(desired.scopes).map(describeScope);
    differences.push({ field: 'scopes', live: before.join('; ') || 'none', declared: after.join('; ') || 'none' });
    for (const s of after) if (!before.includes(s)) changes.push(`scopes +${s}`);
    for (const s of before) if (!after.includes(s)) changes.push(`scopes -${s}`);
    return { kind: 'put', changes, differences, put: putBody(desired) };
  }
  if (changes.length === 0) return { kind: 'none', changes, differences };
  return { kind: 'patch', changes, differences, patch };
}
