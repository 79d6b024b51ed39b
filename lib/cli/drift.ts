/**
 * `registry-token drift`: reads each token of the state, GETs it with the handler's client (same
 * environment, same retries) and compares it with what the stack declares. `--fix` re-applies the
 * declared status, expiry and scopes through the handler's own update step (GET, diff, then PATCH or
 * PUT). A token that is gone is reported and never re-created: that takes a new password, which only
 * a deploy can capture.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { ApiTokenResponse } from '../api-types';
import { ApiError, clientConfigFromEnv, InvalidConfigError, MissingCredentialsError, RegistryApiClient } from '../client';
import { Journal } from '../handler/journal';
import { StepError } from '../handler/errors';
import { update } from '../handler/lifecycle';
import { recreateCommand } from '../handler/runner';
import { shQuote } from '../shell-quote';
import { CliError } from './errors';
import { mdEscape } from './plan-summary';
import { FIELDS } from '../token-fields';
import { desiredFrom, DesiredToken, FieldDifference, planUpdate } from '../token-spec';
import type { StateToken } from './state';

/** One difference between the live token and the declared one: a field planUpdate compares, or the name. */
export type Difference = FieldDifference | { readonly field: 'name'; readonly live: string; readonly declared: string };

/** `unfinished`: only the token's create is recorded, its deploy stopped; `unchecked`: the state holds no spec to compare with. */
export type DriftState = 'ok' | 'drift' | 'gone' | 'renamed' | 'fixed' | 'tainted' | 'unfinished' | 'unchecked' | 'error';

