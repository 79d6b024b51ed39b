/**
 * The handler's entry point: `node handler.js <op>` runs one step, whose JSON (step.ts) comes on
 * stdin; the operation on the command line is the step's own (run.sh copies it there, so that `ps`
 * shows what runs). `node handler.js worker <dir> <engine pid>` runs the step worker (worker.ts).
 * Credentials come only from the environment (or the IONOS config file), never from a step. Bundled
 * by esbuild into one file that runs without node_modules.
 *
 * Every failure ends as one line on stderr (no stack trace) and exit code 1; nothing secret is printed.
 */
import * as fs from 'node:fs';
import { ApiError } from '../client/api-error';
import { isRecord } from '../is-record';
import { recordedIdentity, UNRECORDED_DELETE } from '../legacy-layouts';
import { desiredFrom } from '../token-spec';
import { runCaptured } from './captured';
import { DEBUG_ENV, DEFAULT_WORK_DIR, isOperation, Operation, WORKER_DIR_ENV } from './consts';
import { stepContext } from './context';
import { describeFailure, PREFIX, unreadableStep, usage, who } from './errors';
import { create, remove, type StepContext, type StepOutput, type StepRuntime } from './lifecycle';
import { engineGoneSignal } from './processes';
import { runSpecs, runSpecsBefore } from './specs';
import { parseStep, type CreateStep, type DeleteStep, type TokenStep } from './step';

export type { StepOutput, StepRuntime } from './lifecycle';

const processOutput: StepOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs one token's step; any failure is one line naming the token. */
async function runTokenStep(rt: StepRuntime, op: string, ctx: StepContext, run: (ctx: StepContext) => Promise<void>): Promise<number> {
  try {
    await run(ctx);
    return 0;
  } catch (err) {
    rt.output.err(describeFailure(op, who(ctx.path, ctx.desired.name, ctx.tokenId), err));
    if (rt.env[DEBUG_ENV] && err instanceof Error && !(err instanceof ApiError)) rt.output.err(err.stack ?? '');
    return 1;
  }
}

function runCreate(step: CreateStep, rt: StepRuntime): Promise<number> {
  const ctx = stepContext(rt, { ...step, desired: step.spec });
  return runTokenStep(rt, step.op, ctx, (c) => create({ ...c, createId: step.createId }));
}

async function runDelete(step: DeleteStep, rt: StepRuntime): Promise<number> {
  const i = recordedIdentity(step.identity);
  if (!i) {
    if (rt.env[DEBUG_ENV]) rt.output.out(`${PREFIX} ${UNRECORDED_DELETE}`);
    return 0;
  }
  const target = {
    path: i.path || i.name,
    registryId: i.registry_id,
    tokenId: i.token_id,
    apiUrl: i.api_url,
    desired: desiredFrom(i.name, {}),
    maxAttempts: step.maxAttempts,
    totalTimeoutSeconds: step.totalTimeoutSeconds,
  };
  return runTokenStep(rt, step.op, stepContext(rt, target), (c) => remove(c));
}

/** Runs one step from its JSON text; returns its exit code (0, or 1 after one line on `rt.output.err`). */
export async function runStep(text: string, rt: StepRuntime): Promise<number> {
  let step: TokenStep;
  try {
    step = parseStep(text);
  } catch (err) {
    rt.output.err(describeFailure(operationOf(text), 'the step', err));
    return 1;
  }
  switch (step.op) {
    case Operation.CREATE:
      return runCreate(step, rt);
    case Operation.DELETE:
      return runDelete(step, rt);
    case Operation.SPECS:
      return runSpecs(step, rt);
    case Operation.SPECS_BEFORE:
      return runSpecsBefore(step, rt);
    case Operation.CAPTURED:
      return runCaptured(step, rt);
  }
}

/** The operation a step names, for the line of a step that cannot be read: "step" when it names none. */
function operationOf(text: string): string {
  try {
    const doc: unknown = JSON.parse(text);
    return isRecord(doc) && typeof doc.op === 'string' && isOperation(doc.op) ? doc.op : 'step';
  } catch {
    return 'step';
  }
}

function readStdin(): string {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
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
    process.stderr.write(`${usage(Object.values(Operation), op)}\n`);
    return 2;
  }
  // run.sh replaces the provisioner's shell with this process (exec), so its parent is the engine.
  const engine = engineGoneSignal(process.ppid);
  const rt: StepRuntime = { env, workDir: DEFAULT_WORK_DIR, enginePid: process.ppid, output: processOutput, signal: engine.signal };
  const text = readStdin();
  if (text.trim() === '') {
    rt.output.err(describeFailure(op, 'the step', unreadableStep('no step on stdin')));
    return 1;
  }
  const code = await runStep(text, rt).finally(() => engine.stop());
  // Run here, not by a worker: one must still outlive the engine to remove the result file (captured.ts).
  if (op === Operation.CAPTURED && env[WORKER_DIR_ENV]) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    (require('./worker') as typeof import('./worker')).ensureWorker(env[WORKER_DIR_ENV]!, rt.enginePid!, env);
  }
  return code;
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
