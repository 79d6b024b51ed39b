/**
 * The handler's entry point: `node handler.js <create|capture|update|delete>`, configured only by
 * environment variables (see consts.ts), credentials only from IONOS_TOKEN or IONOS_USERNAME and
 * IONOS_PASSWORD. Bundled by esbuild into one file that runs without node_modules.
 * `node handler.js worker <dir> <engine pid>` runs the step worker instead (see worker.ts).
 *
 * Every failure ends as one line on stderr (no stack trace) and exit code 1; nothing secret is printed.
 */
import { ApiError } from '../client/api-error';
import type { RegistryApiClient } from '../client/client';
import { clientConfigFromEnv } from '../client/config';
import type { ApiScope } from '../api-types';
import type { DesiredToken } from '../token-spec';
import { ENV, isOperation, Operation, SPECS_ENV, TAKE_OVER_ENV } from './consts';
import { Journal } from './journal';
import { capture, create, remove, StepContext, StepError, tokenLabel, update } from './lifecycle';
import { numberedVars, parseSpecsToken, pool, recordBefore, splitBefore, takeBefore, tokenEnv, triage, workDir } from './specs';

const PREFIX = 'registry-token:';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new StepError(`the handler was started without ${name}; it is meant to be run by the RegistryToken construct's provisioners`);
  return v;
}

/** Parses the declared spec; anything but the documented shape is a clear error. */
function parseSpec(raw: string | undefined, fallbackName: string): DesiredToken {
  if (!raw) return { name: fallbackName, scopes: [], status: 'enabled', expiryDate: null };
  let v: { name?: unknown; scopes?: unknown; status?: unknown; expiryDate?: unknown };
  try {
    v = JSON.parse(raw);
  } catch {
    throw new StepError(`${ENV.SPEC} is not JSON`);
  }
  return {
    name: typeof v.name === 'string' ? v.name : fallbackName,
    scopes: (Array.isArray(v.scopes) ? v.scopes : []) as ApiScope[],
    status: typeof v.status === 'string' && v.status !== '' ? v.status : 'enabled',
    expiryDate: typeof v.expiryDate === 'string' && v.expiryDate !== '' ? v.expiryDate : null,
  };
}

function nextStep(status: number): string {
  if (status === 401 || status === 403) return 'check IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD, and that the user may manage this registry';
  if (status === 404) return 'check the registryId (the registry was not found)';
  if (status === 409) return 'the name is taken by another token in this registry: choose another name, or delete that token';
  if (status === 400 || status === 422) return 'fix the token props named above';
  if (status === 0 || status === 429 || status >= 500) return 'the API is unavailable or busy: run the deploy again (every step is safe to repeat)';
  return 'run the deploy again; if it persists, report it with this line';
}

/** Where a step's lines go: the process's stdout and stderr, or the worker's per-request files. */
export interface StepOutput {
  out(line: string): void;
  err(line: string): void;
}

const processOutput: StepOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function buildContext(env: NodeJS.ProcessEnv, output: StepOutput = processOutput): StepContext {
  const name = required(env, ENV.NAME);
  const desired = parseSpec(env[ENV.SPEC], name);
  let client: RegistryApiClient | undefined;
  return {
    // Built on first use: the capture step (when it runs in Node at all) and a delete of a
    // never-created token make no call, and loading axios is a third of the start-up time.
    get api(): RegistryApiClient {
      if (!client) {
        const config = clientConfigFromEnv(env, { apiUrl: env[ENV.API_URL] || undefined });
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const { RegistryApiClient: Client } = require('../client/client') as typeof import('../client/client');
        client = new Client(config);
      }
      return client;
    },
    journal: new Journal(workDir(env)),
    registryId: required(env, ENV.REGISTRY_ID),
    tokenId: required(env, ENV.TOKEN_ID),
    desired,
    path: env[ENV.PATH] || name,
    createId: env[ENV.CREATE_ID] || undefined,
    takeOver: env[TAKE_OVER_ENV] || undefined,
    replaceHint: env[ENV.REPLACE_HINT] || undefined,
    adopt: env[ENV.ADOPT] === 'true',
    specDigest: env[ENV.SPEC_DIGEST] || undefined,
    now: () => new Date(),
    log: (line) => output.out(`${PREFIX} ${line}`),
  };
}

