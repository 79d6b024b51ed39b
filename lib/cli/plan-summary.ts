/**
 * `registry-token plan-summary`: what a plan (`terraform show -json <planfile>`, Terraform or
 * OpenTofu) will do to each real token, and which API calls the handler will make. It reads only the
 * identity and spec resources (plain words), never the password resource, and cuts every sensitive
 * string of the plan out of what it prints.
 */
import { adoptWords, createWords, deleteWords, REMOVED_FROM_CODE, retainedWords, unrecordedWords, updateWords } from '../change-words';
import { periodStart } from '../schedule';
import type { ApiTokenResponse } from '../api-types';
import { isRecord } from '../is-record';
import { shQuote } from '../shell-quote';
import { entrySpecText, removedToken } from '../specs-entry';
import { FIELD_NAMES, FIELDS } from '../token-fields';
import { desiredFrom, planUpdate, type ReadableSpec } from '../token-spec';
import { identityResourceLeaves, readIdentityResource, recordedEntry, specResourceLeaves } from '../legacy-layouts';
import { CliError } from './errors';
import { IdentityValues, identityInput, readLayout, readSpec, readStackSpecs, Role } from './resources';
import { redact, sensitiveStrings } from './secrets';

/** What happens to one token. */
export type TokenAction =
  | 'create'
  | 'adopt'
  | 'update'
  | 'rename'
  | 'move'
  | 'rotate'
  | 'replace'
  | 're-create'
  | 'delete'
  | 'forget'
  | 'other';

export interface TokenChange {
  /** The construct path (e.g. `my-stack/ci-push`), or the resource name prefix when unknown. */
  readonly path: string;
  /** The token name after the change (before it, for a delete). */
  readonly name: string;
  readonly action: TokenAction;
  /** The human line, e.g. `ci-push: status enabled → disabled (PATCH, password kept)`. */
  readonly line: string;
  /** The single changes, e.g. `status enabled → disabled`. */
  readonly changes: string[];
  /** The API calls in order, e.g. `["GET", "PATCH"]`. */
  readonly calls: string[];
  /** What happens to the password in the state. */
  readonly password: 'new' | 'kept' | 'unknown' | 'gone' | 'unchanged';
  readonly tokenId?: string;
  readonly registryId?: string;
  /**
   * Set when the token leaves the state but stays live (action `forget`): `retained` by
   * `removalPolicy: RETAIN`, on purpose; `unmanaged` when no step can delete it (the stack's last
   * token, or a record written before 0.4 without the token id).
   */
  readonly keptLive?: 'retained' | 'unmanaged';
  /**
   * Set when the plan changes the token's API URL (prop `apiUrl`; `""` is the default). It is no
   * create trigger: the token is not moved, and later calls for it go to `to`. Printed on a line of its own.
   */
  readonly apiUrlChange?: ApiUrlChange;
}

export interface ApiUrlChange {
  readonly from: string;
  /** Undefined when known only after apply. */
  readonly to?: string;
  readonly line: string;
}

export interface PlanSummary {
  /** Tokens the plan changes, in the plan's order. */
  readonly tokens: TokenChange[];
  /** Tokens the plan leaves alone. */
  readonly unchanged: number;
  /** The engine that made the plan (`terraform_version`), when given. */
  readonly engineVersion?: string;
}

interface ResourceChange {
  address: string;
  role: Role;
  actions: string[];
  reason?: string;
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
}

interface Group {
  key: string;
  /** The module address with a trailing dot, or "" for the root module. */
  module: string;
  prefix: string;
  parts: Partial<Record<Role, ResourceChange>>;
  /** The stack's `registry-token-specs` resource in the same module, when the plan has it. */
  stack?: ResourceChange;
}

const UNKNOWN = '(known after apply)';

/** `status, expiry or scopes`: every field an entry holds. */
const FIELDS_WORDS = `${FIELD_NAMES.slice(0, -1).join(', ')} or ${FIELD_NAMES[FIELD_NAMES.length - 1]}`;

function isReplace(a: string[]): boolean {
  return a.includes('delete') && a.includes('create');
}

function isNoop(a: string[]): boolean {
  return a.length === 0 || (a.length === 1 && (a[0] === 'no-op' || a[0] === 'read'));
}

