/**
 * Readers of what older versions left in a state or on disk, in one place: each names the layout it
 * reads and the version that removes it. Their callers ask here instead of reading those layouts.
 */
import type { RecordedIdentity } from './handler/step';
import { isRecord } from './is-record';
import type { RemovedToken } from './specs-entry';
import { unwrapDynamic } from './cli/dynamic-value';
import type { IdentityValues } from './cli/resources';

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

/** `password.input` as 0.2 recorded it: an object (since 0.3: JSON text). Removed in 1.0. */
export function identityObject(input: unknown): Record<string, unknown> | undefined {
  return isRecord(input) ? input : undefined;
}

/** A resource's change in a plan, as the upgrade checks below read it. */
export interface PlannedChange {
  readonly actions: readonly string[];
  readonly reason?: string;
}

/** Terraform's reason for deleting a resource that the configuration no longer has. */
const NO_CONFIG = 'delete_because_no_resource_config';

/**
 * The plan upgrades a token deployed by 0.1: its `identity` resource leaves the configuration (it is
 * being deleted) while its `password` resource stays and takes its place. Removed in 1.0.
 */
export function identityResourceLeaves(identity: PlannedChange, password: PlannedChange | undefined): boolean {
  return identity.reason === NO_CONFIG && password !== undefined && !(password.actions.length === 1 && password.actions[0] === 'delete');
}

/**
 * The plan upgrades a token deployed by 0.2: its own spec resource leaves the configuration, and the
 * stack's specs resource takes its place. Removed in 1.0.
 */
export function specResourceLeaves(spec: PlannedChange): boolean {
  return spec.actions.length === 1 && spec.actions[0] === 'delete' && spec.reason === NO_CONFIG;
}

/**
 * How a delete step reads its identity back from `password.input`: JSON text (0.3 on), an object
 * (0.2), or null for a `password` written by 0.1, which has no input (see {@link recordedIdentity}).
 * The last two: removed in 1.0.
 */
export const RECORDED_IDENTITY_EXPRESSION = 'jsonencode(try(jsondecode(self.input), self.input, null))';

/**
 * The identity a delete step names. A `password` resource written by 0.1 records none (its `identity`
 * resource did): when the upgrade replaces it (a token with rotationTrigger or adoptTokenId), its
 * delete step names no token, deletes nothing and says {@link UNRECORDED_DELETE} (the new create
 * finds the token and re-creates it). Removed in 1.0.
 */
export function recordedIdentity(identity: RecordedIdentity | null): RecordedIdentity | undefined {
  return identity?.token_id ? identity : undefined;
}

export const UNRECORDED_DELETE = 'delete: this resource records no token (state from before 0.2); nothing to delete here';

/**
 * Whether the entry of a token gone from the code records its identity. One written before 0.4 holds
 * no token id or registry: no step can delete its token, and it stays live. Removed in 1.0.
 */
export function recordedEntry<T extends Pick<RemovedToken, 'tokenId' | 'registryId'>>(token: T): token is T & { readonly tokenId: string; readonly registryId: string } {
  return !!token.tokenId && !!token.registryId;
}

/**
 * Where versions up to 0.5 kept worker folders, pipes and TF_LOG marks besides today's run folder:
 * the working directory, swept of those whose worker is gone. Removed in 1.0.
 */
export function legacyWorkerDirs(workDir: string): string[] {
  return [workDir];
}
