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
import { STACK_SPECS_NAME } from '../handler/consts';
import { unwrapDynamic } from './dynamic-value';
import { isRecord } from '../is-record';
import { identityObject } from '../legacy-layouts';
import { readableOf } from '../specs-entry';
import type { ReadableSpec } from '../token-spec';

export { STACK_SPECS_NAME };

export type Role = 'identity' | 'create' | 'password' | 'spec';

const NAME_PATTERN = /^(.+)_(identity|create|password|spec)_([0-9A-F]{8})$/;

/** The token prefix and role of a resource name, or undefined when it is not one of ours. */
export function parseResourceName(name: string): { prefix: string; role: Role } | undefined {
  const m = NAME_PATTERN.exec(name);
  return m ? { prefix: m[1], role: m[2] as Role } : undefined;
}

/** A resource as {@link readLayout} sees it: its name, its module ("" for the root), and what the caller reads of it. */
export interface LayoutItem<R> {
  readonly name: string;
  readonly module: string;
  readonly resource: R;
}

/** One token's resources by role. */
export interface TokenResources<R> {
  readonly module: string;
  /** The construct path below the stack, as cdktf put it in the resource names. */
  readonly prefix: string;
  readonly parts: Partial<Record<Role, R>>;
}

/** The tokens of a stack (a state, or a plan), and each module's specs resource. */
export interface Layout<R> {
  readonly tokens: TokenResources<R>[];
  /** By module. */
  readonly stackSpecs: Map<string, R>;
}

/** The one layout reader (drift and plan-summary): sorts a stack's `terraform_data` resources into tokens and specs resources. */
export function readLayout<R>(items: Iterable<LayoutItem<R>>): Layout<R> {
  const tokens = new Map<string, { module: string; prefix: string; parts: Partial<Record<Role, R>> }>();
  const stackSpecs = new Map<string, R>();
  for (const item of items) {
    if (item.name === STACK_SPECS_NAME) {
      stackSpecs.set(item.module, item.resource);
      continue;
    }
    const parsed = parseResourceName(item.name);
    if (!parsed) continue;
    const key = `${item.module}|${parsed.prefix}`;
    const token = tokens.get(key) ?? { module: item.module, prefix: parsed.prefix, parts: {} };
    token.parts[parsed.role] = item.resource;
    tokens.set(key, token);
  }
  return { tokens: [...tokens.values()], stackSpecs };
}

/** `password.input`: JSON text (since 0.3), or an object (0.2, lib/legacy-layouts.ts); the object either way. */
export function identityInput(v: unknown): Record<string, unknown> | undefined {
  const u = unwrapDynamic(v);
  if (typeof u !== 'string') return identityObject(u);
  try {
    const parsed: unknown = JSON.parse(u);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
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
  /** With `rotateEveryDays`: `<days> days, period <n>`, the period the last rotation fell in. */
  readonly rotationPeriod?: string;
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
    rotationPeriod: isRecord(c) ? str(c.rotation_period) : undefined,
    path: str(input.path),
    apiUrl: str(input.api_url),
    adopt: input.adopt === 'true',
  };
}

/** The entries of the stack's specs resource by construct path, or undefined when it has not that shape. */
export function readStackSpecs(values: unknown): Map<string, unknown> | undefined {
  if (!isRecord(values)) return undefined;
  const t = unwrapDynamic(values.triggers_replace);
  if (!isRecord(t) || !isRecord(t.tokens)) return undefined;
  return new Map(Object.entries(t.tokens));
}

/** A spec in plain words: a 0.2 spec resource's triggers, or (as `{ triggers_replace: entry }`) an entry of the specs resource. */
export function readSpec(values: unknown): ReadableSpec | undefined {
  if (!isRecord(values)) return undefined;
  const t = unwrapDynamic(values.triggers_replace);
  // The shape of every version's spec: a field added later is absent from older entries.
  if (!isRecord(t) || !('status' in t) || !('scopes' in t)) return undefined;
  return readableOf(t);
}