/** Checks that the document is a plan and gives its resource changes. */
function resourceChanges(plan: unknown): unknown[] {
  if (!isRecord(plan)) throw new CliError('the input is not a JSON object; give the output of "terraform show -json <planfile>"');
  if (typeof plan.format_version !== 'string') {
    throw new CliError('the input has no format_version; give the output of "terraform show -json <planfile>" (or tofu)');
  }
  if (!('resource_changes' in plan) && !('planned_values' in plan)) {
    throw new CliError('the input is a state, not a plan: give "terraform show -json <planfile>" of a saved plan (terraform plan -out <planfile>)');
  }
  if (plan.resource_changes === undefined) return [];
  if (!Array.isArray(plan.resource_changes)) throw new CliError('resource_changes is not an array; is this a Terraform plan JSON?');
  return plan.resource_changes;
}

/** A resource change as the summary reads it. */
function changeOf(rc: Record<string, unknown>, role: Role): ResourceChange {
  const change = rc.change as Record<string, unknown>;
  return {
    address: String(rc.address ?? rc.name),
    role,
    actions: Array.isArray(change.actions) ? change.actions.map(String) : [],
    reason: typeof rc.action_reason === 'string' ? rc.action_reason : undefined,
    before: change.before,
    after: change.after,
    afterUnknown: change.after_unknown,
  };
}

/** True when `v` is `true` or holds a `true` anywhere (an `after_unknown` value). */
function containsTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  return isRecord(v) && Object.values(v).some(containsTrue);
}

/**
 * Since 0.3 a token's spec is its entry in the stack's specs resource (`triggers_replace.tokens
 * ["<path>"]`). This builds the change of a spec resource of the token's own from it, so that one
 * summary serves every layout: replaced when the stack's resource is replaced and this entry
 * differs (or is unknown), created when it is new, else no change.
 */
function virtualSpec(stack: ResourceChange, path: string): ResourceChange {
  const entry = (values: unknown) => readStackSpecs(values)?.get(path);
  const before = entry(stack.before);
  const after = entry(stack.after);
  const au = isRecord(stack.afterUnknown) ? stack.afterUnknown.triggers_replace : undefined;
  const tokensUnknown = au === true || (isRecord(au) && au.tokens === true);
  // `after_unknown` of an entry is a mirror of its shape (`{ scopes: [false] }`): unknown only where it says true.
  const unknownEntry = tokensUnknown ? true : isRecord(au) && isRecord(au.tokens) ? au.tokens[path] : undefined;
  const unknown = containsTrue(unknownEntry) ? unknownEntry : undefined;
  // Only what the handler compares counts: an entry that gains its identity (0.3 → 0.4) is unchanged.
  const differs = unknown !== undefined || entrySpecText(before) !== entrySpecText(after);
  let actions = ['no-op'];
  if (before === undefined && (after !== undefined || unknown)) actions = ['create'];
  else if (before !== undefined && after === undefined && !unknown) actions = ['delete'];
  else if (isReplace(stack.actions) && differs) actions = ['delete', 'create'];
  return {
    address: stack.address,
    role: 'spec',
    actions,
    reason: stack.reason,
    before: before === undefined ? null : { triggers_replace: before },
    after: after === undefined ? null : { triggers_replace: after },
    afterUnknown: { triggers_replace: unknown ?? false },
  };
}

function groupsOf(plan: unknown): Group[] {
  const items = resourceChanges(plan).flatMap((rc) => {
    if (!isRecord(rc) || rc.type !== 'terraform_data' || rc.mode !== 'managed' || typeof rc.name !== 'string' || !isRecord(rc.change)) return [];
    return [{ name: rc.name, module: typeof rc.module_address === 'string' ? `${rc.module_address}.` : '', resource: rc }];
  });
  const layout = readLayout(items);
  const groups = layout.tokens.map((t): Group => {
    const parts: Partial<Record<Role, ResourceChange>> = {};
    for (const [role, rc] of Object.entries(t.parts) as [Role, Record<string, unknown>][]) parts[role] = changeOf(rc, role);
    return { key: `${t.module}${t.prefix}`, module: t.module, prefix: t.prefix, parts };
  });
  const stackSpecs = new Map([...layout.stackSpecs].map(([module, rc]) => [module, changeOf(rc, 'spec')]));
  for (const g of groups) {
    if (!g.parts.identity && g.parts.password) {
      const id = virtualIdentity(g.parts.password, g.parts.create);
      if (id) g.parts.identity = id;
    }
    const stack = stackSpecs.get(g.module);
    g.stack = stack;
    const id = g.parts.identity;
    const path = id && (readIdentityResource(id.after) ?? readIdentityResource(id.before))?.path;
    if (!g.parts.spec && stack && path) g.parts.spec = virtualSpec(stack, path);
  }
  // Ours only: an identity with the identity shape (before or after) and a spec or create beside it.
  return groups.filter((g) => {
    const id = g.parts.identity;
    return id !== undefined && (readIdentityResource(id.before) ?? readIdentityResource(id.after)) !== undefined && (g.parts.spec || g.parts.create);
  });
}

