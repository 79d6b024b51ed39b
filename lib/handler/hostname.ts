/**
 * The registry's hostname, read from the API by a create when the prop `lookupRegistryHostname` is
 * set (docs/design/registry-hostname.md). It is read before the token is written: a failed lookup
 * leaves nothing behind, so no password can be lost to it.
 */
import { ApiError } from '../client/api-error';
import { checkHostname, describeViolation } from '../validation';
import { StepError, tokenLabel } from './errors';
import type { StepContext } from './lifecycle';

/** What to do after a failed lookup, by HTTP status (0: no answer). */
function nextStep(status: number): string {
  if (status === 401 || status === 403) return 'check IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD, and that the user may read this registry';
  if (status === 404) return 'check registryId: no registry has this id';
  if (status === 0 || status === 429 || status >= 500) return 'the API is unavailable or busy: run the deploy again';
  return 'run the deploy again; if it persists, report it with this line';
}

/** A lookup that failed: one line naming the token, the call, its status and the API's words, and what to do. */
export function hostnameLookupFailed(path: string, token: string, what: string, next: string): StepError {
  return new StepError(
    `${path}: ${token}: the registry's hostname could not be read (lookupRegistryHostname), so the token was not created: ` +
      `${what}; ${next}, or set registryHostname instead of lookupRegistryHostname`,
  );
}

/** GET /registries/{registryId} → `properties.hostname`, checked by the `registryHostname` rule. */
export async function lookUpHostname(ctx: StepContext): Promise<string> {
  const token = tokenLabel(ctx.desired.name, ctx.tokenId, ctx.registryId);
  if (!ctx.api.getRegistry) throw new Error('this API client cannot read a registry');
  let hostname: string;
  try {
    hostname = (await ctx.api.getRegistry(ctx.registryId)).properties.hostname;
  } catch (err) {
    if (err instanceof ApiError) throw hostnameLookupFailed(ctx.path, token, err.message, nextStep(err.status));
    throw err;
  }
  const bad = checkHostname(hostname, 'properties.hostname');
  if (bad.length > 0) {
    throw hostnameLookupFailed(ctx.path, token, `GET registry ${ctx.registryId} answered ${describeViolation(bad[0])}`, 'report it with this line');
  }
  return hostname;
}
