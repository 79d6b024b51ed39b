/**
 * Every message the handler fails with, as factories (lib/errors.ts is the construct's). Each says
 * what happened, names the token (`<construct path>: token "<name>" (id ..., registry ...)`) and
 * what to do; the entry point prints it as one line with `registry-token: <step> failed:` before it.
 */
import { ApiError } from '../client/api-error';
import { describeViolation, Violation } from '../validation';

/** A failure the user can fix; printed as its message alone, with no stack trace. */
export class StepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepError';
  }
}

/** How every message names a token: `token "<name>" (id <id>, registry <registry>)`. */
export function tokenLabel(name: string, tokenId: string, registryId: string): string {
  return `token "${name}" (id ${tokenId}, registry ${registryId})`;
}

/** Said where the command is unknown (an update run by `drift --fix`). */
const ANY_CREATE = 'terraform apply -replace=<the create resource>';

/** One line per broken rule, each naming the construct path (values that were unresolved at synth). */
export function brokenRules(path: string, violations: readonly Violation[]): StepError {
  return new StepError(violations.map((v) => `${path}: ${describeViolation(v)}`).join('\n'));
}

/** The step's JSON is not what the construct's provisioners give. */
export function unreadableStep(what: string): StepError {
  return new StepError(`the handler got a step it cannot read (${what}); it is meant to be run by the RegistryToken construct's provisioners`);
}

/** A token at our id that this workspace never started creating; `command` takes over every such token of the stack. */
export function notOurs(path: string, token: string, command: string, recreate = 0): StepError {
  const also = recreate > 0 ? ` (the same deploy creates again the ${recreate} token(s) whose password never reached the state)` : '';
  return new StepError(
    `${path}: ${token} already exists, but this workspace has no record of creating it, so nothing was changed ` +
      '(its Terraform state or working directory was lost, or another workspace deploys the same stack). ' +
      `If it is this stack's, let the stack delete it and create it again with a new password, with every other token it refused this way${also}: ${command}`,
  );
}

export function createRaced(path: string, token: string): StepError {
  return new StepError(
    `${path}: ${token} was created by someone else between this create's read and its write, which replaced it; ` +
      'find out who else deploys this stack to this registry, then run the deploy again',
  );
}

export function createdWithoutPassword(path: string, token: string): StepError {
  return new StepError(`${path}: ${token}: the API created the token but its response carried no password; run the deploy again (it re-creates the token)`);
}

export function adoptNameDiffers(path: string, token: string, liveName: string): StepError {
  return new StepError(
    `${path}: cannot adopt ${token}: the token at this id is named "${liveName}"; ` +
      'set name to the live name (names cannot change in place), or fix adoptTokenId',
  );
}

export function liveNameDiffers(path: string, token: string, liveName: string): StepError {
  return new StepError(`${path}: ${token}: the live token at this id is named "${liveName}"; names cannot change in place`);
}

/** A token only a re-create (new password) brings back: the message ends with the command that does it. */
export class NeedsRecreate extends StepError {
  constructor(readonly reason: string, hint: string | undefined) {
    super(`${reason} ${hint || ANY_CREATE}`);
    this.name = 'NeedsRecreate';
  }

  /** The message with another command (or a pointer to it) at its end. */
  withHint(hint: string): string {
    return `${this.reason} ${hint}`;
  }
}

/** The live token is gone (`what`: "no longer exists", "disappeared during the update"). */
export function tokenGone(path: string, token: string, what: string, replaceHint: string | undefined): NeedsRecreate {
  return new NeedsRecreate(
    `${path}: ${token} ${what}: it was deleted outside this stack, or it expired (the API deletes ` +
      'expired tokens). To create it again with a new password, run:',
    replaceHint,
  );
}

/** The password of a token just created never reached the state: its result file is gone. */
export function resultFileGone(path: string, token: string, file: string, replaceHint: string | undefined): NeedsRecreate {
  return new NeedsRecreate(
    `${path}: the password of ${token} could not be captured: its result file ${file} is gone ` +
      '(removed by hand, or the working directory was replaced between the create and the capture). ' +
      'Create the token again with:',
    replaceHint,
  );
}

/**
 * A token this stack created whose `password` resource holds "": Terraform records `create` in the
 * state before its step runs, so a deploy killed during that step (or whose working directory was
 * lost before the capture) leaves a create that looks done and no password. `-replace` of its create
 * replaces `password` too, whose destroy step deletes the token (the state records it as this
 * stack's), then the create makes it anew.
 */
export function passwordNeverCaptured(path: string, token: string, replaceHint: string | undefined): NeedsRecreate {
  return new NeedsRecreate(
    `${path}: the password of ${token} never reached the Terraform state ` +
      '(the deploy that created it was interrupted, or its working directory was lost). ' +
      'Create it again, with a new password:',
    replaceHint,
  );
}

export function journalUnreadable(file: string, message: string): Error {
  return new Error(`cannot read the journal ${file}: ${message}`);
}

/** What to do after an API error, by status. */
function nextStep(status: number): string {
  if (status === 401 || status === 403) return 'check IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD, and that the user may manage this registry';
  if (status === 404) return 'check the registryId (the registry was not found)';
  if (status === 409) return 'the name is taken by another token in this registry: choose another name, or delete that token';
  if (status === 400 || status === 422) return 'fix the token props named above';
  if (status === 0 || status === 429 || status >= 500) return 'the API is unavailable or busy: run the deploy again (every step is safe to repeat)';
  return 'run the deploy again; if it persists, report it with this line';
}

export const PREFIX = 'registry-token:';

/**
 * Any failure as one line: `registry-token: <step> failed: <message>` for a StepError (it names the
 * token itself), else `registry-token: <step> of <who> failed: <message>` (and what to do next after
 * an API error). `who` is `<construct path> (token "<name>", id <id>)`.
 */
export function describeFailure(step: string, who: string, err: unknown): string {
  if (err instanceof StepError) return `${PREFIX} ${step} failed: ${err.message}`;
  if (err instanceof ApiError) return `${PREFIX} ${step} of ${who} failed: ${err.message}; ${nextStep(err.status)}`;
  const message = err instanceof Error ? err.message : String(err);
  return `${PREFIX} ${step} of ${who} failed: ${message}`;
}

/** `<construct path> (token "<name>", id <id>)`, the `who` of {@link describeFailure}. */
export function who(path: string, name: string, tokenId: string): string {
  return `${path || name || 'token'} (token "${name || '?'}", id ${tokenId || '?'})`;
}

export function usage(operations: readonly string[], got: string): string {
  return `${PREFIX} usage: handler.js <${operations.join('|')}> with the step's JSON on stdin, or handler.js worker <dir> <engine pid> (got "${got}")`;
}

export function workerCannotRead(): string {
  return `${PREFIX} the worker got a request it cannot read`;
}

export function workerFailed(message: string): string {
  return `${PREFIX} the worker failed on a request: ${message}`;
}

export function workerWithoutFolder(dir: string): string {
  return `${PREFIX} worker: no folder ${dir}`;
}
