/**
 * How the CLI recognises a RegistryToken in a plan or a state: its `terraform_data` resources are
 * named `<construct path below the stack, "/" → "_">_<role>_<8 hex digits>` by cdktf, and their
 * values have a known shape: the token's identity is `password.input.{registry_id,token_id,name,path,
 * api_url[,adopt]}` with `create.triggers_replace.rotation`; the spec is
 * `spec.triggers_replace.{status,expiry_date,scopes}`. Both are checked, so another `terraform_data`
 * in the stack is never mistaken for a token. Stacks deployed before 0.2 have a fourth resource,
 * `identity` (`triggers_replace.{registry_id,name,token_id[,rotation]}`, `input.{path,api_url}`),
 * which is read the same way. Since 0.3 the spec is not a resource of the token's own but an entry
 * of the stack's one `registry-token-specs` resource: `triggers_replace.tokens["<construct path>"]`.
 */
import type { ApiScope } from '../api-types';
import type { DesiredToken } from '../token-spec';
export { STACK_SPECS_NAME } from '../handler/consts';

export type Role = 'identity' | 'create' | 'password' | 'spec';

const NAME_PATTERN = /^(.+)_(identity|create|password|spec)_([0-9A-F]{8})$/;

/** The token prefix and role of a resource name, or undefined when it is not one of ours. */
export function parseResourceName(name: string): { prefix: string; role: Role } | undefined {
  const m = NAME_PATTERN.exec(name);
  return m ? { prefix: m[1], role: m[2] as Role } : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `terraform_data` keeps its dynamic attributes in the raw state as `{ value, type }`; `show -json`
 * and plans give the value itself.
 */
export function unwrapDynamic(v: unknown): unknown {
  if (isRecord(v) && 'value' in v && 'type' in v && Object.keys(v).length === 2) return v.value;
  return v;
}

/** `password.input`: JSON text since 0.3, an object in 0.2; the object either way. */
export function identityInput(v: unknown): Record<string, unknown> | undefined {
  const u = unwrapDynamic(v);
  if (typeof u === 'string') {
    try {
      const parsed: unknown = JSON.parse(u);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return isRecord(u) ? u : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** What the identity resource holds. */
export interface IdentityValues {
  readonly registryId?: string;
  readonly name?: string;
  readonly tokenId?: string;
  /** The `rotationTrigger` prop, when set. */
  readonly rotation?: string;
  /** The full construct path, e.g. `my-stack/ci-push`. */
  readonly path?: string;
  readonly apiUrl?: string;
  /** True for a token adopted with `adoptTokenId`. */
  readonly adopt: boolean;
}

/**
 * The identity of a token from its `password` resource (`input`) and its `create` resource
 * (`triggers_replace.rotation`); undefined when `password` has no identity input.
 */
export function readIdentityOf(password: unknown, create: unknown): IdentityValues | undefined {
  if (!isRecord(password)) return undefined;
  const input = identityInput(password.input);
  if (!input || !('token_id' in input) || !('name' in input) || !('registry_id' in input)) return undefined;
  const c = isRecord(create) ? unwrapDynamic(create.triggers_replace) : undefined;
  return {
    registryId: str(input.registry_id),
    name: str(input.name),
    tokenId: str(input.token_id),
    rotation: isRecord(c) ? str(c.rotation) : undefined,
    path: str(input.path),
    apiUrl: str(input.api_url),
    adopt: input.adopt === 'true',
  };
}

/** The identity of a token deployed before 0.2, from its `identity` resource. */
export function readIdentity(values: unknown): IdentityValues | undefined {
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
    path: str(i.path),
    apiUrl: str(i.api_url),
    adopt: i.adopt === 'true',
  };
}

/** What the spec resource holds, in its readable form. */
export interface SpecValues {
  readonly status?: string;
  /** `never` or RFC 3339. */
  readonly expiry?: string;
  readonly scopes?: string[];
}

/** The entries of the stack's specs resource by construct path, or undefined when it has not that shape. */
export function readStackSpecs(values: unknown): Map<string, unknown> | undefined {
  if (!isRecord(values)) return undefined;
  const t = unwrapDynamic(values.triggers_replace);
  if (!isRecord(t) || !isRecord(t.tokens)) return undefined;
  return new Map(Object.entries(t.tokens));
}

export function readSpec(values: unknown): SpecValues | undefined {
  if (!isRecord(values)) return undefined;
  const t = unwrapDynamic(values.triggers_replace);
  if (!isRecord(t) || !('status' in t) || !('scopes' in t)) return undefined;
  return {
    status: str(t.status),
    expiry: str(t.expiry_date),
    scopes: Array.isArray(t.scopes) ? t.scopes.filter((s): s is string => typeof s === 'string') : undefined,
  };
}

/** `repository app/* pull,push` → `{ type, name, actions }` (the path may hold spaces). */
export function parseReadableScope(s: string): ApiScope {
  const parts = s.trim().split(' ');
  if (parts.length < 3) return { type: parts[0] ?? '', name: parts[1] ?? '', actions: [] };
  return { type: parts[0], name: parts.slice(1, -1).join(' '), actions: parts[parts.length - 1].split(',').filter(Boolean) };
}

/** The declared token as the handler would receive it, from identity name and spec triggers. */
export function desiredFrom(name: string, spec: SpecValues): DesiredToken {
  return {
    name,
    scopes: (spec.scopes ?? []).map(parseReadableScope),
    status: spec.status ?? 'enabled',
    expiryDate: !spec.expiry || spec.expiry === 'never' ? null : spec.expiry,
  };
}
