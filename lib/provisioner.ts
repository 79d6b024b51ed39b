/**
 * The one place that builds the local-exec provisioners that run the handler: the handler asset, the
 * command, and how a step (lib/handler/step.ts) reaches it.
 *
 * Every step is one JSON value in the provisioner's `environment`, IONOS_RT_STEP (continued in
 * IONOS_RT_STEP_1, ...): literal JSON where its values are known at synth (only references such as
 * `self.id` interpolated), else Terraform's jsonencode() of it. The engine evaluates a provisioner's
 * command and environment at every apply, and an object expression per token cost it milliseconds
 * each; a literal template costs next to nothing. The interpreter runs run.sh with the Node
 * executable; the command is only words naming the step, since the engine prints it when a step
 * fails, `quiet` or not (docs/design/step-command.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataConfig, DataResource, LocalExecProvisioner, TerraformAsset } from 'cdktf';
import type { Construct, IValidation } from 'constructs';
import { Core, coreOf, isUnresolved } from './core';
import { handlerBundleMissing } from './errors';
import { isRecord } from './is-record';

const HANDLER_ASSET_ID = 'ionos-registry-token-handler';
const HANDLER_FILES = ['index.js', 'run.sh'];
const isHandlerDir = (dir: string) => HANDLER_FILES.every((f) => fs.existsSync(path.join(dir, f)));

/** Finds the bundled handler folder: `dist/handler/` of this package (index.js and run.sh). */
function handlerBundleDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'dist', 'handler');
    if (isHandlerDir(candidate)) return candidate;
    const sibling = path.join(dir, 'handler');
    if (path.basename(dir) === 'dist' && isHandlerDir(sibling)) return sibling;
    dir = path.dirname(dir);
  }
  throw handlerBundleMissing(path.join(__dirname, '..', 'dist', 'handler', 'index.js'));
}

/** One handler asset (a folder) per stack, shared by all its tokens. */
function handlerAsset(cdk: Core, scope: Construct): TerraformAsset {
  const stack = cdk.TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(HANDLER_ASSET_ID);
  if (existing) return existing as TerraformAsset;
  return new cdk.TerraformAsset(stack, HANDLER_ASSET_ID, { path: handlerBundleDir(), type: cdk.AssetType.DIRECTORY });
}

/** Text the engine reads back exactly as written: `${` and `%{` (which start templates) doubled. */
export const literal = (s: string): string => s.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');

/**
 * `v` with every string known at synth (keys included) made {@link literal}; a cdktf token (the
 * user's own expression) stays as it is.
 */
export function literalDeep<T>(v: T): T {
  if (typeof v === 'string') return (isUnresolved(v) ? v : literal(v)) as T;
  if (Array.isArray(v)) return v.map(literalDeep) as T;
  if (isRecord(v) && !isUnresolved(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [isUnresolved(k) ? k : literal(k), literalDeep(x)])) as T;
  return v;
}

/** `s` inside single quotes for sh. */
export const shellQuoted = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** True when `v` is, or holds, a value cdktf has only as a token (unresolved at synth). */
export function unresolvedIn(v: unknown): boolean {
  if (isUnresolved(v)) return true;
  if (Array.isArray(v)) return v.some(unresolvedIn);
  if (isRecord(v)) return Object.values(v).some(unresolvedIn);
  return false;
}

/** A value known only to Terraform at apply, in a step. */
export interface StepRef {
  /** As it reads in a template: `self.id`. */
  readonly expression: string;
  /** As cdktf has it, for jsonencode() of a step with values unresolved at synth (made only then: each cdktf token costs synth time). */
  readonly token?: () => unknown;
  /** The value is JSON itself (a boolean, or jsonencode() of something), not a string. */
  readonly json?: boolean;
  /** Its size is known only at apply: the text from it on gets an environment variable of its own. */
  readonly unbounded?: boolean;
}

/** A piece of a step's JSON text as Terraform gets it, and (about) how long it will be. */
export interface StepText {
  readonly text: string;
  /** Bytes once Terraform has evaluated it; Infinity when it cannot be told at synth. */
  readonly bytes: number;
}

const placeholder = (i: number): string => `\u0000ref-${i}\u0000`;
const PLACEHOLDERS = /"\\u0000ref-(\d+)\\u0000"/g;

/**
 * The JSON text of `build(values)`, the values being the refs: literal text with only the refs
 * interpolated when everything else is known at synth; otherwise jsonencode() of it (cdktf would not
 * escape the quotes of JSON text inside an expression, so the values go to Terraform as they are).
 */
export function stepText<T>(cdk: Core, build: (...values: any[]) => T, ...refs: StepRef[]): StepText[] {
  const draft = build(...refs.map((_, i) => placeholder(i)));
  const json = JSON.stringify(draft);
  if (unresolvedIn(draft)) {
    if (refs.some((r) => r.token === undefined)) throw new Error(`registry-token: internal: a step with a value known only at apply cannot hold ${refs.map((r) => r.expression).join(', ')}`);
    return [{ text: cdk.Fn.jsonencode(literalDeep(build(...refs.map((r) => r.token!())))), bytes: Buffer.byteLength(json) }];
  }
  const text = literal(json);
  const pieces: StepText[] = [];
  let current = '';
  let unbounded = false;
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDERS)) {
    const ref = refs[Number(m[1])];
    current += text.slice(last, m.index);
    if (ref.unbounded) {
      pieces.push({ text: current, bytes: unbounded ? Infinity : Buffer.byteLength(current) });
      current = '';
      unbounded = true;
    }
    current += ref.json ? `\${${ref.expression}}` : `"\${${ref.expression}}"`;
    last = m.index + m[0].length;
  }
  current += text.slice(last);
  pieces.push({ text: current, bytes: unbounded ? Infinity : Buffer.byteLength(current) });
  return pieces.filter((p) => p.text !== '');
}

