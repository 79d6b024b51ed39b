/**
 * How an entry of the stack's specs resource (`triggers_replace.tokens["<construct path>"]`, see
 * {@link SpecsEntry}) reads, for the handler's specs steps and for `plan-summary` alike, so that the
 * two agree on what a change of an entry means. Entries come from states written by any version:
 * before 0.4 they hold no identity and no removal policy.
 */
import { isRecord } from './is-record';
import type { SpecsEntry } from './handler/step';

/**
 * What of an entry the live token is compared with: name, status, expiry and scopes, as text in a
 * fixed key order. The rest (since 0.4 `token_id`, `registry_id`, `api_url`, `removal_policy`) needs
 * no API call when it changes.
 */
export function entrySpecText(entry: unknown): string {
  if (!isRecord(entry)) return JSON.stringify(entry ?? null);
  return JSON.stringify({ name: entry.name, status: entry.status, expiry_date: entry.expiry_date, scopes: entry.scopes });
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
