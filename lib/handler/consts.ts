/**
 * Names both sides of the lifecycle share: the construct builds the provisioners with them, the
 * handler reads what they name. Importing them on both sides lets the compiler check the coupling
 * (as aws-cdk-lib's custom-resources does); the steps' shapes are in step.ts.
 */

/** The handler's operations: each step names one (`op`). */
export enum Operation {
  /** A token's `create` resource: create the token at its own id (idempotent PUT), the password to a result file. */
  CREATE = 'create',
  /** A token's `password` resource, on destroy: delete the token; already gone is fine. */
  DELETE = 'delete',
  /**
   * The stack's specs resource: for each token, remove the result file its `password` has read, and
   * update the live token where its declared spec changed (GET, then PATCH or PUT).
   */
  SPECS = 'specs',
  /** The specs resource, on destroy: delete the tokens that left the code; keep the entries it held for the `specs` step of the same engine run. */
  SPECS_BEFORE = 'specs-before',
  /**
   * A token's `password` resource, once it holds the password: notes so (no secret), so that the
   * worker removes the result file once the engine has written its state and exited.
   */
  CAPTURED = 'captured',
}

/** True when `op` names one of the handler's operations. */
export const isOperation = (op: string): op is Operation => (Object.values(Operation) as string[]).includes(op);

/** Set to a token id to let this workspace delete and re-create a token it has no record of. */
export const TAKE_OVER_ENV = 'IONOS_REGISTRY_TOKEN_TAKE_OVER';

/** Set (to anything) to get the handler's own stack traces and the worker's log. */
export const DEBUG_ENV = 'IONOS_REGISTRY_TOKEN_DEBUG';

/** The per-workspace folder, relative to the Terraform working directory (run.sh names it too). */
export const DEFAULT_WORK_DIR = '.registry-token';

/** The result file of one create: `<work dir>/<token id>.<create id>.result.json`. */
export function resultFileName(tokenId: string, createId: string): string {
  return `${tokenId}.${createId}${RESULT_FILE_SUFFIX}`;
}

export const RESULT_FILE_SUFFIX = '.result.json';

/**
 * The marker a create leaves for the specs step that follows it in the same apply:
 * `<token id>.<create id>.<spec digest>.fresh`. A token just created with this very spec has nothing
 * to update.
 */
export function freshMarkerName(tokenId: string, createId: string, digest: string): string {
  return `${tokenId}.${createId}.${digest}${FRESH_MARKER_SUFFIX}`;
}

export const FRESH_MARKER_SUFFIX = '.fresh';

/**
 * The note a `captured` step leaves: `<token id>.<create id>.captured`, holding the key of the engine
 * run whose state holds that password (see docs/design/result-files.md). No secret.
 */
export function capturedNoteName(tokenId: string, createId: string): string {
  return `${tokenId}.${createId}${CAPTURED_NOTE_SUFFIX}`;
}

export const CAPTURED_NOTE_SUFFIX = '.captured';

/**
 * This user's folder for the step workers' pipes and requests, never in a working tree (a tool that
 * reads the tree file by file would block on a pipe): `<XDG_RUNTIME_DIR, else TMPDIR, else
 * /tmp>/ionos-registry-token-<uid>`, mode 0700 (run.sh makes and checks it).
 */
export const RUN_DIR_PREFIX = 'ionos-registry-token-';

/** Set by run.sh for a step it runs itself: the worker folder of this engine run (see `captured`). */
export const WORKER_DIR_ENV = 'RT_WORKER_DIR';

/** The stack's one specs resource: its construct id, which cdktf also gives it as its Terraform name. */
export const STACK_SPECS_NAME = 'registry-token-specs';

/** What the `specs` resource held, handed from its destroy step to the create step of the same engine run. */
export function specsBeforeName(engineKey: string): string {
  return `specs-before.${engineKey}.json`;
}

/** The namespace of the token ids this library derives (lib/token-id.ts). */
export const TOKEN_ID_NAMESPACE = '9f1c2a53-7c1e-5d7a-9b8e-3a4d6c2f1e0b';
