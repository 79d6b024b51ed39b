/**
 * Reads the tokens a stack declares from its Terraform state: a raw `.tfstate` (local backend; cdktf
 * writes `terraform.<stack>.tfstate` in the project directory) or `terraform show -json` (any backend).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readIdentityResource } from '../legacy-layouts';
import { CliError } from './errors';
import { isRecord } from '../is-record';
import type { ReadableSpec } from '../token-spec';
import { unwrapDynamic } from './dynamic-value';
import { IdentityValues, readIdentityOf, readLayout, readSpec, readStackSpecs } from './resources';

/** One token as the state declares it. */
export interface StateToken {
  /** The construct path (e.g. `my-stack/ci-push`). */
  readonly path: string;
  readonly name: string;
  readonly registryId: string;
  readonly tokenId: string;
  /** The `apiUrl` prop ("" = IONOS_API_URL, else production). */
  readonly apiUrl: string;
  readonly adopted: boolean;
  /** `terraform_data.<name>` of the resource whose replacement re-creates the token (`create`; `identity` before 0.2), for the `-replace` hint. */
  readonly identityAddress: string;
  /** Undefined when the state has no spec for the token (a create that never finished). */
  readonly spec?: ReadableSpec;
  /** Where the state came from, for messages. */
  readonly source: string;
  /**
   * Set when the state records the token but not as deployed: `create` is tainted (a failed create
   * step, or `terraform taint`), `uncaptured`: only a tainted `create` is recorded (its step failed
   * before the `password` resource was made), or `interrupted`: only an untainted `create` is (its
   * deploy stopped before the `password` resource was made).
   */
  readonly tainted?: 'create' | 'uncaptured' | 'interrupted';
}

export interface StateResource {
  address: string;
  name: string;
  moduleAddress: string;
  values: unknown;
  tainted: boolean;
}

/** Resources of a raw state (format version 4). */
export function rawResources(doc: Record<string, unknown>): StateResource[] {
  const out: StateResource[] = [];
  for (const r of doc.resources as unknown[]) {
    if (!isRecord(r) || r.mode !== 'managed' || r.type !== 'terraform_data' || typeof r.name !== 'string') continue;
    // The current object; a deposed one (create_before_destroy) is on its way out.
    const inst: unknown = Array.isArray(r.instances) ? r.instances.find((i) => isRecord(i) && i.deposed === undefined) : undefined;
    if (!isRecord(inst) || !isRecord(inst.attributes)) continue;
    const moduleAddress = typeof r.module === 'string' ? r.module : '';
    const address = `${moduleAddress ? `${moduleAddress}.` : ''}terraform_data.${r.name}`;
    out.push({ address, name: r.name, moduleAddress, values: inst.attributes, tainted: inst.status === 'tainted' });
  }
  return out;
}

/** Resources of `terraform show -json` (state form), every module. */
function shownResources(mod: unknown, out: StateResource[] = []): StateResource[] {
  if (!isRecord(mod)) return out;
  const moduleAddress = typeof mod.address === 'string' ? mod.address : '';
  if (Array.isArray(mod.resources)) {
    for (const r of mod.resources) {
      if (!isRecord(r) || r.mode !== 'managed' || r.type !== 'terraform_data' || typeof r.name !== 'string' || r.deposed_key !== undefined) continue;
      out.push({ address: String(r.address ?? `terraform_data.${r.name}`), name: r.name, moduleAddress, values: r.values, tainted: r.tainted === true });
    }
  }
  if (Array.isArray(mod.child_modules)) mod.child_modules.forEach((c) => shownResources(c, out));
  return out;
}

/**
 * The tokens of a state document (raw `.tfstate` or `show -json`). `stackName`, from where the state
 * was read, names the stack of tokens whose state records no construct path.
 */
