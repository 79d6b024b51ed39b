/**
 * Who runs this step's engine, so that a command we print is one the user can run as it is: the
 * cdktf or cdktn CLI (whose `deploy` has no `-replace`: the engine takes it from TF_CLI_ARGS_apply),
 * or the engine itself, run by hand.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shQuote, shSingleQuote } from '../shell-quote';
import { parentOf } from './processes';

export interface Runner {
  /** The CDK CLI that started the engine, when one did. */
  readonly cli?: 'cdktf' | 'cdktn';
  /** The engine's executable name: terraform or tofu. */
  readonly engine: string;
}

/** A process's argv, or [] where /proc does not say. */
function argvOf(pid: number | undefined): string[] {
  if (pid === undefined) return [];
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return [];
  }
}

/** The runner of the engine run `enginePid` (the engine, and the CLI that is its parent). */
export function runnerOf(enginePid: number | undefined, env: NodeJS.ProcessEnv = {}): Runner {
  // The engine's own argv[0]; a wrapper script's name is its argv[1].
  const exe = argvOf(enginePid).slice(0, 2).map((a) => path.basename(a)).find((a) => /^(terraform|tofu)$/.test(a));
  const engine = exe ?? (env.TERRAFORM_BINARY_NAME || 'terraform');
  const parent = argvOf(enginePid === undefined ? undefined : parentOf(enginePid)).slice(0, 3).map((a) => path.basename(a));
  const cli = parent.find((a): a is 'cdktf' | 'cdktn' => a === 'cdktf' || a === 'cdktn');
  return cli ? { cli, engine } : { engine };
}

/** A resource name Terraform and the TF_CLI_ARGS parser both read as it is. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `-replace` arguments, as the CDK CLIs (TF_CLI_ARGS_apply, names quoted) or the engine's own command line read them. */
function replaceArgs(resources: readonly string[], cli: boolean): string {
  // The names always in quotes for a CDK CLI: cdktf annotates every plain resource address it prints
  // with the construct path. The engine reads TF_CLI_ARGS_apply as shell words, so they reach it unquoted.
  return cli ? resources.map((r) => `-replace=terraform_data.'${r}'`).join(' ') : resources.map((r) => `-replace=terraform_data.${shSingleQuote(r)}`).join(' ');
}

/**
 * The one deploy of `stack`, with `prefix` (environment assignments) and `-replace` of `resources`:
 * for the CDK CLIs through TF_CLI_ARGS_apply, else the engine in the stack's synthesized directory.
 * Every value is one sh word meaning its text (a stack name may hold `$(...)`).
 */
function deployCommand(stack: string, runner: Runner, prefix: string[], resources: readonly string[]): string {
  if (runner.cli && resources.every((r) => PLAIN_NAME.test(r))) {
    const args = resources.length > 0 ? [`TF_CLI_ARGS_apply="${replaceArgs(resources, true)}"`] : [];
    return [...prefix, ...args, runner.cli, 'deploy', shQuote(stack)].join(' ');
  }
  return [...prefix, shQuote(runner.engine), `-chdir=cdktf.out/stacks/${shQuote(stack)}`, 'apply', ...(resources.length > 0 ? [replaceArgs(resources, false)] : [])].join(' ');
}

/**
 * The one command that creates these tokens of `stack` again (new passwords): `-replace` of their
 * `create` resources and of each `password` (whose destroy step deletes the token).
 */
export function recreateCommand(stack: string, createResources: readonly string[], runner: Runner): string {
  return deployCommand(stack, runner, [], createResources);
}

/**
 * The one command that lets a deploy of `stack` delete and re-create (new passwords) the tokens it
 * found at their ids without a record of creating them: IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:<name>;
 * with `recreate`, the same deploy also creates again the tokens the state records without a password.
 */
export function takeOverCommand(stack: string, runner: Runner, recreate: readonly string[] = []): string {
  return deployCommand(stack, runner, [`IONOS_REGISTRY_TOKEN_TAKE_OVER=${shQuote(`stack:${stack}`)}`], recreate);
}

/** The CDK CLI a project deploys with, by the core its package.json depends on (cdktn first); undefined without one. */
export function cliOfProject(dir: string): 'cdktf' | 'cdktn' | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
    const deps = { ...pkg.devDependencies, ...pkg.dependencies };
    return 'cdktn' in deps ? 'cdktn' : 'cdktf' in deps ? 'cdktf' : undefined;
  } catch {
    return undefined;
  }
}