export interface DriftResult {
  readonly path: string;
  /** The stack (the first part of the construct path), when the state records the path. */
  readonly stack?: string;
  readonly name: string;
  readonly tokenId: string;
  readonly registryId: string;
  readonly state: DriftState;
  readonly differences: Difference[];
  /** The call that repairs it (`--fix`), when it can be repaired. */
  readonly fix?: 'PATCH' | 'PUT';
  /** The live token's expiry (the API deletes the token then), when it has one. */
  readonly expiryDate?: string;
  /** Whole days from now to that expiry (0: within a day). */
  readonly daysLeft?: number;
  /** With `--expiring-within <days>`: it expires within that many days. */
  readonly expiring?: boolean;
  /** The human line. */
  readonly line: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `result` with the live token's expiry: the date, whole days left, and whether that is within `withinDays`. */
export function withExpiry(result: DriftResult, live: ApiTokenResponse | undefined | null, now: Date, withinDays?: number): DriftResult {
  const expiry = live?.properties.expiryDate;
  const at = expiry ? Date.parse(expiry) : NaN;
  if (!expiry || Number.isNaN(at)) return result;
  const daysLeft = Math.max(0, Math.floor((at - now.getTime()) / DAY_MS));
  const expiring = withinDays === undefined ? undefined : daysLeft <= withinDays;
  const when = `expires ${expiry} (in ${daysLeft} day${daysLeft === 1 ? '' : 's'})`;
  const line = result.state === 'ok' ? `${expiring ? 'expiring' : 'ok'} ${result.line.replace(/^ok /, '')}: ${when}` : `${result.line}; ${when}`;
  return { ...result, expiryDate: expiry, daysLeft, ...(expiring !== undefined ? { expiring } : {}), line };
}

/** The declared token of a state entry. */
export function declared(token: StateToken): DesiredToken {
  return desiredFrom(token.name, token.spec ?? {});
}

/** The stack a token belongs to: the first part of its construct path (undefined when the state has no path). */
export function stackOf(token: Pick<StateToken, 'path'>): string | undefined {
  const i = token.path.indexOf('/');
  return i > 0 ? token.path.slice(0, i) : undefined;
}

/** How a line names a token: `ci-push (stack prod)`. */
function named(token: Pick<StateToken, 'path' | 'name'>): string {
  const stack = stackOf(token);
  return stack === undefined ? token.name : `${token.name} (stack ${stack})`;
}

/** Where the engine runs for a token, and which engine: what the `-replace` command needs. */
export interface HintContext {
  /** The synthesized stack directory drift read the state in (`--stack cdktf.out/stacks/<stack>`). */
  readonly stackDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The CDK CLI the project deploys with (runner.ts cliOfProject), for its form of the command. */
  readonly cli?: 'cdktf' | 'cdktn';
}

/** The token's synthesized stack directory, as a path from where drift runs; undefined when unknown. */
function stackDirOf(token: StateToken, where: HintContext): string | undefined {
  if (where.stackDir !== undefined) return where.stackDir;
  const stack = stackOf(token);
  if (stack === undefined) return undefined;
  // cdktf's local backend keeps terraform.<stack>.tfstate in the project directory, beside cdktf.out.
  const project = path.basename(token.source) === `terraform.${stack}.tfstate` ? path.dirname(token.source) : '.';
  return `${project === '.' ? '' : `${project}/`}cdktf.out/stacks/${stack}`;
}

/**
 * The command that creates a gone token again (new password), as it works when pasted into sh: the
 * engine in the token's synthesized stack directory, `-replace` of its `create` resource (`cdktf
 * deploy` and `cdktn deploy` have no `-replace`). Every value is one sh word meaning its text.
 */
export function replaceCommandOf(token: StateToken, where: HintContext = {}): string {
  const engine = where.env?.TERRAFORM_BINARY_NAME || 'terraform';
  const stack = stackOf(token);
  const resource = token.identityAddress.replace(/^terraform_data\./, '');
  // The CDK CLI's deploy, from the project directory, when drift read the state cdktf keeps there (or cdktf.out's).
  if (where.cli && stack !== undefined && where.stackDir === undefined && resource !== token.identityAddress) {
    const project = path.basename(token.source) === `terraform.${stack}.tfstate` ? path.dirname(token.source) : '.';
    const command = recreateCommand(stack, [resource], { cli: where.cli, engine });
    if (command.startsWith('TF_CLI_ARGS_apply=')) return project === '.' ? command : `cd ${shQuote(project)} && ${command}`;
  }
  const dir = stackDirOf(token, where);
  return `${shQuote(engine)}${dir === undefined ? '' : ` -chdir=${shQuote(dir)}`} apply -replace=${shQuote(token.identityAddress)}`;
}

/** `run: <command>`, or where to run it when the state does not say which stack the token is in. */
export function replaceHint(token: StateToken, where: HintContext = {}): string {
  const run = stackDirOf(token, where) === undefined ? "run in the token's stack directory under cdktf.out/stacks" : 'run';
  return `${run}: ${replaceCommandOf(token, where)}`;
}

/** What a tainted token is live: as declared, how it differs, gone, or not read. */
function liveNow(token: StateToken, live: ApiTokenResponse | undefined | null, now: Date): string {
  if (live === null) return 'not read: the state records no registry for it';
  if (live === undefined) return 'gone';
  if (!token.spec) return 'exists';
  const c = compare(token, live, now);
  if (c.state === 'ok') return 'as declared';
  if (c.state === 'renamed') return `named "${live.properties.name}"`;
  return c.differences.map((d) => `${d.field} ${d.live}, declared ${d.declared}`).join('; ');
}

/**
 * A token the next deploy makes anew (see {@link StateToken.tainted}): reported with what the live
 * token is now (`live`: undefined when gone, null when not read). Never fixed: only a deploy can
 * capture a new password.
 */
export function taintedResult(token: StateToken, live: ApiTokenResponse | undefined | null, now: Date = new Date()): DriftResult {
  const stack = stackOf(token);
  const base = { path: token.path, ...(stack !== undefined ? { stack } : {}), name: token.name, tokenId: token.tokenId, registryId: token.registryId, differences: [] };
  if (token.tainted === 'interrupted') {
    const why = `only its create resource is in the state: the deploy that created it stopped before its password resource was made (token ${token.tokenId})`;
    const then = 'the next deploy makes that resource, or names the one command that creates the token again';
    return { ...base, state: 'unfinished', line: `unfinished ${named(token)}: ${why}; ${then}; live now: ${liveNow(token, live, now)}` };
  }
  const why =
    token.tainted === 'uncaptured'
      ? `only its create resource is in the state, tainted: its create step failed before the password was captured (token ${token.tokenId})`
      : 'its create resource is tainted in the state (a failed create step, or terraform taint)';
  const then = token.tainted === 'uncaptured' ? 'the next deploy creates it again' : 'the next deploy deletes it and creates it again';
  return { ...base, state: 'tainted', line: `tainted ${named(token)}: ${why}; ${then}, with a new password; live now: ${liveNow(token, live, now)}` };
}

/** Compares a live token (undefined: gone) with the declaration. Pure. */
export function compare(token: StateToken, live: ApiTokenResponse | undefined, now: Date = new Date(), where: HintContext = {}): DriftResult {
  const base = { path: token.path, ...(stackOf(token) !== undefined ? { stack: stackOf(token) } : {}), name: token.name, tokenId: token.tokenId, registryId: token.registryId };
  const want = declared(token);
  const who = named(token);
  if (!live) {
    const expired = want.expiryDate && Date.parse(want.expiryDate) <= now.getTime() ? ` (its expiry ${want.expiryDate} has passed)` : '';
    return {
      ...base,
      state: 'gone',
      differences: [],
      line:
        `gone ${who}: token ${token.tokenId} no longer exists${expired || ' (deleted outside the stack, or expired)'}; ` +
        `not re-created: to create it again with a new password, ${replaceHint(token, where)}`,
    };
  }
  const lp = live.properties;
  if (lp.name !== token.name) {
    return {
      ...base,
      state: 'renamed',
      differences: [{ field: 'name', live: lp.name, declared: token.name }],
      line: `renamed ${who}: the token at ${token.tokenId} is named "${lp.name}"; names cannot change in place (not fixable)`,
    };
  }
  const plan = planUpdate(live, want);
  if (plan.kind === 'none') return { ...base, state: 'ok', differences: [], line: `ok ${who}` };
  const differences = plan.differences;
  const fix = plan.kind === 'put' ? 'PUT' : 'PATCH';
  const words = differences.map((d) => `${d.field} ${FIELDS[d.field].is} ${d.live}, declared ${d.declared}`).join('; ');
  return { ...base, state: 'drift', differences, fix, line: `drift ${who}: ${words} (--fix: ${fix}, password kept)` };
}

export interface DriftOptions {
  readonly fix: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => Date;
  /** For `-replace` hints: where the engine runs. */
  readonly stackDir?: string;
  /** For `-replace` hints: the CDK CLI the project deploys with. */
  readonly cli?: 'cdktf' | 'cdktn';
  /** Marks (and exits 2 for) tokens that expire within this many days. */
  readonly expiringWithinDays?: number;
}

function clientFor(cache: Map<string, RegistryApiClient>, apiUrl: string, env: NodeJS.ProcessEnv): RegistryApiClient {
  const key = apiUrl || '';
  let client = cache.get(key);
  if (!client) {
    try {
      client = new RegistryApiClient(clientConfigFromEnv(env, { apiUrl: apiUrl || undefined }));
    } catch (e) {
      if (e instanceof MissingCredentialsError || e instanceof InvalidConfigError) throw new CliError(e.message);
      throw e;
    }
    cache.set(key, client);
  }
  return client;
}

function errorLine(token: StateToken, what: string, err: unknown): string {
  const msg = err instanceof ApiError || err instanceof StepError || err instanceof Error ? err.message : String(err);
  return `error ${named(token)}: ${what} failed: ${msg.split('\n').join('; ')}`;
}

/** Checks (and with `fix`, repairs) every token; sequential, one GET per token (plus the fix). */
export async function checkDrift(tokens: readonly StateToken[], options: DriftOptions): Promise<DriftResult[]> {
  const now = options.now ?? (() => new Date());
  const clients = new Map<string, RegistryApiClient>();
  const results: DriftResult[] = [];
  const where: HintContext = { stackDir: options.stackDir, env: options.env, cli: options.cli };
  for (const token of tokens) {
    const stack = stackOf(token);
    const base = { path: token.path, ...(stack !== undefined ? { stack } : {}), name: token.name, tokenId: token.tokenId, registryId: token.registryId, differences: [] };
    if (token.tainted) {
      // Read, never fixed: the next deploy makes it anew.
      let live: ApiTokenResponse | undefined | null = null;
      if (token.registryId) {
        try {
          live = await clientFor(clients, token.apiUrl, options.env).getToken(token.registryId, token.tokenId);
        } catch (err) {
          results.push({ ...base, state: 'error', line: errorLine(token, 'GET', err) });
          continue;
        }
      }
      results.push(withExpiry(taintedResult(token, live, now()), live, now(), options.expiringWithinDays));
      continue;
    }
    const api = clientFor(clients, token.apiUrl, options.env);
    let live: ApiTokenResponse | undefined;
    try {
      live = await api.getToken(token.registryId, token.tokenId);
    } catch (err) {
      results.push({ ...base, state: 'error', line: errorLine(token, 'GET', err) });
      continue;
    }
    if (!token.spec) {
      // The stack's specs resource is not in the state (its deploy stopped before it): nothing to compare with.
      const seen = live ? (live.properties.name === token.name ? 'exists' : `named "${live.properties.name}"`) : 'gone';
      const line = `unchecked ${named(token)}: the state holds no declared spec for it (the stack's specs resource is missing: its deploy stopped early); the next deploy checks it against the code; live now: ${seen}`;
      results.push(withExpiry({ ...base, state: 'unchecked', line }, live, now(), options.expiringWithinDays));
      continue;
    }
    const result = withExpiry(compare(token, live, now(), where), live, now(), options.expiringWithinDays);
    if (!options.fix || result.state !== 'drift') {
      results.push(result);
      continue;
    }
    // The handler's update step: GET, diff, PATCH or PUT; the same rules (an expiry set less than an
    // hour ahead is refused) and, for a token gone meanwhile, no re-creation.
    const logs: string[] = [];
    try {
      await update({
        api,
        journal: new Journal(path.join(os.tmpdir(), `registry-token-drift-${process.pid}-no-journal`)),
        registryId: token.registryId,
        tokenId: token.tokenId,
        desired: declared(token),
        path: token.path,
        replaceHint: replaceCommandOf(token, where),
        now,
        log: (l) => logs.push(l),
      });
    } catch (err) {
      results.push({ ...result, state: 'error', line: errorLine(token, `--fix (${result.fix})`, err) });
      continue;
    }
    const changes = result.differences.map((d) => `${d.field} ${d.live} → ${d.declared}`).join('; ');
    results.push({ ...result, state: 'fixed', line: `fixed ${named(token)}: ${changes} (${result.fix}, password kept)` });
  }
  return results;
}

/** 0: as declared (or all fixed); 2: any token not as declared or deployed, or expiring within the window; 1: an error. */
export function driftExitCode(results: readonly DriftResult[]): number {
  if (results.some((r) => r.state === 'error')) return 1;
  if (results.some((r) => r.state !== 'ok' && r.state !== 'fixed')) return 2;
  if (results.some((r) => r.expiring)) return 2;
  return 0;
}

function counts(results: readonly DriftResult[]): string {
  const by = (s: DriftState) => results.filter((r) => r.state === s).length;
  const parts = (['drift', 'fixed', 'gone', 'renamed', 'tainted', 'unfinished', 'unchecked', 'error'] as const)
    .filter((s) => by(s) > 0)
    .map((s) => `${by(s)} ${s === 'drift' ? 'drifted' : s === 'error' ? 'failed' : s}`);
  const stacks = [...new Set(results.flatMap((r) => (r.stack === undefined ? [] : [r.stack])))];
  const of = stacks.length === 0 ? '' : ` of stack${stacks.length === 1 ? '' : 's'} ${stacks.join(', ')}`;
  const expiring = results.filter((r) => r.expiring).length;
  const soon = results.some((r) => r.expiring !== undefined) ? [`${expiring} expiring soon`] : [];
  return `checked ${results.length} token${results.length === 1 ? '' : 's'}${of}: ${[...parts, `${by('ok')} as declared`, ...soon].join(', ')}`;
}

export function renderDrift(results: readonly DriftResult[], format: 'text' | 'markdown' | 'json'): string {
  if (format === 'json') {
    return `${JSON.stringify({ format: 'registry-token-drift/1', exitCode: driftExitCode(results), tokens: results }, null, 2)}\n`;
  }
  if (format === 'text') {
    return `${[...results.filter((r) => r.state !== 'ok' || r.expiryDate).map((r) => r.line), counts(results)].join('\n')}\n`;
  }
  const rows = results.filter((r) => r.state !== 'ok' || r.expiryDate);
  const lines = [`#### Registry token drift: ${mdEscape(counts(results))}`, ''];
  if (rows.length > 0) {
    lines.push('| token | state | details |', '|---|---|---|');
    for (const r of rows) lines.push(`| \`${r.name.replace(/`/g, "'")}\` (${mdEscape(r.path)}) | ${r.expiring ? `${r.state}, expiring` : r.state} | ${mdEscape(r.line)} |`);
    lines.push('');
  }
  return lines.join('\n');
}