type TokenOperation = Operation.CREATE | Operation.CAPTURE | Operation.UPDATE | Operation.DELETE;

const STEPS: Record<TokenOperation, (ctx: StepContext) => Promise<void>> = {
  [Operation.CREATE]: create,
  [Operation.CAPTURE]: capture,
  [Operation.UPDATE]: update,
  [Operation.DELETE]: remove,
};

/** Updates at most this many tokens at a time in the `specs` step (the engine's own default parallelism). */
const SPECS_PARALLELISM = 10;

/**
 * The stack's `specs` step (see specs.ts): every token it lists, in parallel; one line per token
 * that failed (named, with what to do), exit 1 if any did.
 */
async function runSpecs(env: NodeJS.ProcessEnv, output: StepOutput): Promise<number> {
  const log = (line: string) => output.out(`${PREFIX} ${line}`);
  let tokens: ReturnType<typeof parseSpecsToken>[];
  try {
    tokens = numberedVars(env, SPECS_ENV.TOKEN).map(parseSpecsToken);
  } catch (err) {
    output.err(describeFailure(Operation.SPECS, env, err));
    return 1;
  }
  const before = takeBefore(env);
  const dir = workDir(env);
  const counts = { created: 0, unchanged: 0, checked: 0 };
  let failed = 0;
  await pool(tokens, SPECS_PARALLELISM, async ({ token, entry }) => {
    const tenv = tokenEnv(env, token);
    let what: ReturnType<typeof triage>;
    try {
      what = triage(dir, token, entry, before);
    } catch (err) {
      failed++;
      output.err(describeFailure('capture', tenv, err));
      return;
    }
    try {
      if (what === 'update') {
        await update(buildContext(tenv, output));
        counts.checked++;
      } else {
        counts[what]++;
      }
    } catch (err) {
      failed++;
      output.err(describeFailure(Operation.UPDATE, tenv, err));
    }
  });
  log(
    `specs: ${tokens.length} token(s): ${counts.created} just created, ${counts.unchanged} unchanged, ${counts.checked} checked against the API` +
      `${before || counts.checked === 0 ? '' : ' (no record of the entries before this change, so every token not just created was checked)'}` +
      `${failed ? `, ${failed} failed` : ''}`,
  );
  return failed ? 1 : 0;
}

/**
 * The `specs` resource's destroy step (see specs.ts): keeps the entries still declared for the specs
 * step of this run, and deletes every token that left the code (one DELETE each, 404 = already gone),
 * unless it is retained. A failed delete fails the step, which keeps the old resource (and so the
 * record of the token) in the state: the next deploy tries again.
 */
async function runSpecsBefore(env: NodeJS.ProcessEnv, output: StepOutput): Promise<number> {
  const log = (line: string) => output.out(`${PREFIX} ${line}`);
  const { kept, removed } = splitBefore(env);
  let failed = 0;
  await pool(removed, SPECS_PARALLELISM, async (t) => {
    const who = t.tokenId && t.registryId ? tokenLabel(t.name, t.tokenId, t.registryId) : `token "${t.name}"`;
    if (t.retain) {
      log(`${t.path}: ${who} left the code and is retained (removalPolicy RETAIN): kept live, no longer managed by this stack`);
      return;
    }
    if (!t.tokenId || !t.registryId) {
      log(
        `${t.path}: ${who} left the code, but this stack recorded it before 0.4, without its id: it stays live. ` +
          'Delete it in the console or with the API (DELETE /registries/{registryId}/tokens/{tokenId})',
      );
      return;
    }
    const tenv: NodeJS.ProcessEnv = {
      ...env,
      [ENV.REGISTRY_ID]: t.registryId,
      [ENV.TOKEN_ID]: t.tokenId,
      [ENV.NAME]: t.name,
      [ENV.PATH]: t.path,
      [ENV.API_URL]: t.apiUrl,
    };
    try {
      await remove(buildContext(tenv, output), 'left the code');
    } catch (err) {
      failed++;
      output.err(describeFailure(Operation.DELETE, tenv, err));
    }
  });
  const n = recordBefore(env, kept, log);
  log(`specs-before: kept the entries of ${n} token(s) for the specs step of this run${removed.length ? `; ${removed.length} left the code` : ''}`);
  return failed ? 1 : 0;
}