/** A value of `input` or `triggers_replace`, as a plan gives it. */
function attr(values: unknown, key: 'input' | 'triggers_replace'): Record<string, unknown> | undefined {
  const v = isRecord(values) ? values[key] : undefined;
  return isRecord(v) ? v : undefined;
}

/** `after_unknown` says the attribute (or this key of it) is unknown until apply. */
function unknownIn(afterUnknown: unknown, key: 'input' | 'triggers_replace', sub: string): boolean {
  if (!isRecord(afterUnknown)) return false;
  const t = afterUnknown[key];
  return t === true || (isRecord(t) && containsTrue(t[sub]));
}

/**
 * Since 0.2 a token has no `identity` resource: `password.input` holds registry, id, name, path and
 * API URL, and `create.triggers_replace` the rotation. This builds the change of an identity in the
 * old shape from those two, so that one summary serves both layouts. A replacement of `create`
 * that changes none of the identity (`-replace`, a tainted create) is a no-op here, which leaves
 * it to the "create is replaced" case (re-create).
 */
function virtualIdentity(password: ResourceChange, create: ResourceChange | undefined): ResourceChange | undefined {
  const shape = (pw: unknown, cr: unknown) => {
    const i = identityInput(isRecord(pw) ? pw.input : undefined);
    if (!i) return undefined;
    const t = attr(cr, 'triggers_replace');
    const triggers: Record<string, unknown> = { registry_id: i.registry_id, name: i.name, token_id: i.token_id };
    if (t && 'rotation' in t) triggers.rotation = t.rotation;
    if (t && 'rotation_period' in t) triggers.rotation_period = t.rotation_period;
    const input: Record<string, unknown> = { path: i.path, api_url: i.api_url };
    if ('adopt' in i) input.adopt = i.adopt;
    return { triggers_replace: triggers, input };
  };
  const before = shape(password.before, create?.before);
  const after = shape(password.after, create?.after);
  if (!before && !after) return undefined;
  const keys = ['registry_id', 'name', 'token_id'];
  const afterUnknown = {
    triggers_replace: {
      ...Object.fromEntries(keys.map((k) => [k, unknownIn(password.afterUnknown, 'input', k)])),
      rotation: unknownIn(create?.afterUnknown, 'triggers_replace', 'rotation'),
      rotation_period: unknownIn(create?.afterUnknown, 'triggers_replace', 'rotation_period'),
    },
  };
  const changed =
    Object.values(afterUnknown.triggers_replace).some(Boolean) ||
    JSON.stringify(before?.triggers_replace) !== JSON.stringify(after?.triggers_replace) ||
    before?.input.adopt !== after?.input.adopt;
  let actions = password.actions;
  if (isReplace(actions) && !changed) actions = ['no-op'];
  else if (!isReplace(actions) && !(actions.length === 1 && (actions[0] === 'create' || actions[0] === 'delete'))) actions = ['no-op'];
  return { address: password.address, role: 'identity', actions, reason: password.reason, before, after, afterUnknown };
}

/** `after_unknown.triggers_replace.<key>` (or the whole triggers) is true. */
function unknownAfter(rc: ResourceChange | undefined, key: string): boolean {
  return unknownIn(rc?.afterUnknown, 'triggers_replace', key);
}

function show(v: string | undefined, unknown = false): string {
  return unknown ? UNKNOWN : (v ?? '?');
}

function specChanges(name: string, before: ReadableSpec, after: ReadableSpec) {
  const live = desiredFrom(name, before);
  const plan = planUpdate({ id: '', properties: { ...live } } as unknown as ApiTokenResponse, desiredFrom(name, after));
  return plan;
}