/** The environment variable that carries a step; a long step continues in IONOS_RT_STEP_1, _2, ... */
export const STEP_ENV = 'IONOS_RT_STEP';

/**
 * Linux refuses to start a process with one environment string over 128 KiB (MAX_ARG_STRLEN): a
 * step longer than this (the specs step of a few hundred tokens) continues in the next variable,
 * and the command joins them.
 */
const VARIABLE_BYTES = 100 * 1024;

/** The step's pieces packed into as few variables as fit. */
export function stepEnvironment(pieces: readonly StepText[]): Record<string, string> {
  const parts: { text: string; bytes: number }[] = [];
  for (const p of pieces) {
    const last = parts[parts.length - 1];
    if (last && last.bytes + p.bytes <= VARIABLE_BYTES) {
      last.text += p.text;
      last.bytes += p.bytes;
    } else {
      parts.push({ ...p });
    }
  }
  return Object.fromEntries(parts.map((p, i) => [i === 0 ? STEP_ENV : `${STEP_ENV}_${i}`, p.text]));
}

/** How a stack's provisioners start the handler. */
export interface Handler {
  /** The core (cdktf or cdktn) of the stack: every resource and token of ours comes from it. */
  readonly cdk: Core;
  readonly asset: TerraformAsset;
  /** The Node.js executable (prop `nodeExecutable`). */
  readonly node: string;
}

export function handlerOf(scope: Construct, node: string): Handler {
  const cdk = coreOf(scope);
  return { cdk, asset: handlerAsset(cdk, scope), node };
}

/** How the engine starts a step: run.sh (beside the handler), with the Node executable as its argument. */
export function stepInterpreter(handlerDir: string, node: string): string[] {
  const text = (s: string) => (isUnresolved(s) ? s : literal(s));
  return ['/bin/sh', text(`${handlerDir}/run.sh`), text(node)];
}

/** The command run.sh is given and ignores: what the engine shows of a step that failed. */
export const stepTitle = (op: string, path: string): string => literal(`registry-token: the ${op} step of ${path}`);

/**
 * cdktf's LocalExecProvisioner has no `quiet` (Terraform ≥ 1.4, OpenTofu), and passes every key of a
 * provisioner through to the JSON: without it the engine prints each command it runs.
 */
interface QuietLocalExec extends LocalExecProvisioner {
  readonly quiet: true;
}

/**
 * A provisioner that runs one step, `title` naming it (stepTitle). The stack's specs steps list
 * every token, so theirs are given as a function, called at synth (twice: keep it cheap to call again).
 */
export function stepProvisioner(handler: Handler, title: string, pieces: readonly StepText[] | (() => readonly StepText[]), when?: 'destroy'): QuietLocalExec {
  const quiet = { type: 'local-exec', quiet: true, ...(when ? { when } : {}), interpreter: stepInterpreter(handler.asset.path, handler.node), command: title } as const;
  if (typeof pieces !== 'function') return { ...quiet, environment: stepEnvironment(pieces) };
  return { ...quiet, environment: handler.cdk.Lazy.anyValue({ produce: () => stepEnvironment(pieces()) }) as unknown as Record<string, string> };
}

/** A resource's address as a plain string (cdktf renders resources in `replace_triggered_by` as "${...}", which Terraform's JSON syntax rejects there). */
export const address = (resource: DataResource): string => `terraform_data.${resource.friendlyUniqueId}`;

type WithValidations = { _validations?: IValidation[] };
const isVersionCheck = (v: IValidation): boolean => v.constructor?.name === 'ValidateTerraformVersion';

/**
 * A `terraform_data` resource whose provisioners run the handler, with one "Terraform >= 1.4" check
 * per stack instead of one per resource: cdktf's DataResource adds its own, which runs `terraform
 * version` in a subprocess at synth (four per token made synth of 100 tokens take ~30 s).
 *
 * Not public API, and it cannot be: constructs' Node has addValidation but no way to list or remove
 * a validation; DataResource adds its check in its constructor, unconditionally; cdktf does not
 * export ValidateTerraformVersion; App's `skipValidation` is the user's switch for every check. The
 * only public way out is to not use DataResource (a TerraformResource of our own, with its
 * attributes and a version check of our own), which would re-implement cdktf's resource. So this
 * edits constructs' private `_validations`; should that change, the checks simply stay (a slower
 * synth, nothing else).
 */
export function stepResource(scope: Construct, id: string, config: DataConfig): DataResource {
  const cdk = coreOf(scope);
  const resource = new cdk.DataResource(scope, id, config);
  const own = resource.node as unknown as WithValidations;
  const checks = own._validations?.filter(isVersionCheck) ?? [];
  if (checks.length === 0) return resource;
  own._validations = own._validations!.filter((v) => !isVersionCheck(v));
  const stack = cdk.TerraformStack.of(resource);
  if (!(stack.node as unknown as WithValidations)._validations?.some(isVersionCheck)) stack.node.addValidation(checks[0]);
  return resource;
}
