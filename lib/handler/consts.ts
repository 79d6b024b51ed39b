/**
 * Names both sides of the lifecycle share: the construct writes them into the provisioners'
 * environment, the handler reads them. Importing them on both sides lets the compiler check the
 * coupling (as aws-cdk-lib's custom-resources does).
 */

/** The handler's operations, given as its first argument. */
export enum Operation {
  /** Create the token at its client-chosen id (idempotent PUT) and write the password result file. */
  CREATE = 'create',
  /** Hand the result file over: check that it was captured, then remove it (run by the `spec` step when the file is gone). */
  CAPTURE = 'capture',
  /** Read the live token and write only what differs from the declared spec. */
  UPDATE = 'update',
  /** Delete the token; already gone is fine. */
  DELETE = 'delete',
  /**
   * The stack's `specs` step: for each token it lists, remove the result file its `password` has
   * read, and update the live token where its declared spec changed (GET, then PATCH or PUT).
   */
  SPECS = 'specs',
  /** The `specs` resource's destroy step: keep the entries it held for the `specs` step that follows in the same engine run. */
  SPECS_BEFORE = 'specs-before',
}

/** True when `op` names one of the handler's operations. */
export const isOperation = (op: string): op is Operation => (Object.values(Operation) as string[]).includes(op);

/** Environment variables the construct sets for the handler. None of them holds a secret. */
export const ENV = {
  REGISTRY_ID: 'IONOS_RT_REGISTRY_ID',
  TOKEN_ID: 'IONOS_RT_TOKEN_ID',
  NAME: 'IONOS_RT_NAME',
  /** JSON of the declared spec: `{ name, scopes, status, expiryDate }`. */
  SPEC: 'IONOS_RT_SPEC',
  /** The construct path, for messages. */
  PATH: 'IONOS_RT_PATH',
  /** The id of the `create` resource, which names the result file and ties `update` to a create. */
  CREATE_ID: 'IONOS_RT_CREATE_ID',
  /** The per-workspace folder for the journal and the result files. */
  WORK_DIR: 'IONOS_RT_WORK_DIR',
  /** The prop `apiUrl`; empty means IONOS_API_URL, else production. */
  API_URL: 'IONOS_RT_API_URL',
  /** The command that re-creates a token whose live copy is gone, for the error message. */
  REPLACE_HINT: 'IONOS_RT_REPLACE_HINT',
  /**
   * A digest of the SPEC value, computed by Terraform: the create leaves a marker file named with it,
   * so that the `spec` step right after the create is skipped by the shell, without starting Node.
   */
  SPEC_DIGEST: 'IONOS_RT_SPEC_DIGEST',
  /** "true" when the prop `adoptTokenId` is set: the create adopts the token found at the id. */
  ADOPT: 'IONOS_RT_ADOPT',
  /**
   * A step's settings as one JSON object of these variables (`{"IONOS_RT_NAME": "...", ...}`): how the
   * `create` step gets them, in its command rather than an `environment` block (cheaper for the engine).
   */
  STEP: 'IONOS_RT_STEP',
  /** The engine's pid (the provisioner shell's parent), which ties the two `specs` steps of one engine run. */
  ENGINE_PID: 'IONOS_RT_ENGINE_PID',
} as const;

/**
 * The `specs` steps' variables: `IONOS_RT_T<n>` (numbered from 0) is the JSON of one token for the
 * create step; the destroy step gets `IONOS_RT_BEFORE`, every entry the destroyed resource held by
 * construct path, and `IONOS_RT_DECLARED`, the JSON list of the construct paths declared now.
 */
export const SPECS_ENV = { TOKEN: 'IONOS_RT_T', BEFORE: 'IONOS_RT_BEFORE', DECLARED: 'IONOS_RT_DECLARED' } as const;

/** True for a variable name the `specs` steps take. */
export const isSpecsVar = (name: string): boolean => /^IONOS_RT_T\d+$/.test(name) || name === SPECS_ENV.BEFORE || name === SPECS_ENV.DECLARED;

/** Set to a token id to let this workspace delete and re-create a token it has no record of. */
export const TAKE_OVER_ENV = 'IONOS_REGISTRY_TOKEN_TAKE_OVER';

/** The per-workspace folder, relative to the Terraform working directory. */
export const DEFAULT_WORK_DIR = '.registry-token';

/** The result file of one create: `<work dir>/<token id>.<create id>.result.json`. */
export function resultFileName(tokenId: string, createId: string): string {
  return `${tokenId}.${createId}${RESULT_FILE_SUFFIX}`;
}

export const RESULT_FILE_SUFFIX = '.result.json';

/**
 * The marker a create leaves for the `spec` step that follows it in the same apply:
 * `<token id>.<create id>.<spec digest>.fresh`. The step's shell command removes it instead of
 * running the handler, because a token just created with this very spec has nothing to update.
 */
export function freshMarkerName(tokenId: string, createId: string, digest: string): string {
  return `${tokenId}.${createId}.${digest}${FRESH_MARKER_SUFFIX}`;
}

export const FRESH_MARKER_SUFFIX = '.fresh';

/** The stack's one specs resource: its construct id, which cdktf also gives it as its Terraform name. */
export const STACK_SPECS_NAME = 'registry-token-specs';

/** What the `specs` resource held, handed from its destroy step to the create step of the same engine run. */
export function specsBeforeName(engineKey: string): string {
  return `specs-before.${engineKey}.json`;
}

/** The namespace of the token ids this library derives (uuidv5 of stack, path, registry and name). */
export const TOKEN_ID_NAMESPACE = '9f1c2a53-7c1e-5d7a-9b8e-3a4d6c2f1e0b';