/** `summarizeTokenGroup`, with the API URL change (if any) on the token's change. */
function summarizeGroup(g: Group): TokenChange | undefined {
  const change = summarizeTokenGroup(g);
  const api = change && apiUrlChangeOf(g, change);
  if (!change || !api) return change;
  const text = `API URL ${urlWord(api.from)} → ${api.to === undefined ? UNKNOWN : urlWord(api.to)}`;
  return { ...change, changes: [...change.changes, text], apiUrlChange: api };
}

/** How a URL reads in a line: `""` is the default the handler resolves at apply. */
function urlWord(url: string): string {
  return url === '' ? 'default' : url;
}

/**
 * The token's API URL before and after, when the plan changes it. The handler calls the URL the
 * state records: a token kept in place stays where it is, and every later call goes to the new URL.
 */
function apiUrlChangeOf(g: Group, change: TokenChange): ApiUrlChange | undefined {
  const id = g.parts.identity!;
  const before = readIdentityResource(id.before);
  const after = readIdentityResource(id.after);
  if (!before || !after || change.action === 'forget' || change.action === 'delete') return undefined;
  const from = before.apiUrl ?? '';
  const unknown = unknownIn(id.afterUnknown, 'input', 'api_url') || unknownIn(g.parts.password?.afterUnknown, 'input', 'api_url');
  const to = unknown ? undefined : (after.apiUrl ?? '');
  if (to === from) return undefined;
  const target = to === undefined ? 'the new URL' : to === '' ? 'the default URL (IONOS_API_URL at apply, else the config file\'s, else https://api.ionos.com)' : to;
  const head = `${change.name}: API URL ${urlWord(from)} → ${to === undefined ? UNKNOWN : urlWord(to)}`;
  const replaced = ['rename', 'move', 'rotate', 'replace', 're-create'].includes(change.action);
  const line = replaced
    ? `${head}: the old token is deleted at the old URL, the new one made at the new URL; from then on its updates, its delete and drift call ${target}`
    : `${head}: the token is not moved or re-created (no API call); from now on its updates, its delete and drift call ${target}`;
  return { from, ...(to === undefined ? {} : { to }), line };
}

