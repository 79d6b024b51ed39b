/**
 * The two steps of the stack's one specs resource (lib/stack-specs.ts):
 *
 * - `specs-before` (its destroy step, when a change replaces it): deletes the tokens that left the
 *   code (unless retained) and writes the entries still declared to `<work dir>/specs-before.<engine>.json`,
 *   for the create step of the same engine run;
 * - `specs` (its create step): for each token it lists, in parallel,
 *   - created in this run with this very spec (the create's marker is there): remove the result file
 *     the `password` resource has read (its absence is the error: the password did not reach the
 *     state), and nothing else;
 *   - else remove a result file that is left, and, unless its entry is the same as before, update
 *     the live token by diff (GET, then PATCH, PUT or nothing: `update` in lifecycle.ts).
 *   Without the entries from before (the resource was tainted by a failed step, or a crash came
 *   between the two steps), every token not just created is checked: correct, one GET each.
 *
 * The declared spec is the token's entry, in the plain words the plan showed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRecord } from '../is-record';
import { recordedEntry } from '../legacy-layouts';
import { REMOVED_FROM_CODE, retainedWords, unrecordedWords } from '../change-words';
import { entrySpecText, readableOf, removedToken, type RemovedToken } from '../specs-entry';
import { desiredFrom, specDigest, type DesiredToken } from '../token-spec';
import { writeFileAtomic } from '../write-file-atomic';
import { capturedNoteName, DEBUG_ENV, freshMarkerName, resultFileName, specsBeforeName } from './consts';
import { stepContext } from './context';
import { describeFailure, NeedsRecreate, passwordNeverCaptured, PREFIX, resultFileGone, tokenLabel, who } from './errors';
import { recreateCommand, runnerOf, type Runner } from './runner';
import { remove, update, type StepRuntime } from './lifecycle';
import { alive, engineKey, localStatePath, namesIn, StateProof, textOf } from './processes';
import type { SpecsBeforeStep, SpecsEntry, SpecsStep, SpecsToken } from './step';

/** Updates at most this many tokens at a time (the engine's own default parallelism). */
const SPECS_PARALLELISM = 10;

/** The declared token of an entry. */
export function desiredOf(entry: SpecsEntry): DesiredToken {
  return desiredFrom(entry.name, readableOf(entry));
}

/** `specs`: every token it lists, in parallel; one line per token that failed (named, with what to do), exit 1 if any did. */
export async function runSpecs(step: SpecsStep, rt: StepRuntime): Promise<number> {
  const before = takeBefore(rt.workDir, rt.enginePid);
  const run: CaptureRun = { engine: engineKey(rt.enginePid), proof: new StateProof(localStatePath(rt.env)) };
  const counts = { created: 0, unchanged: 0, checked: 0 };
  let failed = 0;
  // Tokens only a re-create brings back: named at the end, with one command for all of them.
  const recreate: Array<{ step: string; create: string; password?: string; err: NeedsRecreate }> = [];
  const fail = (op: string, t: SpecsToken, err: unknown) => {
    failed++;
    if (err instanceof NeedsRecreate) recreate.push({ step: op, create: t.create, ...(t.password ? { password: t.password } : {}), err });
    else rt.output.err(describeFailure(op, who(t.path, t.entry.name, t.entry.token_id), err));
  };
  await pool(step.tokens, SPECS_PARALLELISM, async (t) => {
    let what: ReturnType<typeof triage>;
    try {
      what = triage(rt.workDir, t, before, run);
    } catch (err) {
      fail('capture', t, err);
      return;
    }
    if (what !== 'update') {
      counts[what]++;
      return;
    }
    const e = t.entry;
    const target = {
      path: t.path,
      registryId: e.registry_id,
      tokenId: e.token_id,
      apiUrl: e.api_url ?? '',
      desired: desiredOf(e),
      createId: t.createId,
      maxAttempts: t.maxAttempts,
      totalTimeoutSeconds: t.totalTimeoutSeconds,
    };
    try {
      await update(stepContext(rt, target));
      counts.checked++;
    } catch (err) {
      fail('update', t, err);
    }
  });
  if (recreate.length > 0) reportRecreate(step.stack, recreate, runnerOf(rt.enginePid, rt.env), (line) => rt.output.err(line));
  // Counts are for whoever debugs the handler; a user reads one line per token that changed.
  if (rt.env[DEBUG_ENV]) rt.output.out(
    `${PREFIX} specs: ${step.tokens.length} token(s): ${counts.created} just created, ${counts.unchanged} unchanged, ${counts.checked} checked against the API` +
      `${before || counts.checked === 0 ? '' : ' (no record of the entries before this change, so every token not just created was checked)'}` +
      `${failed ? `, ${failed} failed` : ''}`,
  );
  return failed ? 1 : 0;
}

/**
 * `specs-before`: keeps the entries still declared for the specs step of this run, and deletes every
 * token that left the code (one DELETE each, 404 = already gone), unless it is retained. A failed
 * delete fails the step, which keeps the old resource (and so the record of the token) in the state:
 * the next deploy tries again.
 */
export async function runSpecsBefore(step: SpecsBeforeStep, rt: StepRuntime): Promise<number> {
  const log = (line: string) => rt.output.out(`${PREFIX} ${line}`);
  const debug = (line: string) => (rt.env[DEBUG_ENV] ? log(line) : undefined);
  const { kept, removed } = splitBefore(step);
  let failed = 0;
  await pool(removed, SPECS_PARALLELISM, async (t) => {
    if (t.retain) {
      log(retainedWords(t.name));
      return;
    }
    if (!recordedEntry(t)) {
      log(unrecordedWords(t.name, t.registryId, t.tokenId));
      return;
    }
    const target = { path: t.path, registryId: t.registryId, tokenId: t.tokenId, apiUrl: t.apiUrl, desired: desiredFrom(t.name, {}) };
    try {
      await remove(stepContext(rt, target), REMOVED_FROM_CODE);
    } catch (err) {
      failed++;
      rt.output.err(describeFailure('delete', who(t.path, t.name, t.tokenId), err));
    }
  });
  const n = await recordBefore(rt.workDir, rt.enginePid, kept, debug);
  debug(`specs-before: kept the entries of ${n} token(s) for the specs step of this run${removed.length ? `; ${removed.length} left the code` : ''}`);
  return failed ? 1 : 0;
}

