/**
 * Result files (the one place a password is written outside the state) live only until their
 * password is in the state the engine has written, whatever happens next. docs/design/result-files.md
 * says why and what was measured:
 *
 * - `captured`, the `password` resource's create step, leaves a note `<token>.<create>.captured`
 *   (no secret) naming the engine run whose state now holds the password;
 * - a result file goes once its password is found in the local state file (the proof), or, where the
 *   state cannot be read here (a remote backend), once the engine run its note names has exited (an
 *   engine that exits has written its state);
 * - the step worker of that run stays until its engine is gone while notes of the run are pending,
 *   and sweeps then; the specs step removes those the state proves (see specs.ts triage).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../write-file-atomic';
import { CAPTURED_NOTE_SUFFIX, capturedNoteName, RESULT_FILE_SUFFIX } from './consts';
import type { StepRuntime } from './lifecycle';
import { engineKey, namesIn, running, StateProof, textOf } from './processes';
import type { CapturedStep } from './step';

/** `captured`: the note, holding this engine run's key. Prints nothing. */
export async function runCaptured(step: CapturedStep, rt: StepRuntime): Promise<number> {
  fs.mkdirSync(rt.workDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(rt.workDir, capturedNoteName(step.tokenId, step.createId)), `${engineKey(rt.enginePid) ?? ''}\n`, { mode: 0o600 });
  return 0;
}

/** True when the engine run of this key is gone (its pid is no process, or another process's now). */
export function engineGone(key: string): boolean {
  const m = /^(\d+)(-\d+)?$/.exec(key);
  return !m || !running(Number(m[1])) || engineKey(Number(m[1])) !== key;
}

/** True when a note of this engine run has its result file still there: the worker must see the run out. */
export function pendingNotes(workDir: string, engine: string | undefined): boolean {
  if (!engine) return false;
  return namesIn(workDir).some((name) => {
    if (!name.endsWith(CAPTURED_NOTE_SUFFIX)) return false;
    const base = path.join(workDir, name.slice(0, -CAPTURED_NOTE_SUFFIX.length));
    return textOf(path.join(workDir, name)) === engine && fs.existsSync(`${base}${RESULT_FILE_SUFFIX}`);
  });
}

/**
 * Removes every result file whose password is safe without it: found in the local state file; or,
 * when that cannot be read, noted by `exited`, an engine run that is over and wrote its state. A
 * note goes with its result file, and when its file is gone and its run is over. Returns how many
 * result files went and how many stay.
 */
export function sweepResultFiles(workDir: string, proof: StateProof, exited?: string): { removed: number; kept: number } {
  let removed = 0;
  let kept = 0;
  const names = namesIn(workDir);
  for (const name of names) {
    if (!name.endsWith(RESULT_FILE_SUFFIX)) continue;
    const base = path.join(workDir, name.slice(0, -RESULT_FILE_SUFFIX.length));
    const file = `${base}${RESULT_FILE_SUFFIX}`;
    const note = `${base}${CAPTURED_NOTE_SUFFIX}`;
    const safe = proof.readable() ? proof.holdsResult(file) : exited !== undefined && textOf(note) === exited;
    if (!safe) {
      kept++;
      continue;
    }
    fs.rmSync(file, { force: true });
    fs.rmSync(note, { force: true });
    removed++;
  }
  for (const name of names) {
    if (!name.endsWith(CAPTURED_NOTE_SUFFIX)) continue;
    const base = path.join(workDir, name.slice(0, -CAPTURED_NOTE_SUFFIX.length));
    const key = textOf(`${base}${CAPTURED_NOTE_SUFFIX}`) ?? '';
    if (!fs.existsSync(`${base}${RESULT_FILE_SUFFIX}`) && (key === exited || engineGone(key))) fs.rmSync(`${base}${CAPTURED_NOTE_SUFFIX}`, { force: true });
  }
  return { removed, kept };
}
