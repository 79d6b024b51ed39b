/**
 * The two steps of the stack's one `specs` resource (see StackSpecs in registry-token.ts):
 *
 * - `specs-before` (its destroy step, when a change replaces it): writes the entries it held to
 *   `<work dir>/specs-before.<engine>.json`, for the create step of the same engine run;
 * - `specs` (its create step): for each token it lists, in parallel,
 *   - created in this run with this very spec (the create's marker is there): remove the result file
 *     the `password` resource has read (its absence is the error: the password did not reach the
 *     state), and nothing else;
 *   - else remove a result file that is left, and, unless its entry is the same as before, update
 *     the live token by diff (GET, then PATCH, PUT or nothing: `update` in lifecycle.ts).
 *   Without the entries from before (the resource was tainted by a failed step, or a crash came
 *   between the two steps), every token not just created is checked: correct, one GET each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_WORK_DIR, ENV, freshMarkerName, isSpecsVar, resultFileName, SPECS_ENV, specsBeforeName } from './consts';
import { writeFileAtomic } from './journal';
import { CLIENT_ENV } from '../client/config';
import { resultFileGone, StepError, tokenLabel } from './lifecycle';
import { alive, namesIn } from './processes';

/** One token as the `specs` step receives it (`IONOS_RT_T<n>`, jsonencode'd by Terraform). */
export interface SpecsToken {
  readonly path: string;
  readonly registryId: string;
  readonly tokenId: string;
  readonly name: string;
  readonly apiUrl: string;
  /** The declared spec `{ name, scopes, status, expiryDate }`, as the create step gets it. */
  readonly spec: unknown;
  readonly createId: string;
  readonly digest: string;
  readonly adopt: boolean;
  readonly maxAttempts: string;
  readonly timeoutSeconds: string;
  readonly replaceHint: string;
  /** False when the token's `password` resource holds "" (a created token only; adopted ones are not told). */
  readonly captured: boolean;
}

/** The values of `<prefix>0`, `<prefix>1`, ... up to the first one missing. */
export function numberedVars(env: NodeJS.ProcessEnv, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; env[`${prefix}${i}`] !== undefined; i++) out.push(env[`${prefix}${i}`]!);
  return out;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * `IONOS_RT_T<n>`: `{ "token": {...}, "entry": {...} }`, the token's settings and its entry in the
 * resource's triggers as the plan showed it (compared with the entry from before).
 */
export function parseSpecsToken(raw: string, index: number): { token: SpecsToken; entry: unknown } {
  let doc: { token?: unknown; entry?: unknown };
  try {
    doc = JSON.parse(raw) as { token?: unknown; entry?: unknown };
  } catch {
    throw new StepError(`${SPECS_ENV.TOKEN}${index} is not JSON; it is meant to be set by the RegistryToken construct's specs resource`);
  }
  const v = (doc.token !== null && typeof doc.token === 'object' ? doc.token : {}) as Record<string, unknown>;
  const t: SpecsToken = {
    path: text(v.path),
    registryId: text(v.registry_id),
    tokenId: text(v.token_id),
    name: text(v.name),
    apiUrl: text(v.api_url),
    spec: v.spec,
    createId: text(v.create_id),
    digest: text(v.digest),
    adopt: v.adopt === 'true',
    maxAttempts: text(v.max_attempts),
    timeoutSeconds: text(v.timeout_seconds),
    replaceHint: text(v.replace_hint),
    captured: v.captured !== 'false' && v.captured !== false,
  };
  if (!t.tokenId || !t.name || !t.registryId || !t.createId) {
    throw new StepError(`${SPECS_ENV.TOKEN}${index} lacks the token id, name, registry or create id`);
  }
  return { token: t, entry: doc.entry };
}

/** The environment of one token's update, as its own provisioner would have set it. */
export function tokenEnv(base: NodeJS.ProcessEnv, t: SpecsToken): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of Object.keys(env)) if (isSpecsVar(k)) delete env[k];
  Object.assign(env, {
    [ENV.REGISTRY_ID]: t.registryId,
    [ENV.TOKEN_ID]: t.tokenId,
    [ENV.NAME]: t.name,
    [ENV.PATH]: t.path,
    [ENV.API_URL]: t.apiUrl,
    [ENV.SPEC]: JSON.stringify(t.spec ?? {}),
    [ENV.CREATE_ID]: t.createId,
    [ENV.REPLACE_HINT]: t.replaceHint,
  });
  if (t.maxAttempts) env[CLIENT_ENV.MAX_ATTEMPTS] = t.maxAttempts;
  if (t.timeoutSeconds) env[CLIENT_ENV.TIMEOUT_SECONDS] = t.timeoutSeconds;
  return env;
}

/** JSON with object keys sorted, so that two renderings of one value compare equal. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * Names one engine run: its pid and, where /proc has it, the process's start time (a pid can be
 * reused by a later run; a file left by a crashed run must not pass for this run's).
 */
export function engineKey(pid: string | undefined): string | undefined {
  if (!pid || !/^\d+$/.test(pid)) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return started ? `${pid}-${started}` : pid;
  } catch {
    return pid;
  }
}

export function workDir(env: NodeJS.ProcessEnv): string {
  return env[ENV.WORK_DIR] || DEFAULT_WORK_DIR;
}

