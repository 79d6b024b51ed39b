/**
 * Readers of what older versions left in a state or on disk, in one place: each names the layout it
 * reads and the version that removes it. The rest of the code knows today's layout only.
 */
import type { RecordedIdentity } from './handler/step';
import { isRecord } from './is-record';
import { IdentityValues, unwrapDynamic } from './cli/resources';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The identity of a token deployed by 0.1, from its own `identity` resource
 * (`triggers_replace.{registry_id,name,token_id[,rotation]}`, `input.{path,api_url}`). plan-summary
 * also builds this shape of newer layouts to read them alike. Removed in 1.0.
 */
export function readIdentityResource(values: unknown): IdentityValues | undefined {
  if (!isRecord(values)) return undefined;
  const t = unwrapDynamic(values.triggers_replace);
  if (!isRecord(t) || !('token_id' in t) || !('name' in t) || !('registry_id' in t)) return undefined;
  const input = unwrapDynamic(values.input);
  const i = isRecord(input) ? input : {};
  return {
    registryId: str(t.registry_id),
    name: str(t.name),
    tokenId: str(t.token_id),
    rotation: str(t.rotation),
    rotationPeriod: str(t.rotation_period),
    path: str(i.path),
    apiUrl: str(i.api_url),
    adopt: i.adopt === 'true',
  };
}

/**
 * The identity a delete step names. A `password` resource written by 0.1 records none (its `identity`
 * resource did): when the upgrade replaces it (a token with rotationTrigger or adoptTokenId), its
 * delete step names no token, deletes nothing and says {@link UNRECORDED_DELETE}. Removed in 1.0.
 */
export function recordedIdentity(identity: RecordedIdentity | null): RecordedIdentity | undefined {
  return identity?.token_id ? identity : undefined;
}

export const UNRECORDED_DELETE = 'delete: this resource records no token (state from before 0.2); nothing to delete here';

/**
 * Where versions up to 0.5 kept worker folders, pipes and TF_LOG marks besides today's run folder:
 * the working directory, swept of those whose worker is gone. Removed in 1.0.
 */
export function legacyWorkerDirs(workDir: string): string[] {
  return [workDir];
}
