/**
 * What runs at apply for one token: create (or adopt), update by diff, delete. Each step is safe to
 * run again after a crash at any point (docs/design/ownership.md).
 */
import type { ApiRegistryResponse, ApiTokenPatch, ApiTokenResponse, ApiTokenInputProperties } from '../api-types';
import { adoptWords, createWords, deleteWords, updateWords } from '../change-words';
import { sameExpiry } from '../field-values';
import { DesiredToken, planUpdate, putBody, specDigest } from '../token-spec';
import { checkExpiryLead, checkTokenProps, checkUuid, describeViolation, Violation } from '../validation';
import {
  adoptNameDiffers,
  brokenRules,
  createRaced,
  createdWithoutPassword,
  liveNameDiffers,
  notOurs,
  tokenGone,
  tokenLabel,
} from './errors';
import { lookUpHostname } from './hostname';
import { Journal } from './journal';
import { rollingExpiry } from '../schedule';
import { ApiError } from '../client/api-error';
import { provesUnapplied } from '../client/retry';

/** The API calls the lifecycle makes; the real client implements it (context.ts), tests may fake it. */
export interface TokenApi {
  getToken(registryId: string, tokenId: string): Promise<ApiTokenResponse | undefined>;
  /** `retryUnappliedOnly`: retry only failures that prove nothing was written (a create's PUT). */
  putToken(
    registryId: string,
    tokenId: string,
    props: ApiTokenInputProperties,
    options?: { readonly retryUnappliedOnly?: boolean },
  ): Promise<{ created: boolean; token: ApiTokenResponse }>;
  patchToken(registryId: string, tokenId: string, patch: ApiTokenPatch): Promise<ApiTokenResponse>;
  deleteToken(registryId: string, tokenId: string): Promise<boolean>;
  /** GET /registries/{registryId}: a create reads the hostname with it when asked to (`lookupHostname`). */
  getRegistry?(registryId: string): Promise<ApiRegistryResponse>;
  /** Checks where the calls would go (https, an allowed host) before the first of them; no request. */
  preflight?(): void;
  /** HTTP attempts per call (IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS or the prop); a create's rounds follow it. */
  maxAttempts?(): number;
  /** The API's time (its last `Date` header, carried forward); undefined before its first answer. */
  serverNow?(): Date | undefined;
}

/** Where a step's lines go: the process's stdout and stderr, or the worker's per-request files. */
export interface StepOutput {
  out(line: string): void;
  err(line: string): void;
}

/** What every step gets besides its own settings (the step): never from the step, never in it. */
export interface StepRuntime {
  /** The engine's environment: credentials and the client's IONOS_* settings. */
  readonly env: NodeJS.ProcessEnv;
  /** The per-workspace folder (journal, result files, markers). */
  readonly workDir: string;
  /** The engine's pid, which ties the two specs steps of one engine run; undefined when unknown. */
  readonly enginePid?: number;
  readonly output: StepOutput;
  /** Aborts once that engine run is gone: the step then starts no API call (processes.ts engineGoneSignal). */
  readonly signal?: AbortSignal;
}

/** Everything one token's step needs to know. */
export interface StepContext {
  readonly api: TokenApi;
  readonly journal: Journal;
  readonly registryId: string;
  readonly tokenId: string;
  readonly desired: DesiredToken;
  /** The construct path, for messages. */
  readonly path: string;
  /** The id of the `create` resource of this token, when the step has one. */
  readonly createId?: string;
  /** The token ids, or `stack:<name>`, the user allowed this workspace to take over (IONOS_REGISTRY_TOKEN_TAKE_OVER). */
  readonly takeOver?: string;
  /** The one command that lets this stack take over the tokens it refused, for messages. */
  readonly takeOverCommand?: () => { readonly command: string; readonly recreate: number };
  /** The command that re-creates the token, for messages. */
  readonly replaceHint?: string;
  /** Adopt the token found at the id (prop `adoptTokenId`) instead of creating one. */
  readonly adopt?: boolean;
  /** A create reads the registry's hostname first and writes it beside the password (prop `lookupRegistryHostname`). */
  readonly lookupHostname?: boolean;
  readonly now: () => Date;
  /** The deploy's one line for a token that changed (change-words.ts), and nothing else. */
  readonly log: (line: string) => void;
  /** Lines about the steps taken, shown only with IONOS_REGISTRY_TOKEN_DEBUG=1. */
  readonly debug?: (line: string) => void;
}

