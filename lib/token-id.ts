/**
 * Token ids are chosen by us, stably: `uuidv5(namespace, "<stack>|<construct path below the stack>|<registry>|<name>")`.
 * Known at synth (plans show it), the same on every retry (so no retry or crash can make a second
 * token), different per stack (so two stacks declaring the same name get the API's 409 instead of
 * sharing a token). Plain TypeScript: the construct asks Terraform's `uuidv5()` for the same when a
 * part is known only at apply.
 */
import { createHash } from 'node:crypto';
import { TOKEN_ID_NAMESPACE } from './handler/consts';

export { TOKEN_ID_NAMESPACE };

/** What the id is derived from, in order; joined with {@link TOKEN_ID_SEPARATOR}. */
export function tokenIdSeed(stack: string, pathInStack: string, registryId: string, name: string): string[] {
  return [stack, pathInStack, registryId, name];
}

export const TOKEN_ID_SEPARATOR = '|';

/** The id of a token whose seed is known at synth. */
export function deriveTokenId(seed: readonly string[]): string {
  return uuidv5(TOKEN_ID_NAMESPACE, seed.join(TOKEN_ID_SEPARATOR));
}

/** RFC 4122 version-5 uuid, the same as Terraform's `uuidv5()`. */
export function uuidv5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
