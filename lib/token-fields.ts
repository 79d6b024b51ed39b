/**
 * The one table of a token's updatable fields (docs/design/token-fields.md). Each row says where its
 * field lives in every shape (the construct's props, the create step's spec, the specs entry, the
 * API body) and how it is compared, applied and said. The spec, the entry, the diff, the digest and
 * the plan's words are all derived from it; the name is no row: it is the identity (a change replaces).
 */
import type { ApiTokenInputProperties, ApiTokenProperties } from './api-types';
import { describeScope, normalizeScopes, parseReadableScope, sameExpiry } from './field-values';
import type { RegistryTokenConfig } from './registry-token';
import { rollingDaysOf, rollingExpiryWords } from './schedule';
import type { DesiredToken } from './token-spec';

/** The props the rows read, with the status defaulted. */
export type DeclaredProps = Pick<RegistryTokenConfig, 'scopes' | 'expiryDate' | 'expiresAfterDays'> & { readonly status: string };

/** What only the construct has at synth: whether a value is a Terraform reference, and Terraform's join(). */
export interface SynthWords {
  isUnresolved(v: unknown): boolean;
  join(separator: string, parts: string[]): string;
}

/** One updatable field. `W` is its value in the plain words of a specs entry. */
export interface FieldRow<W> {
  /** Its key in a specs entry. Deployed states record it: never renamed. */
  readonly entryKey: string;
  /** How drift says it differs: `status is …`, `scopes are …`. */
  readonly is: 'is' | 'are';
  /** A change of it is applied by a PATCH of its {@link body}, or needs a PUT of the whole spec. */
  readonly update: 'patch' | 'put';
  /** The props → its part of the create step's spec (wire values). */
  fromProps(props: DeclaredProps): Partial<DesiredToken>;
  /** The declared token → the entry's plain words (`synth` at synth only, for values known at apply). */
  words(desired: DesiredToken, synth?: SynthWords): W;
  /** An entry's value as any version wrote it (read from a state or plan), or undefined. */
  read(value: unknown): W | undefined;
  /** Plain words → wire values, the inverse of {@link words}; absent words give the default. */
  fromWords(words: W | undefined): Partial<DesiredToken>;
  /** Its part of a PUT body (and of a PATCH). */
  body(desired: DesiredToken): Partial<ApiTokenInputProperties>;
  /** Its part of the spec digest, when more than its body. */
  digest?(desired: DesiredToken): Partial<DesiredToken>;
  same(live: ApiTokenProperties, desired: DesiredToken): boolean;
  liveWords(live: ApiTokenProperties): string;
  declaredWords(desired: DesiredToken): string;
  /** The change in words, when more than `<field> <live> → <declared>`. */
  changes?(live: ApiTokenProperties, desired: DesiredToken): string[];
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const scopeWords = (scopes: DesiredToken['scopes'] | null): string[] => normalizeScopes(scopes).map(describeScope);

/** The rows in the order of the entry's keys, of a plan's changes and of a PATCH body. */
export const FIELDS = {
  status: {
    entryKey: 'status',
    is: 'is',
    update: 'patch',
    fromProps: (p) => ({ status: p.status }),
    words: (d) => d.status,
    read: text,
    fromWords: (w: string | undefined) => ({ status: w || 'enabled' }),
    body: (d) => ({ status: d.status }),
    same: (live, d) => live.status === d.status,
    liveWords: (live) => live.status,
    declaredWords: (d) => d.status,
  },
  expiry: {
    /** RFC 3339, `never`, or a rolling expiry: `90 days after creation`. */
    entryKey: 'expiry_date',
    is: 'is',
    update: 'patch',
    fromProps: (p) => ({ expiryDate: p.expiryDate ?? null, ...(p.expiresAfterDays !== undefined ? { expiresAfterDays: p.expiresAfterDays } : {}) }),
    words: (d) => (d.expiresAfterDays !== undefined ? rollingExpiryWords(d.expiresAfterDays) : (d.expiryDate ?? 'never')),
    read: text,
    fromWords: (w: string | undefined) => {
      const rolling = rollingDaysOf(w);
      return { expiryDate: !w || w === 'never' || rolling !== undefined ? null : w, ...(rolling !== undefined ? { expiresAfterDays: rolling } : {}) };
    },
    body: (d) => ({ expiryDate: d.expiryDate }),
    digest: (d) => ({ expiryDate: d.expiryDate, ...(d.expiresAfterDays !== undefined ? { expiresAfterDays: d.expiresAfterDays } : {}) }),
    // A rolling expiry is set by each creation; an update keeps it.
    same: (live, d) => d.expiresAfterDays !== undefined || sameExpiry(live.expiryDate, d.expiryDate),
    liveWords: (live) => live.expiryDate ?? 'never',
    declaredWords: (d) => d.expiryDate ?? 'never',
  },
  scopes: {
    /** `repository app/* pull,push`, in the canonical order. */
    entryKey: 'scopes',
    is: 'are',
    // The REST reference does not document scopes in PATCH.
    update: 'put',
    fromProps: (p) => ({ scopes: p.scopes.map((s) => ({ type: s.type, name: s.name, actions: [...s.actions] })) }),
    words: (d, synth) =>
      synth && d.scopes.some((s) => synth.isUnresolved(s.name) || synth.isUnresolved(s.type) || s.actions.some((a) => synth.isUnresolved(a)))
        ? d.scopes.map((s) => `${s.type} ${s.name} ${synth.join(',', s.actions)}`)
        : scopeWords(d.scopes),
    read: (v) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined),
    fromWords: (w: string[] | undefined) => ({ scopes: (w ?? []).map(parseReadableScope) }),
    body: (d) => ({ scopes: normalizeScopes(d.scopes) }),
    same: (live, d) => JSON.stringify(normalizeScopes(live.scopes)) === JSON.stringify(normalizeScopes(d.scopes)),
    liveWords: (live) => scopeWords(live.scopes).join('; ') || 'none',
    declaredWords: (d) => scopeWords(d.scopes).join('; ') || 'none',
    changes: (live, d) => {
      const before = scopeWords(live.scopes);
      const after = scopeWords(d.scopes);
      return [...after.filter((s) => !before.includes(s)).map((s) => `scopes +${s}`), ...before.filter((s) => !after.includes(s)).map((s) => `scopes -${s}`)];
    },
  },
} as const satisfies { readonly [name: string]: FieldRow<string> | FieldRow<string[]> };