function label(ctx: StepContext): string {
  return tokenLabel(ctx.desired.name, ctx.tokenId, ctx.registryId);
}

function reject(ctx: StepContext, violations: Violation[]): void {
  if (violations.length > 0) throw brokenRules(ctx.path, violations);
}

/** Apply-time validation: every rule, including those whose values were unresolved at synth. */
function validate(ctx: StepContext, expiryMustLead: boolean): void {
  const d = ctx.desired;
  const found = checkTokenProps({ registryId: ctx.registryId, name: d.name, scopes: d.scopes, status: d.status, expiryDate: d.expiryDate });
  // The id names journal and result files: only a uuid may reach a path.
  found.push(...checkUuid(ctx.tokenId, ctx.adopt ? 'adoptTokenId' : 'tokenId'));
  if (expiryMustLead && d.expiryDate) found.push(...checkExpiryLead(d.expiryDate, ctx.now()));
  reject(ctx, found);
  ctx.api.preflight?.();
}

/** The body of a create: a rolling expiry becomes a date, counted from this creation by the API's clock. */
function propsOf(desired: DesiredToken, now?: Date): ApiTokenInputProperties {
  const props = putBody(desired).properties;
  return desired.expiresAfterDays !== undefined && now ? { ...props, expiryDate: rollingExpiry(now, desired.expiresAfterDays) } : props;
}

/**
 * CREATE: the token is written only where nothing is, or where the token found is provably ours
 * (docs/design/ownership.md): GET first; a token found is deleted and created again (only a creating
 * response carries a password) when this workspace's journal records an attempt that began before
 * it was created, or the user named it in IONOS_REGISTRY_TOKEN_TAKE_OVER; otherwise nothing is
 * written and the step fails. The password then goes to a 0600 result file; with `lookupHostname`,
 * the registry's hostname too, read before anything is written.
 */
export async function create(ctx: StepContext & { readonly createId: string }): Promise<void> {
  validate(ctx, true);
  const hostname = ctx.lookupHostname ? await lookUpHostname(ctx) : undefined;
  const prior = ctx.journal.read(ctx.tokenId);
  // An adopt that found nothing has read the id already.
  const adopting = ctx.adopt && (prior === undefined || prior.adopted);
  if (adopting && (await adopt(ctx, hostname))) return;
  const nothingToAdopt = adopting ? ' (no token to adopt at its id)' : '';
  // The first attempt's time stays: a token found later is ours only if it was created after it.
  const attemptAt = prior?.at ?? ctx.now().toISOString();
  await ctx.journal.write({ tokenId: ctx.tokenId, registryId: ctx.registryId, name: ctx.desired.name, at: attemptAt });
  ctx.journal.removeStaleResults(ctx.tokenId);
  const notOursAfterAll = (): Error => {
    // The record this attempt wrote must not vouch for another's token on a later run.
    if (prior === undefined) ctx.journal.remove(ctx.tokenId);
    const takeOver = ctx.takeOverCommand?.() ?? { command: `IONOS_REGISTRY_TOKEN_TAKE_OVER=${ctx.tokenId} <your deploy>`, recreate: 0 };
    return notOurs(ctx.path, label(ctx), takeOver.command, takeOver.recreate);
  };

  const found = adopting ? undefined : await ctx.api.getToken(ctx.registryId, ctx.tokenId);
  if (found) {
    if (!takesOver(ctx) && !createdSince(found, prior?.at)) throw notOursAfterAll();
    ctx.debug?.(`${label(ctx)} was left by an interrupted create; deleting it and creating it again to obtain its password`);
    await ctx.api.deleteToken(ctx.registryId, ctx.tokenId);
  }
  const token = await putNew(ctx, attemptAt, notOursAfterAll);
  const password = token.properties.credentials?.password;
  if (!password) throw createdWithoutPassword(ctx.path, label(ctx));
  // Both before the step ends, in parallel (a marker without its result file is never read: the
  // step did not end, so it runs again and removes both first).
  await Promise.all([
    ctx.journal.writeResult(ctx.tokenId, ctx.createId, password, hostname),
    ctx.journal.writeFreshMarker(ctx.tokenId, ctx.createId, specDigest(ctx.desired)),
  ]);
  ctx.log(`${createWords(ctx.desired.name)}${nothingToAdopt}`);
}

