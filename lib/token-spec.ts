/**
 * The declared state of a token and the diff planner: which API call turns the live token into the
 * declared one. Pure functions, shared by the construct (readable plan triggers) and the handler;
 * each field's part comes from the table in lib/token-fields.ts.
 */
import { createHash } from 'node:crypto';
import type { ApiScope, ApiTokenInput, ApiTokenPatch, ApiTokenResponse } from './api-types';
import { changeWords, DeclaredProps, FIELD_NAMES, FieldName, FieldWords, rowOf, WIRE_ORDER } from './token-fields';

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

/** A spec in plain words, as a plan shows it: the stack's specs entry (or a 0.2 spec resource's triggers). */
export type ReadableSpec = { readonly [F in FieldName]?: FieldWords<F> };

/** One part per field, in the API's order, after the name. */
function byWireOrder<T>(name: string, part: (f: FieldName) => Partial<T>): T {
  return Object.assign({ name }, ...WIRE_ORDER.map(part)) as T;
}

/** The declared token of the construct's props: the create step's spec. */
export function declaredToken(name: string, props: DeclaredProps): DesiredToken {
  return byWireOrder(name, (f) => rowOf(f).fromProps(props));
}

/** The declared token from its name and its spec in plain words. */
export function desiredFrom(name: string, spec: ReadableSpec): DesiredToken {
  return byWireOrder(name, (f) => rowOf(f).fromWords(spec[f]));
}

/**
 * A short digest of the declared token in its normal form (scopes sorted): the create's marker is
 * named with it, and the specs step, which reads the same token from its plain-words entry, finds
 * the marker only if the create made the token with this very spec.
 */
export function specDigest(desired: DesiredToken): string {
  const normal = byWireOrder(desired.name, (f) => (rowOf(f).digest ?? rowOf(f).body)(desired));
  return createHash('sha256').update(JSON.stringify(normal)).digest('hex').slice(0, 16);
}

/** One field in which the live token differs from the declared one, in words (scopes as whole lists, `none` when empty). */
export interface FieldDifference {
  readonly field: FieldName;
  readonly live: string;
  readonly declared: string;
}

/** What an update does: nothing, a PATCH of the fields that allow it, or a PUT of the whole spec. */
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
  return { properties: byWireOrder(desired.name, (f) => rowOf(f).body(desired)) };
}

/**
 * The one diff: the live token against the declared one (the handler's update, `drift`, and
 * `plan-summary` between two specs). A field that needs a PUT differs → PUT the full spec; else
 * PATCH just the fields that differ.
 */
export function planUpdate(live: ApiTokenResponse, desired: DesiredToken): UpdatePlan {
  const lp = live.properties;
  const differ = FIELD_NAMES.filter((f) => !rowOf(f).same(lp, desired));
  const changes = differ.flatMap((f) => changeWords(f, lp, desired));
  const differences = differ.map((f) => ({ field: f, live: rowOf(f).liveWords(lp), declared: rowOf(f).declaredWords(desired) }));
  if (differ.some((f) => rowOf(f).update === 'put')) return { kind: 'put', changes, differences, put: putBody(desired) };
  if (differ.length === 0) return { kind: 'none', changes, differences };
  return { kind: 'patch', changes, differences, patch: Object.assign({}, ...differ.map((f) => rowOf(f).body(desired))) as ApiTokenPatch };
}
