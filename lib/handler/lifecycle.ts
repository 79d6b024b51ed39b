/**
 * What runs at apply: create, capture, update and delete of one token. Each step is safe to run again
 * after a crash at any point (see README "Design notes").
 */
import * as fs from 'node:fs';
import type { ApiTokenPatch, ApiTokenResponse, ApiTokenInputProperties } from '../api-types';
import { DesiredToken, planUpdate, putBody, sameExpiry } from '../token-spec';
import { checkExpiryLead, checkTokenSpec, checkUuid, describeViolation, Violation } from '../validation';
import { Journal } from './journal';

/** The API calls the lifecycle makes; the real client implements it, tests may fake it. */
export interface TokenApi {
  getToken(registryId: string, tokenId: string): Promise<ApiTokenResponse | undefined>;
  putToken(registryId: string, tokenId: string, props: ApiTokenInputProperties): Promise<{ created: boolean; token: ApiTokenResponse }>;
  patchToken(registryId: string, tokenId: string, patch: ApiTokenPatch): Promise<ApiTokenResponse>;
  deleteToken(registryId: string, tokenId: string): Promise<boolean>;
  /** Counts retries, so that a PUT answered "already there" after a retry is known to be our own. */
  readonly stats: { retries: number };
}

/** Everything one step needs to know; built by the entry point from the environment. */
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
  /** The token id the user allowed this workspace to take over, if any. */
  readonly takeOver?: string;
  /** The command that re-creates the token, for messages. */
  readonly replaceHint?: string;
  /** The spec digest Terraform computed; names the marker that skips the next `spec` step. */
  readonly specDigest?: string;
  /** Adopt the token found at the id (prop `adoptTokenId`) instead of creating one. */
  readonly adopt?: boolean;
  readonly now: () => Date;
  readonly log: (line: string) => void;
}

/** A failure the user can fix; the entry point prints it as one line, with no stack trace. */
export class StepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepError';
  }
}

/** `token "<name>" (id <id>, registry <registry>)`, how every message names a token. */
export function tokenLabel(name: string, tokenId: string, registryId: string): string {
  return `token "${name}" (id ${tokenId}, registry ${registryId})`;
}

function label(ctx: StepContext): string {
  return tokenLabel(ctx.desired.name, ctx.tokenId, ctx.registryId);
}

/** The password of a token just created never reached the state: its result file is gone. */
export function resultFileGone(path: string, token: string, file: string, replaceHint: string | undefined): StepError {
  return new StepError(
    `${path}: the password of ${token} could not be captured: its result file ${file} is gone ` +
      '(removed by hand, or the working directory was replaced between the create and the capture). ' +
      `Create the token again with: ${replaceHint || 'terraform apply -replace=<the create resource>'}`,
  );
}

function reject(ctx: StepContext, violations: Violation[]): void {
  if (violations.length === 0) return;
  throw new StepError(violations.map((v) => `${ctx.path}: ${describeViolation(v)}`).join('\n'));
}

/** Apply-time validation: every rule, including those whose values were unresolved at synth. */
function validate(ctx: StepContext, expiryMustLead: boolean): void {
  const d = ctx.desired;
  const found = checkTokenSpec({ registryId: ctx.registryId, name: d.name, scopes: d.scopes, status: d.status, expiryDate: d.expiryDate });
  if (expiryMustLead && d.expiryDate) found.push(...checkExpiryLead(d.expiryDate, ctx.now()));
  reject(ctx, found);
}

function propsOf(desired: DesiredToken): ApiTokenInputProperties {
  return putBody(desired).properties;
}

/**
 * CREATE: one idempotent PUT at the client-chosen id, then the password goes to a 0600 result file.
 * When the token is already there (our own earlier attempt: the journal says so, or the PUT was
 * retried), it is deleted and created again, because only a creating response carries a password.
 */