/** PUTs at an id found empty: as many rounds as a call has attempts, and never fewer than this. */
const MIN_CREATE_ROUNDS = 3;

/**
 * The PUT of a create at an id found empty. It is retried only on failures that prove nothing was
 * written (429, 503, no connection); after any other failure (502, 504, a lost answer) the token is
 * read again: absent, PUT again; present and created since our first attempt, ours (delete it and PUT
 * again for a password); else not ours. A PUT that replaced (200) raced another writer.
 */
async function putNew(ctx: StepContext, attemptAt: string, notOursAfterAll: () => Error): Promise<ApiTokenResponse> {
  const rounds = Math.max(MIN_CREATE_ROUNDS, ctx.api.maxAttempts?.() ?? 0);
  for (let round = 1; ; round++) {
    try {
      const res = await ctx.api.putToken(ctx.registryId, ctx.tokenId, propsOf(ctx.desired, ctx.api.serverNow?.() ?? ctx.now()), { retryUnappliedOnly: true });
      if (!res.created) throw createRaced(ctx.path, label(ctx));
      return res.token;
    } catch (err) {
      if (!(err instanceof ApiError) || provesUnapplied(err.status, err.code) || round >= rounds) throw err;
      ctx.debug?.(`${label(ctx)}: the create's answer was lost (${err.status || err.code || 'no answer'}); reading the token before anything else`);
      const live = await ctx.api.getToken(ctx.registryId, ctx.tokenId);
      if (live && !createdSince(live, attemptAt)) throw notOursAfterAll();
      if (live) await ctx.api.deleteToken(ctx.registryId, ctx.tokenId);
    }
  }
}

/** Clock skew allowed between this machine and the API when comparing a token's creation with our first attempt. */
export const CLOCK_SKEW_MS = 2 * 60 * 1000;

/**
 * A token found at our id is ours when the journal records an attempt of this workspace to create
 * it that began before the token was created (the API's `metadata.createdDate`). A journal entry
 * alone is not enough: a workspace that found another's token (a second workspace of the same
 * stack) recorded its attempt too, before it learned that.
 */
function createdSince(token: ApiTokenResponse, attemptAt: string | undefined): boolean {
  if (!attemptAt) return false;
  const created = Date.parse(token.metadata?.createdDate ?? '');
  const attempt = Date.parse(attemptAt);
  if (Number.isNaN(attempt)) return false;
  // An API that gives no creation date cannot contradict the record.
  return Number.isNaN(created) || created >= attempt - CLOCK_SKEW_MS;
}

/** IONOS_REGISTRY_TOKEN_TAKE_OVER names this token, or its stack as `stack:<name>` (several, separated by commas). */
function takesOver(ctx: StepContext): boolean {
  const stack = `stack:${ctx.path.split('/')[0]}`;
  return (ctx.takeOver ?? '').split(',').some((v) => v.trim() === stack || v.trim().toLowerCase() === ctx.tokenId.toLowerCase());
}

