/**
 * How an entry of the stack's specs resource (`triggers_replace.tokens["<construct path>"]`, see
 * {@link SpecsEntry}) says a token's fields (lib/token-fields.ts) and reads, for the construct, the
 * handler's specs steps and `plan-summary` alike, so that all agree on what a change of an entry means. Entries come from states written by any version:
 * before 0.4 they hold no identity and no removal policy.
 */
import { isRecord } from './is-record';
import type { SpecsEntry } from './handler/step';
import { EntryFields, FIELD_NAMES, rowOf, SynthWords } from './token-fields';
import type { DesiredToken, ReadableSpec } from './token-spec';

/** The declared token's fields as its entry says them, in plain words (`synth` at synth only). */
export function entryFields(desired: DesiredToken, synth?: SynthWords): EntryFields {
  return Object.fromEntries(FIELD_NAMES.map((f) => [rowOf(f).entryKey, rowOf(f).words(desired, synth)])) as EntryFields;
}

/** What an entry (or a 0.2 spec resource's triggers) says of each field; a field it lacks is undefined. */
export function readableOf(entry: unknown): ReadableSpec {
  const e = isRecord(entry) ? entry : {};
  return Object.fromEntries(FIELD_NAMES.map((f) => [f, rowOf(f).read(e[rowOf(f).entryKey])])) as ReadableSpec;
}

/**
 * What of an entry the live token is compared with: the name and every field of the table, as text
 * in a fixed key order. The rest (since 0.4 `token_id`, `registry_id`, `api_url`, `removal_policy`)
 * needs no API call when it changes.
 */
export function entrySpecText(entry: unknown): string {
  if (!isRecord(entry)) return JSON.stringify(entry ?? null);
  return JSON.stringify({ name: entry.name, ...Object.fromEntries(FIELD_NAMES.map((f) => [rowOf(f).entryKey, entry[rowOf(f).entryKey]])) });
}

/** A token whose entry the specs resource held, as its destroy step finds it once the token left the code. */
export interface RemovedToken {
  readonly path: string;
  readonly name: string;
  /** Undefined for an entry written before 0.4, which holds no identity. */
  readonly tokenId?: string;
  readonly registryId?: string;
  readonly apiUrl: string;
  /** `removalPolicy: RETAIN`: forget it, never delete it. */
  readonly retain: boolean;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The entry held for `path`, read as a token that left the code. */
export function removedToken(path: string, entry: Partial<SpecsEntry> | unknown): RemovedToken {
  const e = isRecord(entry) ? entry : {};
  return {
    path,
    name: text(e.name) || path,
    tokenId: text(e.token_id) || undefined,
    registryId: text(e.registry_id) || undefined,
    apiUrl: text(e.api_url),
    retain: e.removal_policy === 'retain',
  };
}