export async function create(ctx: StepContext): Promise<void> {
  validate(ctx, true);
  if (!ctx.createId) throw new StepError(`${ctx.path}: create needs the create resource id`);
  const prior = ctx.journal.read(ctx.tokenId);
  if (ctx.adopt && (prior === undefined || prior.adopted) && (await adopt(ctx))) return;
  // The first attempt's time stays: a token found later is ours only if it was created after it.
  await ctx.journal.write({ tokenId: ctx.tokenId, registryId: ctx.registryId, name: ctx.desired.name, at: prior?.at ?? ctx.now().toISOString() });
  ctx.journal.removeStaleResults(ctx.tokenId);

  const retriesBefore = ctx.api.stats.retries;
  let result = await ctx.api.putToken(ctx.registryId, ctx.tokenId, propsOf(ctx.desired));
  if (!result.created) {
    const retried = ctx.api.stats.retries > retriesBefore;
    const ours = retried || takesOver(ctx) || createdSince(result.token, prior?.at);
    if (!ours) {
      // Not ours: the record this attempt wrote must not vouch for the token on a later run.
      if (prior === undefined) ctx.journal.remove(ctx.tokenId);
      throw new StepError(
        `${ctx.path}: ${label(ctx)} already exists, but this workspace has no record of creating it ` +
          '(its Terraform state or working directory was lost, or another workspace deploys the same stack). ' +
          `To let this stack delete it and create it again with a new password, run the deploy once with ` +
          `IONOS_REGISTRY_TOKEN_TAKE_OVER=${ctx.tokenId}`,
      );
    }
    ctx.log(`${label(ctx)} was left by an interrupted create; deleting it and creating it again to obtain its password`);
    await ctx.api.deleteToken(ctx.registryId, ctx.tokenId);
    result = await ctx.api.putToken(ctx.registryId, ctx.tokenId, propsOf(ctx.desired));
    if (!result.created) {
      throw new StepError(`${ctx.path}: ${label(ctx)}: the API answered the create after a delete without creating; run the deploy again`);
    }
  }
  const password = result.token.properties.credentials?.password;
  if (!password) {
    throw new StepError(`${ctx.path}: ${label(ctx)}: the API created the token but its response carried no password; run the deploy again (it re-creates the token)`);
  }
  await ctx.journal.writeResult(ctx.tokenId, ctx.createId, password);
  if (ctx.specDigest) await ctx.journal.writeFreshMarker(ctx.tokenId, ctx.createId, ctx.specDigest);
  ctx.log(`created ${label(ctx)}`);
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

/** IONOS_REGISTRY_TOKEN_TAKE_OVER names this token (one id, or several separated by commas). */
function takesOver(ctx: StepContext): boolean {
  return (ctx.takeOver ?? '').split(',').some((id) => id.trim().toLowerCase() === ctx.tokenId.toLowerCase());
}

/**
 * ADOPT (prop `adoptTokenId`): a token found at the id is taken over as it is, never deleted or
 * re-created; its name must be the declared one. Its password is unknown, so the result file holds
 * "" and the next update (GET, diff) applies the declared spec. False when there is no token at the
 * id (it was deleted by a rotation or rename of this stack, or never existed): the caller creates it.
 */
async function adopt(ctx: StepContext): Promise<boolean> {
  const live = await ctx.api.getToken(ctx.registryId, ctx.tokenId);
  if (!live) {
    ctx.log(`${label(ctx)}: no token to adopt at this id; creating it (new password)`);
    return false;
  }
  if (live.properties.name !== ctx.desired.name) {
    throw new StepError(
      `${ctx.path}: cannot adopt ${label(ctx)}: the token at this id is named "${live.properties.name}"; ` +
        'set name to the live name (names cannot change in place), or fix adoptTokenId',
    );
  }
  await ctx.journal.write({
    tokenId: ctx.tokenId,
    registryId: ctx.registryId,
    name: ctx.desired.name,
    createId: ctx.createId,
    adopted: true,
    at: ctx.now().toISOString(),
  });
  await ctx.journal.writeResult(ctx.tokenId, ctx.createId!, '');
  ctx.log(`adopted ${label(ctx)}; its password is unknown (empty in the state): rotate it (rotationTrigger) to get one`);
  return true;
}

/**
 * CAPTURE: the password resource has read the result file into the state; remove the file. The
 * `spec` step's shell does this itself and runs it here only when the file is gone, which is the
 * error this reports (the password could not reach the state).
 */
export async function capture(ctx: StepContext): Promise<void> {
  if (!ctx.createId) throw new StepError(`${ctx.path}: capture needs the create resource id`);
  const file = ctx.journal.resultPath(ctx.tokenId, ctx.createId);
  if (!fs.existsSync(file)) throw resultFileGone(ctx.path, label(ctx), file, ctx.replaceHint);
  fs.rmSync(file, { force: true });
  ctx.log(`captured the password of ${label(ctx)} into the Terraform state`);
}

function gone(ctx: StepContext, what: string): StepError {
  return new StepError(
    `${ctx.path}: ${label(ctx)} ${what}: it was deleted outside this stack, or it expired (the API deletes ` +
      `expired tokens). To create it again with a new password, run: ${ctx.replaceHint ?? 'terraform apply -replace=<the create resource>'}`,
  );
}

/**
 * UPDATE: read the live token, diff, then PATCH status/expiry or PUT the whole spec when scopes
 * differ; nothing differs → no write. Right after its own create (same create id, same spec) it
 * does not even run: the create's marker lets the step's shell command skip it.
 */
export async function update(ctx: StepContext): Promise<void> {
  validate(ctx, false);
  const live = await ctx.api.getToken(ctx.registryId, ctx.tokenId);
  if (!live) throw gone(ctx, 'no longer exists');
  if (live.properties.name !== ctx.desired.name) {
    throw new StepError(`${ctx.path}: ${label(ctx)}: the live token at this id is named "${live.properties.name}"; names cannot change in place`);
  }
  if (ctx.desired.expiryDate && !sameExpiry(live.properties.expiryDate, ctx.desired.expiryDate)) {
    reject(ctx, checkExpiryLead(ctx.desired.expiryDate, ctx.now()));
  }
  const plan = planUpdate(live, ctx.desired);
  if (plan.kind === 'none') {
    ctx.log(`${label(ctx)} is as declared; nothing to change`);
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
      throw gone(ctx, 'disappeared during the update');
    }
  }
  ctx.log(`updated ${label(ctx)}: ${plan.changes.join('; ')} (${plan.kind.toUpperCase()}, password kept)`);
}

/** DELETE: delete the token; a 404 means it is already gone. `why` is said in the log line. */
export async function remove(ctx: StepContext, why?: string): Promise<void> {
  const bad = [...checkUuid(ctx.registryId, 'registryId'), ...checkUuid(ctx.tokenId, 'tokenId')];
  if (bad.length > 0) {
    // An id that is no uuid was refused before any create, so there is no token to delete; failing
    // here would block the destroy (and every replacement) for good.
    ctx.journal.remove(ctx.tokenId);
    ctx.log(`${label(ctx)} was never created (${describeViolation(bad[0])}); nothing to delete`);
    return;
  }
  const existed = await ctx.api.deleteToken(ctx.registryId, ctx.tokenId);
  ctx.journal.remove(ctx.tokenId);
  ctx.journal.removeStaleResults(ctx.tokenId);
  const because = why ? `: ${why}` : '';
  ctx.log(existed ? `deleted ${label(ctx)}${because}` : `${label(ctx)} was already gone${because}`);
}

