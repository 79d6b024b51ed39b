/**
 * How a token's field values read and compare, whoever holds them (the API, a spec, an entry):
 * scopes in a canonical order and in plain words, expiries as instants.
 */
import type { ApiScope } from './api-types';
import { SCOPE_ACTIONS } from './validation';

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

/** Two expiries are the same when both are "never" or both name the same instant. */
export function sameExpiry(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? a === b : ta === tb;
}