function summarizeTokenGroup(g: Group): TokenChange | undefined {
  const id = g.parts.identity!;
  const idBefore = readIdentityResource(id.before);
  const idAfter = readIdentityResource(id.after);
  const anyId = (idAfter ?? idBefore) as IdentityValues;
  const path = anyId.path ?? g.prefix;
  const nameBefore = idBefore?.name;
  const nameAfter = unknownAfter(id, 'name') ? UNKNOWN : idAfter?.name;
  const base = {
    path,
    tokenId: unknownAfter(id, 'token_id') ? undefined : (idAfter ?? idBefore)?.tokenId,
    registryId: unknownAfter(id, 'registry_id') ? undefined : (idAfter ?? idBefore)?.registryId,
  };
  const create = g.parts.create;
  const spec = g.parts.spec;
  const password = g.parts.password;
  const policy = policyChange(g.stack, path);

  // The identity goes away: a destroy deletes the token (the password resource's destroy step); a
  // token gone from the code is deleted by the stack's specs resource, or stays live (see removedFromCode).
  if (id.actions.length === 1 && id.actions[0] === 'delete') {
    const name = show(nameBefore);
    if (identityResourceLeaves(id, password)) {
      if (create && isReplace(create.actions)) {
        // A token with rotationTrigger or adoptTokenId: `create` gains that key and is replaced once.
        return {
          ...base,
          name,
          action: 're-create',
          line: `re-create ${name}: layout upgrade (0.2), its create resource gains the rotation or adoption key: delete, create (new password)`,
          changes: [],
          calls: ['GET', 'DELETE', 'PUT'],
          password: 'new',
        };
      }
      return {
        ...base,
        name,
        action: 'other',
        line: `${name}: layout upgrade (0.2): the identity resource leaves the state, the password resource takes its place; the token is kept (no API call)`,
        changes: [],
        calls: [],
        password: 'unchanged',
      };
    }
    if (id.reason === 'delete_because_no_resource_config') return removedFromCode(g, base, name, path, anyId);
    return { ...base, name, action: 'delete', line: deleteWords(name), changes: [], calls: ['DELETE'], password: 'gone' };
  }

  // A new identity: a new token, or one adopted by id.
  if (id.actions.length === 1 && id.actions[0] === 'create') {
    const name = show(nameAfter);
    if (idAfter?.adopt) {
      return {
        ...base,
        name,
        action: 'adopt',
        line: `${adoptWords(name)} (GET, then PATCH or PUT only where it differs; password unknown)`,
        changes: [],
        calls: ['GET'],
        password: 'unknown',
      };
    }
    // zeroDowntime: the slot made while the other, which consumers hold, stays live
    const other = otherSlotPath(base.path, name);
    const takesOver = other !== undefined && idAfter?.rotationPeriod !== undefined && readStackSpecs(g.stack?.before)?.has(other) === true;
    const why = takesOver ? `: the next credential, ${dueWords(idAfter.rotationPeriod)}; the current one stays live` : '';
    return { ...base, name, action: 'create', line: `${createWords(name)}${why} (GET, then PUT)`, changes: [], calls: ['GET', 'PUT'], password: 'new' };
  }

  // The identity is replaced: the token is deleted and created again (same or new id).
  if (isReplace(id.actions)) {
    const changes: string[] = [];
    const renamed = nameBefore !== nameAfter;
    const moved = unknownAfter(id, 'registry_id') || idBefore?.registryId !== idAfter?.registryId;
    const rotated = unknownAfter(id, 'rotation') || idBefore?.rotation !== idAfter?.rotation;
    const due = !rotated && idBefore?.rotationPeriod !== undefined && idAfter?.rotationPeriod !== undefined && idBefore.rotationPeriod !== idAfter.rotationPeriod;
    const adoptAfter = idAfter?.adopt === true;
    if (renamed) changes.push(`name ${show(nameBefore)} → ${show(nameAfter)}`);
    if (moved) changes.push(`registry ${show(idBefore?.registryId)} → ${show(idAfter?.registryId, unknownAfter(id, 'registry_id'))}`);
    if (rotated) changes.push(`rotation ${idBefore?.rotation ?? 'unset'} → ${unknownAfter(id, 'rotation') ? UNKNOWN : (idAfter?.rotation ?? 'unset')}`);
    if (due) changes.push(`rotation period ${idBefore.rotationPeriod} → ${idAfter.rotationPeriod}`);
    const scheduled = idBefore?.rotationPeriod !== idAfter?.rotationPeriod && !rotated;
    const name = show(nameAfter);
    // Adopting a token at another id: the create step reads it and keeps it. Otherwise (also for an
    // adopted token renamed or rotated in place: its id is free after the DELETE) a new token is made.
    const adoptsOther = adoptAfter && (unknownAfter(id, 'token_id') || idBefore?.tokenId !== idAfter?.tokenId);
    const then = adoptsOther ? 'adopt the token at the new id (GET, password unknown)' : 'create new (new password)';
    const calls = adoptsOther ? ['DELETE', 'GET'] : ['DELETE', 'GET', 'PUT'];
    const pw = adoptsOther ? 'unknown' : 'new';
    let action: TokenAction;
    let line: string;
    if (renamed) {
      action = 'rename';
      line = `rename ${show(nameBefore)} → ${name}: delete old, ${then}`;
    } else if (moved) {
      action = 'move';
      line = `move ${name} to registry ${show(idAfter?.registryId, unknownAfter(id, 'registry_id'))}: delete old, ${then}`;
    } else if (rotated && !adoptsOther) {
      action = 'rotate';
      line = `rotate ${name}: delete, create (new password)`;
    } else if (scheduled && !adoptsOther) {
      action = 'rotate';
      line = due
        ? `rotate ${name}: ${dueWords(idAfter.rotationPeriod)}: delete, create (new password)`
        : `rotate ${name}: rotation schedule ${idBefore?.rotationPeriod ?? 'unset'} → ${idAfter?.rotationPeriod ?? 'unset'}: delete, create (new password)`;
    } else {
      action = 'replace';
      const idChange = `token id ${show(idBefore?.tokenId)} → ${show(idAfter?.tokenId, unknownAfter(id, 'token_id'))}`;
      changes.push(idChange);
      line = `replace ${name} (${idChange}): delete old, ${then}`;
    }
    return { ...base, name, action, line, changes, calls, password: pw };
  }

  const name = show(nameAfter ?? nameBefore);
  // The identity stays but `create` is replaced (an in-place change of identity, e.g. `apiUrl`, or
  // `-replace` of the create resource): the handler deletes the token and creates it again.
  if (create && isReplace(create.actions)) {
    if (anyId.adopt) {
      return {
        ...base,
        name,
        action: 're-create',
        line: `re-adopt ${name}: the create step runs again (GET; no delete, password unknown)`,
        changes: [],
        calls: ['GET'],
        password: 'unknown',
      };
    }
    return {
      ...base,
      name,
      action: 're-create',
      line: `re-create ${name}: delete, create (new password)`,
      changes: [],
      // With `password` replaced too, its destroy step deletes first; else the create finds its own token.
      calls: password && isReplace(password.actions) ? ['DELETE', 'GET', 'PUT'] : ['GET', 'DELETE', 'PUT'],
      password: 'new',
    };
  }

  if (spec && isReplace(spec.actions)) {
    const before = readSpec(spec.before);
    const after = readSpec(spec.after);
    if (!before || !after || FIELD_NAMES.some((f) => unknownAfter(spec, FIELDS[f].entryKey))) {
      return { ...base, name, action: 'update', line: `${name}: ${FIELDS_WORDS} ${UNKNOWN} (GET, then PATCH or PUT, password kept)`, changes: [], calls: ['GET'], password: 'kept' };
    }
    const plan = specChanges(nameAfter ?? nameBefore ?? '', before, after);
    if (plan.kind === 'none') {
      return { ...base, name, action: 'update', line: `${name}: spec re-applied, no difference (GET only, password kept)`, changes: [], calls: ['GET'], password: 'kept' };
    }
    const method = plan.kind.toUpperCase();
    const changes = [...plan.changes, ...(policy ? [policy] : [])];
    return {
      ...base,
      name,
      action: 'update',
      line: updateWords(name, changes, method),
      changes,
      calls: ['GET', method],
      password: 'kept',
    };
  }

  // Upgrade from 0.2: the token's own spec resource leaves the state (no step runs for it); the
  // stack's new specs resource, with no record of the entries before, checks the token.
  if (spec && specResourceLeaves(spec)) {
    return {
      ...base,
      name,
      action: 'other',
      line: `${name}: layout upgrade (0.3): its spec moves to the stack's specs resource, which checks it once (GET; PATCH or PUT only where it differs; password kept)`,
      changes: [],
      calls: ['GET'],
      password: 'unchanged',
    };
  }

  // Only the removal policy changes: what a later removal from the code does (no API call now).
  if (policy && (!spec || isNoop(spec.actions))) {
    return { ...base, name, action: 'other', line: `${name}: ${policy} (no API call)`, changes: [policy], calls: [], password: 'kept' };
  }

  // Anything else that changes one of the four resources (no API call).
  const others = [id, create, spec, password].filter((r): r is ResourceChange => r !== undefined && !isNoop(r.actions));
  if (others.length === 0) return undefined;
  const passwordLost = password !== undefined && isReplace(password.actions);
  // Only the recorded identity changes in place (the API URL): its own line says what that means.
  const inPlace = others.every((r) => (r.role === 'password' || r.role === 'identity') && r.actions.length === 1 && r.actions[0] === 'update');
  if (inPlace) {
    const api = apiUrlChangeOf(g, { ...base, name, action: 'other', line: '', changes: [], calls: [], password: 'kept' });
    if (api) return { ...base, name, action: 'other', line: api.line, changes: [], calls: [], password: 'kept' };
  }
  return {
    ...base,
    name,
    action: 'other',
    line: passwordLost
      ? `${name}: the password resource is replaced without a new token: the state loses the password (no API call)`
      : `${name}: ${others.map((r) => `${r.role} ${r.actions.join('/')}`).join(', ')} (no API call)`,
    changes: [],
    calls: [],
    password: passwordLost ? 'gone' : 'unchanged',
  };
}