export function tokensFromState(doc: unknown, source: string, stackName?: string): StateToken[] {
  if (!isRecord(doc)) throw new CliError(`${source} is not a JSON object; give a .tfstate file or the output of "terraform show -json"`);
  let resources: StateResource[];
  if (Array.isArray(doc.resources) && typeof doc.version === 'number') {
    resources = rawResources(doc);
  } else if (typeof doc.format_version === 'string') {
    if ('resource_changes' in doc) throw new CliError(`${source} is a plan, not a state: give "terraform show -json" without a plan file, or a .tfstate file`);
    resources = isRecord(doc.values) ? shownResources(doc.values.root_module) : [];
  } else {
    throw new CliError(`${source} is neither a Terraform state (version, resources) nor "terraform show -json" output (format_version)`);
  }
  const layout = readLayout(resources.map((r) => ({ name: r.name, module: r.moduleAddress, resource: r })));
  const tokens: StateToken[] = [];
  // Creates without a password resource: recorded, so reported, tainted or not.
  const uncaptured: { module: string; prefix: string; create: StateResource }[] = [];
  for (const { module, prefix, parts: g } of layout.tokens) {
    const id: IdentityValues | undefined = g.identity ? readIdentityResource(g.identity.values) : readIdentityOf(g.password?.values, g.create?.values);
    const replaces = g.identity ?? g.create;
    if (!g.identity && !g.password && g.create) uncaptured.push({ module, prefix, create: g.create });
    if (!id || !replaces || !id.name || !id.registryId || !id.tokenId) continue;
    const entry = readStackSpecs(layout.stackSpecs.get(module)?.values)?.get(id.path ?? '');
    tokens.push({
      path: id.path ?? prefix,
      name: id.name,
      registryId: id.registryId,
      tokenId: id.tokenId,
      apiUrl: id.apiUrl ?? '',
      adopted: id.adopt,
      identityAddress: replaces.address,
      spec: g.spec ? readSpec(g.spec.values) : readSpec({ triggers_replace: entry }),
      source,
      ...(replaces.tainted ? { tainted: 'create' as const } : {}),
    });
  }
  // A create whose step failed (or whose deploy stopped) before `password` was made: the state records only its id (and, when
  // adopted, registry and name); its entry in the specs resource, if any, says the rest.
  const stack = tokens.find((t) => t.path.includes('/'))?.path.split('/')[0] ?? stackName;
  for (const { module, prefix, create } of uncaptured) {
    const t = unwrapDynamic(isRecord(create.values) ? create.values.triggers_replace : undefined);
    const tokenId = isRecord(t) && typeof t.token_id === 'string' ? t.token_id : undefined;
    if (!tokenId) continue;
    const specs = readStackSpecs(layout.stackSpecs.get(module)?.values) ?? new Map<string, unknown>();
    const [path, entry] = [...specs].find(([, e]) => isRecord(e) && e.token_id === tokenId) ?? [undefined, undefined];
    const e = isRecord(entry) ? entry : {};
    const text = (...vs: unknown[]) => vs.find((v): v is string => typeof v === 'string' && v !== '');
    tokens.push({
      path: path ?? (stack !== undefined ? `${stack}/${prefix}` : prefix),
      name: text(e.name, isRecord(t) ? t.name : undefined) ?? prefix,
      registryId: text(e.registry_id, isRecord(t) ? t.registry_id : undefined) ?? '',
      tokenId,
      apiUrl: text(e.api_url) ?? '',
      adopted: isRecord(t) && 'registry_id' in t,
      identityAddress: create.address,
      spec: entry === undefined ? undefined : readSpec({ triggers_replace: entry }),
      source,
      tainted: create.tainted ? 'uncaptured' : 'interrupted',
    });
  }
  return tokens;
}

/** Parses JSON text of a state, naming the source in errors. */
export function parseStateJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${source} is not JSON (${(e as Error).message})`);
  }
}

export interface LoadedState {
  readonly tokens: StateToken[];
  /** The parsed documents, for redaction. */
  readonly documents: unknown[];
  /** For `-replace` hints: the directory to run the engine in, when known. */
  readonly stackDir?: string;
}

export function readStateFile(file: string, readStdin: () => string): LoadedState {
  const source = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = file === '-' ? readStdin() : fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const doc = parseStateJson(text, source);
  // cdktf's local backend names the file after the stack.
  const stack = /(?:^|\/)terraform\.(.+)\.tfstate$/.exec(file)?.[1];
  return { tokens: tokensFromState(doc, source, stack), documents: [doc] };
}

/**
 * `--stack <dir>`:
 * - a synthesized stack directory (holds `cdk.tf.json`, e.g. `cdktf.out/stacks/prod`): runs
 *   `<engine> show -json` there, which works with any backend (the engine is `$TERRAFORM_BINARY_NAME`,
 *   else `terraform`; `init` must have run);
 * - a cdktf project directory (holds `cdktf.json`): reads every `terraform.<stack>.tfstate` in it
 *   (cdktf's local backend).
 */
export function readStackDir(dir: string, env: NodeJS.ProcessEnv): LoadedState {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CliError(`--stack ${dir}: not a directory`);
  if (fs.existsSync(path.join(dir, 'cdk.tf.json'))) {
    const engine = env.TERRAFORM_BINARY_NAME || 'terraform';
    const res = spawnSync(engine, ['show', '-json', '-no-color'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (res.error) throw new CliError(`cannot run "${engine} show -json" in ${dir}: ${(res.error as NodeJS.ErrnoException).code ?? res.error.message}`);
    if (res.status !== 0) {
      const first = (res.stderr || res.stdout).split('\n').map((l) => l.replace(/^[│╷╵\s]+/, '').trim()).find((l) => l !== '' && !/^Error:?$/.test(l));
      throw new CliError(`"${engine} show -json" in ${dir} failed (exit ${res.status}): ${first ?? 'no message'}`);
    }
    const source = `${engine} show -json in ${dir}`;
    const doc = parseStateJson(res.stdout, source);
    // cdktf synthesizes each stack into cdktf.out/stacks/<stack>.
    return { tokens: tokensFromState(doc, source, path.basename(path.resolve(dir))), documents: [doc], stackDir: dir };
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^terraform\..+\.tfstate$/.test(f))
    .sort();
  if (files.length === 0) {
    throw new CliError(
      `no terraform.<stack>.tfstate in ${dir}: give the cdktf project directory of a stack with the local backend, ` +
        'a synthesized stack directory (cdktf.out/stacks/<stack>, uses "terraform show -json"), or --state <file|->',
    );
  }
  const tokens: StateToken[] = [];
  const documents: unknown[] = [];
  for (const f of files) {
    const loaded = readStateFile(path.join(dir, f), () => '');
    tokens.push(...loaded.tokens);
    documents.push(...loaded.documents);
  }
  return { tokens, documents };
}