/** Removes `specs-before` files of engine runs that are gone (a destroy, a crash). */
function removeStaleBefore(dir: string, keep: string): void {
  for (const name of namesIn(dir)) {
    const m = /^specs-before\.(\d+)(-\d+)?\.json$/.exec(name);
    if (!m || name === keep) continue;
    if (!alive(Number(m[1])) || engineKey(m[1]) !== `${m[1]}${m[2] ?? ''}`) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** A JSON object (or list) from one of the specs steps' variables; a clear error when it is not. */
function jsonVar<T>(env: NodeJS.ProcessEnv, name: string, fallback: T, ok: (v: unknown) => boolean): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new StepError(`${name} is not JSON; it is meant to be set by the RegistryToken construct's specs resource`);
  }
  if (v === null) return fallback;
  if (!ok(v)) throw new StepError(`${name} does not have the shape the RegistryToken construct's specs resource gives it`);
  return v as T;
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A token that left the code, as the destroyed `specs` resource recorded it. */
export interface RemovedToken {
  readonly path: string;
  readonly name: string;
  /** Undefined for an entry written before 0.4, which holds no identity. */
  readonly tokenId?: string;
  readonly registryId?: string;
  readonly apiUrl: string;
  readonly retain: boolean;
}

/**
 * SPECS_BEFORE, first half: the entries the destroyed `specs` resource held (`IONOS_RT_BEFORE`) split
 * by the paths declared now (`IONOS_RT_DECLARED`): those still declared are kept for the specs step
 * of this engine run (a file, see {@link takeBefore}); the others left the code.
 */
export function splitBefore(env: NodeJS.ProcessEnv): { kept: Record<string, unknown>; removed: RemovedToken[] } {
  const entries = jsonVar<Record<string, unknown>>(env, SPECS_ENV.BEFORE, {}, isObject);
  const declared = new Set(jsonVar<string[]>(env, SPECS_ENV.DECLARED, [], (v) => Array.isArray(v) && v.every((p) => typeof p === 'string')));
  const kept: Record<string, unknown> = {};
  const removed: RemovedToken[] = [];
  for (const [path, entry] of Object.entries(entries)) {
    if (declared.has(path)) {
      kept[path] = entry;
      continue;
    }
    const e = (isObject(entry) ? entry : {}) as Record<string, unknown>;
    removed.push({
      path,
      name: text(e.name) || path,
      tokenId: text(e.token_id) || undefined,
      registryId: text(e.registry_id) || undefined,
      apiUrl: text(e.api_url),
      retain: e.removal_policy === 'retain',
    });
  }
  return { kept, removed };
}

/** SPECS_BEFORE, second half: keeps the entries still declared for the specs step of this run; returns how many. */
export function recordBefore(env: NodeJS.ProcessEnv, kept: Record<string, unknown>, log: (line: string) => void): number {
  const key = engineKey(env[ENV.ENGINE_PID]);
  if (!key) {
    log('specs-before: no engine pid; the next specs step checks every token');
    return 0;
  }
  const dir = workDir(env);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(path.join(dir, specsBeforeName(key)), `${JSON.stringify(kept)}\n`, 0o600);
  return Object.keys(kept).length;
}

/** The entries the `specs-before` step of this engine run kept (and removes the file), or undefined. */
export function takeBefore(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const key = engineKey(env[ENV.ENGINE_PID]);
  const dir = workDir(env);
  const name = key ? specsBeforeName(key) : '';
  removeStaleBefore(dir, name);
  if (!key) return undefined;
  const file = path.join(dir, name);
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    fs.rmSync(file, { force: true });
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}


/**
 * What of an entry the live token is compared with: name, status, expiry and scopes. The rest (its
 * identity, its removal policy; absent from entries written before 0.4) needs no API call to change.
 */
function specPart(entry: unknown): unknown {
  if (!isObject(entry)) return entry;
  const e = entry as Record<string, unknown>;
  return { name: e.name, status: e.status, expiry_date: e.expiry_date, scopes: e.scopes };
}

/**
 * What the step does for one token before any API call: `created` (just created with this spec: the
 * result file is removed and nothing else is due), `unchanged` (same entry as before), or `update`.
 */
export function triage(dir: string, t: SpecsToken, entry: unknown, before: Record<string, unknown> | undefined): 'created' | 'unchanged' | 'update' {
  if (!t.captured) throw passwordNeverCaptured(t);
  const marker = path.join(dir, freshMarkerName(t.tokenId, t.createId, t.digest));
  const result = path.join(dir, resultFileName(t.tokenId, t.createId));
  if (t.digest && fs.existsSync(marker)) {
    if (!fs.existsSync(result)) throw resultFileGone(t.path, tokenLabel(t.name, t.tokenId, t.registryId), result, t.replaceHint);
    fs.rmSync(result, { force: true });
    fs.rmSync(marker, { force: true });
    return 'created';
  }
  fs.rmSync(result, { force: true });
  if (before && t.path in before && entry !== undefined && canonical(specPart(before[t.path])) === canonical(specPart(entry))) return 'unchanged';
  return 'update';
}

/**
 * A token this stack created whose `password` resource holds "": Terraform records `create` in the
 * state before its step runs, so a deploy killed during that step (or whose working directory was
 * lost before the capture) leaves a create that looks done and no password. The step fails (and stays
 * failed at every deploy, its resource tainted) until the token is created again: `-replace` of its
 * create replaces `password` too, whose destroy step deletes the token (the state records it as this
 * stack's), then the create makes it anew.
 */
export function passwordNeverCaptured(t: SpecsToken): StepError {
  return new StepError(
    `${t.path}: the password of ${tokenLabel(t.name, t.tokenId, t.registryId)} never reached the Terraform state ` +
      '(the deploy that created it was interrupted, or its working directory was lost). ' +
      `Create it again, with a new password: ${t.replaceHint || 'terraform apply -replace=<the create resource>'}`,
  );
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  });
  await Promise.all(lanes);
}