/** Turns any failure into one line that names the token, the operation and what to do next. */
export function describeFailure(op: string, env: NodeJS.ProcessEnv, err: unknown): string {
  const who = `${env[ENV.PATH] || env[ENV.NAME] || 'token'} (token "${env[ENV.NAME] ?? '?'}", id ${env[ENV.TOKEN_ID] ?? '?'})`;
  if (err instanceof StepError) return `${PREFIX} ${op} failed: ${err.message}`;
  if (err instanceof ApiError) return `${PREFIX} ${op} of ${who} failed: ${err.message}; ${nextStep(err.status)}`;
  const message = err instanceof Error ? err.message : String(err);
  return `${PREFIX} ${op} of ${who} failed: ${message}`;
}

/**
 * The environment with the step's settings from IONOS_RT_STEP (a JSON object of IONOS_RT_* and
 * IONOS_REGISTRY_TOKEN_* values; see ENV.STEP) laid over it.
 */
export function withStepSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const raw = env[ENV.STEP];
  if (!raw) return env;
  let settings: unknown;
  try {
    settings = JSON.parse(raw);
  } catch {
    throw new StepError(`${ENV.STEP} is not JSON; it is meant to be set by the RegistryToken construct's provisioners`);
  }
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) throw new StepError(`${ENV.STEP} is not a JSON object`);
  const out: NodeJS.ProcessEnv = { ...env };
  delete out[ENV.STEP];
  for (const [k, v] of Object.entries(settings)) if ((k.startsWith('IONOS_RT_') || k.startsWith('IONOS_REGISTRY_TOKEN_')) && typeof v === 'string') out[k] = v;
  return out;
}

/** Runs one step; returns its exit code (0, or 1 after one line on `output.err`). */
export async function runStep(op: Operation, given: NodeJS.ProcessEnv, output: StepOutput = processOutput): Promise<number> {
  let env: NodeJS.ProcessEnv;
  try {
    env = withStepSettings(given);
  } catch (err) {
    output.err(describeFailure(op, given, err));
    return 1;
  }
  if (op === Operation.DELETE && !env[ENV.TOKEN_ID]) {
    // A `password` resource written before 0.2 holds no identity (the `identity` resource did); when
    // the upgrade replaces it (a token with rotationTrigger or adoptTokenId), there is nothing to name.
    output.out(`${PREFIX} delete: this resource records no token (state from before 0.2); nothing to delete here`);
    return 0;
  }
  if (op === Operation.SPECS) return runSpecs(env, output);
  try {
    if (op === Operation.SPECS_BEFORE) return await runSpecsBefore(env, output);
    await STEPS[op](buildContext(env, output));
    return 0;
  } catch (err) {
    output.err(describeFailure(op, env, err));
    if (env.IONOS_REGISTRY_TOKEN_DEBUG && err instanceof Error && !(err instanceof ApiError)) output.err(err.stack ?? '');
    return 1;
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv[0] === 'worker') {
    // Loaded only here: a plain step never pays for it.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { runWorker } = require('./worker') as typeof import('./worker');
    return runWorker(argv[1], Number(argv[2]), env, runStep);
  }
  const op = argv[0] ?? '';
  if (!isOperation(op)) {
    process.stderr.write(`${PREFIX} usage: handler.js <${Object.values(Operation).join('|')}> (got "${op}")\n`);
    return 2;
  }
  return runStep(op, env);
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
