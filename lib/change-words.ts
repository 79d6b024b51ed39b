/**
 * The words of a token's change, said before it (`registry-token plan-summary`) and as it happens
 * (the handler's one line per changed token at deploy): one function per kind, so both say the same.
 */

/** Why the stack's specs step deletes a token. */
export const REMOVED_FROM_CODE = 'removed from the code';

/** `create ci-push`. */
export function createWords(name: string): string {
  return `create ${name}`;
}

/** `adopt ci-push`. */
export function adoptWords(name: string): string {
  return `adopt ${name}`;
}

/** `delete ci-push`, or `delete ci-push (removed from the code)`. */
export function deleteWords(name: string, why?: string): string {
  return why ? `delete ${name} (${why})` : `delete ${name}`;
}

/** `ci-push: status enabled → disabled (PATCH, password kept)`. */
export function updateWords(name: string, changes: readonly string[], method: string): string {
  return `${name}: ${changes.join(', ')} (${method}, password kept)`;
}

/** `forget ci-push (kept live: removalPolicy RETAIN)`. */
export function retainedWords(name: string): string {
  return `forget ${name} (kept live: removalPolicy RETAIN)`;
}

/** A token removed from the code whose record (written before 0.4) has no token id: nothing can delete it. */
export function unrecordedWords(name: string, registryId?: string, tokenId?: string): string {
  const api = registryId && tokenId ? `DELETE /registries/${registryId}/tokens/${tokenId}` : 'DELETE /registries/{registryId}/tokens/{tokenId}';
  return `forget ${name}: STAYS LIVE: its record in the state predates 0.4 (no token id), so no step can delete it. Delete it in the console or with the API: ${api}`;
}