/**
 * A token whose construct was removed from the code. Terraform runs no step for its own resources;
 * the stack's specs resource, when it is replaced, deletes it in its destroy step (from the entry it
 * held: token id, registry, removal policy), unless the entry says RETAIN. When the specs resource
 * leaves the configuration too (the stack's last token), or the entry was written before 0.4 (no
 * token id), nothing deletes it.
 */
function removedFromCode(g: Group, base: Pick<TokenChange, 'path' | 'tokenId' | 'registryId'>, name: string, path: string, identity: IdentityValues): TokenChange {
  const stack = g.stack;
  const entry = readStackSpecs(stack?.before)?.get(path);
  const forget = { ...base, name, action: 'forget' as const, changes: [], calls: [], password: 'gone' as const };
  const held = removedToken(path, entry);
  if (held.retain) {
    return { ...forget, line: retainedWords(name), keptLive: 'retained' };
  }
  const recorded = recordedEntry(held);
  const stillDeclared = stack !== undefined && readStackSpecs(stack.after)?.has(path) === true;
  if (stack && isReplace(stack.actions) && recorded && !stillDeclared) {
    const other = otherSlotPath(path, name);
    const retired = other !== undefined && readStackSpecs(stack.after)?.has(other) === true;
    const line = retired ? `${deleteWords(name)}: the previous credential, its overlap ended` : deleteWords(name, REMOVED_FROM_CODE);
    return { ...base, name, action: 'delete', line, changes: [], calls: ['DELETE'], password: 'gone' };
  }
  const stays = `forget ${name}: STAYS LIVE:`;
  let line: string;
  if (stack && stack.actions.length === 1 && stack.actions[0] === 'delete') {
    // Every value in the command is one sh word that means its text: a stack name may hold `$(...)`.
    const stackName = path.includes('/') ? path.split('/')[0] : undefined;
    const address = g.parts.password?.address;
    const target = address !== undefined ? shQuote(address) : `<the ${g.prefix}_password_… resource>`;
    const where = stackName !== undefined ? `terraform -chdir=cdktf.out/stacks/${shQuote(stackName)}` : "in the stack's directory under cdktf.out/stacks: terraform";
    line =
      `${stays} it was the stack's last token, and Terraform runs no step for code it no longer has. ` +
      `To delete it instead, run this before the change, with the token still in the code: ${where} apply -destroy -target=${target}`;
  } else if (!recorded) {
    line = unrecordedWords(name, identity.registryId, identity.tokenId);
  } else {
    line = `${stays} the stack's specs resource is not replaced, so no step deletes it. Delete it in the console or with the API`;
  }
  return { ...forget, line, keptLive: 'unmanaged' };
}