/**
 * ADOPT (prop `adoptTokenId`): a token found at the id is taken over as it is, never deleted or
 * re-created; its name must be the declared one. Its password is unknown, so the result file holds
 * "" and the specs step (GET, diff) then applies the declared spec. False when there is no token at
 * the id (it was deleted by a rotation or rename of this stack, or never existed): the caller creates it.
 */
async function adopt(ctx: StepContext & { readonly createId: string }, hostname: string | undefined): Promise<boolean> {
  const live = await ctx.api.getToken(ctx.registryId, ctx.tokenId);
  if (!live) {
    ctx.debug?.(`${label(ctx)}: no token to adopt at this id; creating it (new password)`);
    return false;
  }
  if (live.properties.name !== ctx.desired.name) throw adoptNameDiffers(ctx.path, label(ctx), live.properties.name);
  await ctx.journal.write({ tokenId: ctx.tokenId, registryId: ctx.registryId, name: ctx.desired.name, adopted: true, at: ctx.now().toISOString() });
  await ctx.journal.writeResult(ctx.tokenId, ctx.createId, '', hostname);
  ctx.log(`${adoptWords(ctx.desired.name)} (its password is unknown, empty in the state: rotate it with rotationTrigger to get one)`);
  return true;
}

/**
 * UPDATE (run by the specs step for a token whose entry changed, and by `drift --fix`): read the live
 * token, diff, then PATCH status/expiry or PUT the whole spec when scopes differ; nothing differs →
 * no write.
 */
export async function update(ctx: StepContext): Promise<void> {
  validate(ctx, false);
  const live = await ctx.api.getToken(ctx.registryId, ctx.tokenId);
  if (!live) throw tokenGone(ctx.path, label(ctx), 'no longer exists', ctx.replaceHint);
  if (live.properties.name !== ctx.desired.name) throw liveNameDiffers(ctx.path, label(ctx), live.properties.name);
  if (ctx.desired.expiryDate && !sameExpiry(live.properties.expiryDate, ctx.desired.expiryDate)) {
    reject(ctx, checkExpiryLead(ctx.desired.expiryDate, ctx.now()));
  }
  const plan = planUpdate(live, ctx.desired);
  if (plan.kind === 'none') {
    ctx.debug?.(`${label(ctx)} is as declared; nothing to change`);
    return;
  }
  if (plan.kind === 'patch') {
    await ctx.api.patchToken(ctx.registryId, ctx.tokenId, plan.patch!);
  } else {
    const res = await ctx.api.putToken(ctx.registryId, ctx.tokenId, plan.put!.properties);
    if (res.created) {
      // The token vanished between the read and the write, and the PUT made a new one whose password
      // nobody captured: remove it rather than leave an unusable token behind.
      await ctx.api.deleteToken(ctx.registryId, ctx.tokenId);
      throw tokenGone(ctx.path, label(ctx), 'disappeared during the update', ctx.replaceHint);
    }
  }
  ctx.log(updateWords(ctx.desired.name, plan.changes, plan.kind.toUpperCase()));
}

/** DELETE: delete the token; a 404 means it is already gone. `why` is said in the line. */
export async function remove(ctx: StepContext, why?: string): Promise<void> {
  const bad = [...checkUuid(ctx.registryId, 'registryId'), ...checkUuid(ctx.tokenId, 'tokenId')];
  if (bad.length > 0) {
    // An id that is no uuid was refused before any create, so there is no token to delete; failing
    // here would block the destroy (and every replacement) for good.
    ctx.journal.remove(ctx.tokenId);
    ctx.debug?.(`${label(ctx)} was never created (${describeViolation(bad[0])}); nothing to delete`);
    return;
  }
  ctx.api.preflight?.();
  const existed = await ctx.api.deleteToken(ctx.registryId, ctx.tokenId);
  ctx.journal.remove(ctx.tokenId);
  ctx.journal.removeStaleResults(ctx.tokenId);
  ctx.log(deleteWords(ctx.desired.name, [why, existed ? '' : 'already gone'].filter(Boolean).join('; ')));
}