/** Removes `specs-before` files of engine runs that are gone (a destroy, a crash). */
function removeStaleBefore(dir: string, keep: string): void {
  for (const name of namesIn(dir)) {
    const m = /^specs-before\.(\d+)(-\d+)?\.json$/.exec(name);
    if (!m || name === keep) continue;
    if (!alive(Number(m[1])) || engineKey(Number(m[1])) !== `${m[1]}${m[2] ?? ''}`) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * The entries the destroyed `specs` resource held, split by the paths declared now: those still
 * declared are kept for the specs step of this engine run (see {@link takeBefore}); the others left
 * the code.
 */
export function splitBefore(step: Pick<SpecsBeforeStep, 'before' | 'declared'>): { kept: Record<string, unknown>; removed: RemovedToken[] } {
  const declared = new Set(step.declared);
  const kept: Record<string, unknown> = {};
  const removed: RemovedToken[] = [];
  for (const [path, entry] of Object.entries(step.before)) {
    if (declared.has(path)) {
      kept[path] = entry;
      continue;
    }
    removed.push(removedToken(path, entry));
  }
  return { kept, removed };
}

/** Keeps the entries still declared for the specs step of this run; returns how many. */
export async function recordBefore(workDir: string, enginePid: number | undefined, kept: Record<string, unknown>, log: (line: string) => void): Promise<number> {
  const key = engineKey(enginePid);
  if (!key) {
    log('specs-before: no engine pid; the next specs step checks every token');
    return 0;
  }
  fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(workDir, specsBeforeName(key)), `${JSON.stringify(kept)}\n`, { mode: 0o600 });
  return Object.keys(kept).length;
}

/** The entries the `specs-before` step of this engine run kept (and removes the file), or undefined. */
export function takeBefore(workDir: string, enginePid: number | undefined): Record<string, unknown> | undefined {
  const key = engineKey(enginePid);
  const name = key ? specsBeforeName(key) : '';
  removeStaleBefore(workDir, name);
  if (!key) return undefined;
  const file = path.join(workDir, name);
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    fs.rmSync(file, { force: true });
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** This engine run, for {@link triage}: its key, and what the state file it wrote so far proves. */
export interface CaptureRun {
  readonly engine?: string;
  readonly proof?: StateProof;
}

/**
 * What the step does for one token before any API call: `created` (just created with this spec: the
 * result file is removed and nothing else is due), `unchanged` (same entry as before), or `update`.
 * A result file goes once its password is in the state: captured by an earlier engine run (the state
 * this run read says `captured`), or found in the state file; one captured in this run and not yet
 * written there stays for the worker, which removes it when the engine has exited (captured.ts).
 */
export function triage(workDir: string, t: SpecsToken, before: Record<string, unknown> | undefined, run: CaptureRun = {}): 'created' | 'unchanged' | 'update' {
  const e = t.entry;
  const token = tokenLabel(e.name, e.token_id, e.registry_id);
  if (t.captured === false) throw passwordNeverCaptured(t.path, token, undefined);
  const marker = path.join(workDir, freshMarkerName(e.token_id, t.createId, specDigest(desiredOf(e))));
  const result = path.join(workDir, resultFileName(e.token_id, t.createId));
  const note = path.join(workDir, capturedNoteName(e.token_id, t.createId));
  const dropResult = () => {
    if (run.engine !== undefined && textOf(note) === run.engine && !run.proof?.holdsResult(result)) return;
    fs.rmSync(result, { force: true });
    fs.rmSync(note, { force: true });
  };
  if (fs.existsSync(marker)) {
    // Gone and captured: an earlier run's worker removed it once the state held the password.
    if (!fs.existsSync(result) && t.captured !== true) throw resultFileGone(t.path, token, result, undefined);
    dropResult();
    fs.rmSync(marker, { force: true });
    return 'created';
  }
  dropResult();
  if (before && t.path in before && entrySpecText(before[t.path]) === entrySpecText(e)) return 'unchanged';
  return 'update';
}

/**
 * The tokens of this step that only a re-create brings back, one line each; with one command for all
 * of them (on each line when there is one, else on a last line of its own): one action for the stack.
 */
export function reportRecreate(
  stack: string,
  tokens: ReadonlyArray<{ step: string; create: string; password?: string; err: NeedsRecreate }>,
  runner: Runner,
  say: (line: string) => void,
): void {
  if (tokens.length === 0) return;
  // Each `password` too, though `create`'s replacement replaces it: the engines miss some of those
  // when one plan has several -replace targets (docs/design/recovery-commands.md).
  const command = recreateCommand(stack, tokens.flatMap((t) => (t.password ? [t.create, t.password] : [t.create])), runner);
  const hint = tokens.length === 1 ? command : `(one command for the ${tokens.length} tokens: the last line)`;
  for (const t of tokens) say(`${PREFIX} ${t.step} failed: ${t.err.withHint(hint)}`);
  if (tokens.length > 1) say(`${PREFIX} ${tokens.length} tokens of stack ${stack} need creating again, with new passwords; one deploy does it for all: ${command}`);
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