/** `removalPolicy DESTROY → RETAIN` when the token's entry changes only its policy's word (no API call). */
function policyChange(stack: ResourceChange | undefined, path: string): string | undefined {
  const before = readStackSpecs(stack?.before)?.get(path);
  const after = readStackSpecs(stack?.after)?.get(path);
  if (!stack || !isReplace(stack.actions) || !isRecord(before) || !isRecord(after)) return undefined;
  const word = (e: unknown) => (removedToken(path, e).retain ? 'retain' : 'destroy').toUpperCase();
  return word(before) === word(after) ? undefined : `removalPolicy ${word(before)} → ${word(after)}`;
}

/** Tokens that leave the state but stay live without `removalPolicy: RETAIN` (what `--fail-on-forget` fails on). */
export function unmanagedForgets(summary: PlanSummary): TokenChange[] {
  return summary.tokens.filter((t) => t.keptLive === 'unmanaged');
}

/** Summarizes a plan JSON document. */
export function summarizePlan(plan: unknown): PlanSummary {
  const groups = groupsOf(plan);
  const tokens: TokenChange[] = [];
  let unchanged = 0;
  for (const g of groups) {
    const t = summarizeGroup(g);
    if (t) tokens.push(t);
    else unchanged++;
  }
  const engineVersion = isRecord(plan) && typeof plan.terraform_version === 'string' ? plan.terraform_version : undefined;
  return { tokens, unchanged, engineVersion };
}

export type Format = 'text' | 'markdown' | 'json';

/** Escapes what Markdown would read as formatting or a table border. */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_|<>[\]]/g, (c) => `\\${c}`);
}

const PASSWORD_WORDS: Record<TokenChange['password'], string> = {
  new: 'new',
  kept: 'kept',
  unknown: 'unknown (adopted)',
  gone: 'gone',
  unchanged: 'kept',
};

/** What a token's change counts as in the heading: Terraform's words for what happens to the token. */
const KIND: Record<TokenAction, 'create' | 'update' | 'replace' | 'delete' | 'forget'> = {
  create: 'create',
  adopt: 'create',
  update: 'update',
  other: 'update',
  rename: 'replace',
  move: 'replace',
  rotate: 'replace',
  replace: 'replace',
  're-create': 'replace',
  delete: 'delete',
  forget: 'forget',
};

/** `2 to create, 1 to update, 1 to delete` (kinds with none left out), or `no changes`. */
export function headingCounts(tokens: readonly TokenChange[]): string {
  const kinds = ['create', 'update', 'replace', 'delete', 'forget'] as const;
  const parts = kinds.map((k) => [k, tokens.filter((t) => KIND[t.action] === k).length] as const).filter(([, n]) => n > 0);
  return parts.length === 0 ? 'no changes' : parts.map(([k, n]) => `${n} to ${k}`).join(', ');
}