export type FieldName = keyof typeof FIELDS;

/** The field names in the table's order. */
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/**
 * Each field's place in the API's order, which the spec, the PUT body and the digest keep (create
 * markers are named by the digest, and the synthesized spec must not change).
 */
const WIRE_RANK: Record<FieldName, number> = { scopes: 0, status: 1, expiry: 2 };

/** The field names in the API's order. */
export const WIRE_ORDER: readonly FieldName[] = [...FIELD_NAMES].sort((a, b) => WIRE_RANK[a] - WIRE_RANK[b]);

/** A field's value in an entry's plain words. */
export type FieldWords<F extends FieldName> = ReturnType<(typeof FIELDS)[F]['words']>;

/** The fields of a specs entry, by the keys the state records. */
export type EntryFields = { readonly [F in FieldName as (typeof FIELDS)[F]['entryKey']]: FieldWords<F> };

/** The row of a field, as its interface (the table's rows differ only in their words' type). */
export function rowOf(name: FieldName): FieldRow<unknown> {
  return FIELDS[name] as FieldRow<unknown>;
}

/** The change of one field in words: `status enabled → disabled`, `scopes +registry * pull`. */
export function changeWords(name: FieldName, live: ApiTokenProperties, desired: DesiredToken): string[] {
  const row = rowOf(name);
  return row.changes ? row.changes(live, desired) : [`${name} ${row.liveWords(live)} → ${row.declaredWords(desired)}`];
}