/** A token's lines: its change, then its API URL change when that is not the whole of it. */
function linesOf(t: TokenChange): string[] {
  return t.apiUrlChange && t.apiUrlChange.line !== t.line ? [t.line, t.apiUrlChange.line] : [t.line];
}

export function renderSummary(summary: PlanSummary, format: Format): string {
  if (format === 'json') {
    return `${JSON.stringify({ format: 'registry-token-plan-summary/1', ...summary }, null, 2)}\n`;
  }
  const n = summary.tokens.length;
  const unchanged = summary.unchanged ? `${summary.unchanged} token${summary.unchanged === 1 ? '' : 's'} unchanged.` : '';
  if (format === 'text') {
    if (n === 0) return `no token changes${summary.unchanged ? ` (${unchanged.replace(/\.$/, '')})` : ''}\n`;
    return `${summary.tokens.flatMap(linesOf).join('\n')}\n`;
  }
  const lines = [`#### Registry tokens: ${headingCounts(summary.tokens)}`, ''];
  if (n > 0) {
    lines.push('| token | what happens | API calls | password |', '|---|---|---|---|');
    for (const t of summary.tokens) {
      const who = `\`${t.name.replace(/`/g, "'")}\` (${mdEscape(t.path)})`;
      linesOf(t).forEach((line, i) => {
        const what = line.startsWith(`${t.name}: `) ? line.slice(t.name.length + 2) : line;
        // The API URL change's own row makes no call and leaves the password as the token's row says.
        const [calls, password] = i === 0 ? [t.calls.join(', ') || 'none', t.action === 'forget' ? 'dropped from the state' : PASSWORD_WORDS[t.password]] : ['none', '—'];
        lines.push(`| ${who} | ${mdEscape(what)} | ${calls} | ${password} |`);
      });
    }
    lines.push('');
  }
  const live = unmanagedForgets(summary);
  if (live.length > 0) {
    const names = live.map((t) => `\`${t.name.replace(/`/g, "'")}\``).join(', ');
    lines.push(`**${live.length} token${live.length === 1 ? ' stays' : 's stay'} live** although removed from the code without removalPolicy RETAIN: ${names}.`, '');
  }
  if (unchanged) lines.push(unchanged, '');
  return `${lines.join('\n')}`;
}

/** Summary of a plan JSON text, rendered, with every sensitive string of the plan cut out. */
export function planSummaryText(planJson: string, format: Format): string {
  return readPlanSummary(planJson, format).text;
}

/** The summary of a plan JSON text, and its rendering with every sensitive string of the plan cut out. */
export function readPlanSummary(planJson: string, format: Format): { summary: PlanSummary; text: string; secrets: string[] } {
  let plan: unknown;
  try {
    plan = JSON.parse(planJson);
  } catch (e) {
    if (planJson.startsWith('PK')) {
      throw new CliError('this is a binary plan file: give its JSON, "terraform show -json <planfile> > plan.json"');
    }
    throw new CliError(`the input is not JSON (${(e as Error).message}); give the output of "terraform show -json <planfile>"`);
  }
  const summary = summarizePlan(plan);
  const secrets = sensitiveStrings(plan);
  return { summary, text: redact(renderSummary(summary, format), secrets), secrets };
}

/** The other slot's path of a zeroDowntime credential (`<token>/a` ↔ `<token>/b`, named `-a`/`-b`), else undefined. */
function otherSlotPath(path: string, name: string): string | undefined {
  const m = /^(.*)\/([ab])$/.exec(path);
  if (!m || !name.endsWith(`-${m[2]}`)) return undefined;
  return `${m[1]}/${m[2] === 'a' ? 'b' : 'a'}`;
}

/** `30 days, period 685` → `due (every 30 days, a new period began on 2026-04-07)` (no date when it cannot be read). */
function dueWords(rotationPeriod: string): string {
  const m = /^(\d+) days, period (\d+)$/.exec(rotationPeriod);
  const began = m ? `on ${periodStart(Number(m[1]), Number(m[2])).toISOString().slice(0, 10)}` : '';
  return `due (every ${rotationPeriod.replace(/, period \d+$/, '')}, a new period began ${began})`;
}
