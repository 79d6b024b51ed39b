/**
 * RegistryToken: an IONOS Container Registry token, declared once, validated at synth, created,
 * updated by diff, replaced on rename and deleted on destroy by a handler that Terraform runs.
 *
 * This file and index.ts are the only places that import cdktf, so that a port to CDK Terrain
 * (cdktn) touches little.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Annotations,
  AssetType,
  conditional,
  DataResource,
  Fn,
  Lazy,
  Op,
  TerraformAsset,
  TerraformOutput,
  TerraformSelf,
  TerraformStack,
  Token,
} from 'cdktf';
import { Construct, IValidation } from 'constructs';
import { CLIENT_ENV } from './client/config';
import { handlerBundleMissing, invalidConfig } from './errors';
import { DEFAULT_WORK_DIR, ENV, Operation, RESULT_FILE_SUFFIX, SPECS_ENV, STACK_SPECS_NAME, TOKEN_ID_NAMESPACE } from './handler/consts';
import { RemovalPolicy, ScopeAction, TokenScope, TokenStatus } from './model';
import { describeScope, normalizeScopes } from './token-spec';
import { checkExpiryLead, checkTokenSpec, checkUuid, checkWholeNumber, describeViolation, Violation } from './validation';

/** Props of {@link RegistryToken}. */
export interface RegistryTokenConfig {
  /** The uuid of the container registry the token belongs to. */
  readonly registryId: string;
  /**
   * The token's name, which is also its docker username: 3-63 characters of a-z, A-Z, 0-9 and "-",
   * starting with a-z and ending with a letter or digit, unique in the registry. Changing it
   * replaces the token (new id, new password).
   */
  readonly name: string;
  /** What the token may do: at least one scope, no two with the same type and path. */
  readonly scopes: TokenScope[];
  /**
   * Whether the token may log in.
   * @default TokenStatus.ENABLED
   */
  readonly status?: TokenStatus;
  /**
   * When the API deletes the token, as an RFC 3339 date-time with a zone; at least one hour ahead
   * when it is applied (a nearer one is a synth warning and an apply error).
   * @default - never expires
   */
  readonly expiryDate?: string;
  /**
   * The IONOS API base URL. `https://` is assumed without a scheme; `/containerregistries` is added.
   * @default - IONOS_API_URL when the handler runs, else https://api.ionos.com
   */
  readonly apiUrl?: string;
  /**
   * Add a sensitive TerraformOutput holding the password, named `<construct path below the stack,
   * "/" as "_">_password` (see {@link RegistryToken.passwordOutputName}).
   * @default true
   */
  readonly passwordOutput?: boolean;
  /**
   * How many times one API call is tried (the first included) on 429, 502, 503, 504 or a reset.
   * @default - IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS when the handler runs, else 5
   */
  readonly maxAttempts?: number;
  /**
   * The time budget of one API call, retries included, in seconds.
   * @default - IONOS_REGISTRY_TOKEN_TIMEOUT_SECONDS when the handler runs, else 120
   */
  readonly totalTimeoutSeconds?: number;
  /**
   * The Node.js executable that runs the handler at apply. The stack's specs step (shared by all its
   * tokens) uses the one of the first token declared in the stack.
   * @default "node"
   */
  readonly nodeExecutable?: string;
  /**
   * Any string; changing it (setting, changing or removing it) rotates the token: the next deploy
   * deletes it and creates it again at the same id with the same name and a new password. Names are
   * unique in a registry, so there is a short gap (between the DELETE and the PUT, a few seconds) in which
   * neither the old nor the new password logs in; for rotation without a gap, use two tokens with
   * different names (blue/green, see docs/operations.md). A date such as "2025-06" is a good value.
   * @default - no rotation trigger (the token is re-created only when its name or registry changes)
   */
  readonly rotationTrigger?: string;
  /**
   * Bring an existing token under management by its id (uuid) instead of creating one. The first
   * deploy reads it (its name must equal `name`), records it as this stack's token and then applies
   * the declared status, expiry and scopes by diff; its create step never deletes or re-creates it. The API shows
   * a password only when a token is created, so the password of an adopted token is unknown: the
   * `password` attribute and output are "" until you rotate it (`rotationTrigger`). Keep this prop
   * for the token's lifetime: removing it gives the token a derived id, which replaces it.
   * @default - the token is created by this stack at an id derived from stack, path, registry and name
   */
  readonly adoptTokenId?: string;
  /**
   * The registry's hostname (e.g. `myregistry.cr.de-fra.ionos.com`, from the console or
   * `GET /registries/{id}` → `properties.hostname`). When set, {@link RegistryToken.dockerConfigJson}
   * holds a Docker config JSON for it and, with `passwordOutput`, the sensitive output
   * `<path>_docker_config_json` is added.
   * @default - no Docker config JSON
   */
  readonly registryHostname?: string;
  /**
   * What the next deploy does to the live token once this construct is removed from the code:
   * `DESTROY` deletes it (one DELETE, by the stack's specs step), `RETAIN` keeps it live and only
   * forgets it (no API call). It applies to removal from the code only: `cdktf destroy`, a rename
   * and a rotation still delete the token they replace. Removing the last token of a stack forgets it
   * either way (Terraform runs no step for a stack with none of ours left): see README "Removal".
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

const HANDLER_ASSET_ID = 'ionos-registry-token-handler';

/** RFC 4122 version-5 uuid, the same as Terraform's `uuidv5()`. */
export function uuidv5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

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
function handlerAsset(scope: Construct): TerraformAsset {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(HANDLER_ASSET_ID);
  if (existing) return existing as TerraformAsset;
  return new TerraformAsset(stack, HANDLER_ASSET_ID, { path: handlerBundleDir(), type: AssetType.DIRECTORY });
}

const unresolved = (v: unknown): boolean => Token.isUnresolved(v);

type WithValidations = { _validations?: IValidation[] };
const isVersionCheck = (v: IValidation): boolean => v.constructor?.name === 'ValidateTerraformVersion';

/**
 * cdktf gives every `terraform_data` its own "Terraform >= 1.4" check, which runs `terraform version`
 * in a subprocess at synth: four per token made synth of 100 tokens take ~30 s. Keep one per stack.
 * (constructs keeps validations in `_validations`; should that change, the checks simply stay.)
 */
function oneVersionCheckPerStack(resource: DataResource): void {
  const own = resource.node as unknown as WithValidations;
  const checks = own._validations?.filter(isVersionCheck) ?? [];
  if (checks.length === 0) return;
  own._validations = own._validations!.filter((v) => !isVersionCheck(v));
  const stack = TerraformStack.of(resource);
  if (!(stack.node as unknown as WithValidations)._validations?.some(isVersionCheck)) stack.node.addValidation(checks[0]);
}

/**
 * A resource's address as a plain string. cdktf renders resources in `replace_triggered_by` as
 * "${...}", which Terraform's JSON syntax rejects there (it wants a bare traversal).
 */
const address = (resource: DataResource): string => `${DataResource.tfResourceType}.${resource.friendlyUniqueId}`;

/** What one token gives the stack's `specs` resource. */
interface SpecsMember {
  /** The construct path: the key of the token in the plan (`tokens["<path>"]`). */
  readonly path: string;
  /** What a reviewer reads in the plan: name, status, expiry_date, scopes. */
  readonly entry: Record<string, unknown>;
  /** What the step needs of the token (jsonencode'd by Terraform: the create id is known at apply). */
  readonly step: Record<string, unknown>;
  /** The token's `create` resource. */
  readonly creator: DataResource;
  /** The token's `password` resource: the step runs after it has read the result file. */
  readonly capture: DataResource;
  /**
   * The step is told whether `password` holds a password (never for an adopted token, whose password
   * is unknown): a created token without one fails the step, so no deploy ends well without it.
   */
  readonly captured: boolean;
}

/** The construct path of each token name declared so far, per stack and registry (names are unique in a registry). */
const declaredNames = new WeakMap<TerraformStack, Map<string, string>>();

/** A second token with the same name in the same registry of one stack: the API would refuse it at apply. */
function checkUniqueName(stack: TerraformStack, path: string, registryId: string, name: string): Violation[] {
  if (unresolved(registryId) || unresolved(name)) return [];
  let names = declaredNames.get(stack);
  if (!names) declaredNames.set(stack, (names = new Map()));
  const key = `${registryId.toLowerCase()}|${name}`;
  const first = names.get(key);
  if (first === undefined) {
    names.set(key, path);
    return [];
  }
  return [{ prop: 'name', value: name, rule: `is already declared by ${first} in registry ${registryId} (names are unique in a registry)` }];
}

/** `${` and `%{` start Terraform templates; a construct path is taken literally. */
const literal = (s: string): string => s.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');

const PLACEHOLDER = '\u0000create-id\u0000';
const placeholder = (i: number): string => (i === 0 ? PLACEHOLDER : `\u0000ref-${i}\u0000`);

/** A value known only to Terraform: `ref` as it reads in an expression (`self.id`), `token` as cdktf has it. */
interface Ref {
  readonly ref: string;
  readonly token: unknown;
}

/**
 * JSON text of `build(values)` for a provisioner, as cheap for the engine as it can be: when every
 * value is known at synth, literal text with only the `refs` interpolated (e.g. `self.id`); otherwise
 * Terraform's jsonencode() of it. The engine evaluates a provisioner's command and environment at
 * every apply, and an object expression per token cost it milliseconds each.
 */
function stepJson(build: (...values: any[]) => Record<string, unknown>, ...refs: Ref[]): string {
  const text = JSON.stringify(build(...refs.map((_, i) => placeholder(i))));
  if (unresolved(text)) return Fn.jsonencode(build(...refs.map((r) => r.token)));
  return refs.reduce((t, r, i) => t.split(JSON.stringify(placeholder(i))).join(`"\${${r.ref}}"`), literal(text));
}

/** `s` inside single quotes for sh. */
const shellQuoted = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * The stack's one `specs` resource: the declared status, expiry and scopes of every token, in plain
 * words (`triggers_replace.tokens["<construct path>"]`), and a digest of the tokens' `create` ids.
 * Any change replaces it; its create step then updates, of the tokens it lists, only those whose
 * entry changed (GET, then PATCH, PUT or nothing), skips those created in this run with this very
 * spec, and removes the result files the `password` resources have read. Its destroy step hands the
 * entries it held to that create step (same engine run), which is how it knows what changed; without
 * them (it was tainted, or a crash came between) it checks every token that was not just created.
 * One resource per stack instead of one per token: each resource costs the engine a state write.
 */
class StackSpecs {
  private static readonly byStack = new WeakMap<TerraformStack, StackSpecs>();

  static of(scope: Construct, asset: TerraformAsset, node: string): StackSpecs {
    const stack = TerraformStack.of(scope);
    let specs = StackSpecs.byStack.get(stack);
    if (!specs) StackSpecs.byStack.set(stack, (specs = new StackSpecs(stack, asset, node)));
    return specs;
  }

  private readonly members: SpecsMember[] = [];
  private readonly resource: DataResource;

  private constructor(stack: TerraformStack, asset: TerraformAsset, node: string) {
    const members = this.members;
    const command = (op: Operation, vars: () => string[]) =>
      Lazy.stringValue({
        produce: () =>
          `{ RT_OP=${op}; RT_NODE='${node}'; RT_HANDLER='${asset.path}/index.js'; RT_VARS='${vars().join(' ')}'; ` +
          `${ENV.ENGINE_PID}=$PPID; export ${ENV.ENGINE_PID}; . '${asset.path}/run.sh'; }`,
      });
    // One variable per token, `<prefix><n>`, beside the work dir (resolved at synth, when all are known).
    const perToken = (prefix: string, value: (m: SpecsMember) => string) =>
      Lazy.anyValue({
        produce: () => ({ [ENV.WORK_DIR]: DEFAULT_WORK_DIR, ...Object.fromEntries(members.map((m, i) => [`${prefix}${i}`, value(m)])) }),
      }) as unknown as Record<string, string>;
    this.resource = new DataResource(stack, STACK_SPECS_NAME, {
      triggersReplace: Lazy.anyValue({
        produce: () => ({
          tokens: Object.fromEntries(members.map((m) => [m.path, m.entry])),
          creates: Fn.substr(Fn.sha256(Fn.join(',', members.map((m) => m.creator.id))), 0, 16),
        }),
      }) as unknown as Record<string, unknown>,
      provisioners: [
        {
          type: 'local-exec',
          command: command(Operation.SPECS, () => members.map((_, i) => `${SPECS_ENV.TOKEN}${i}`)),
          environment: perToken(SPECS_ENV.TOKEN, (m) =>
            m.captured
              ? stepJson(
                  (createId, captured) => ({ token: { ...m.step, create_id: createId, captured }, entry: m.entry }),
                  { ref: `${address(m.creator)}.id`, token: m.creator.id },
                  { ref: `nonsensitive(length(${address(m.capture)}.triggers_replace) > 0)`, token: Fn.nonsensitive(Op.gt(Fn.lengthOf(m.capture.getStringAttribute('triggers_replace')), 0)) },
                )
              : stepJson((createId) => ({ token: { ...m.step, create_id: createId }, entry: m.entry }), { ref: `${address(m.creator)}.id`, token: m.creator.id }),
          ),
        },
        {
          type: 'local-exec',
          when: 'destroy',
          command: command(Operation.SPECS_BEFORE, () => [SPECS_ENV.BEFORE, SPECS_ENV.DECLARED]),
          // Every entry this resource held, and the paths declared now: the step deletes the tokens
          // that left the code (unless retained) and keeps the others' entries for the specs step.
          environment: Lazy.anyValue({
            produce: () => ({
              [ENV.WORK_DIR]: DEFAULT_WORK_DIR,
              [SPECS_ENV.BEFORE]: '${jsonencode(try(self.triggers_replace.tokens, {}))}',
              [SPECS_ENV.DECLARED]: literal(JSON.stringify(members.map((m) => m.path))),
            }),
          }) as unknown as Record<string, string>,
        },
      ],
    });
    oneVersionCheckPerStack(this.resource);
  }

  add(member: SpecsMember): void {
    this.members.push(member);
    this.resource.dependsOn = [...(this.resource.dependsOn ?? []), address(member.capture)];
  }
}

/**
 * An IONOS Container Registry token. Its password is captured into the Terraform state at create
 * and exposed as {@link password} and a sensitive output.
 *
 * At apply, two `terraform_data` resources per token run the bundled handler: `create` makes the
 * token (idempotent PUT), `password` captures the password, holds the token's identity and deletes
 * it on destroy; the stack's one `registry-token-specs` resource applies status, expiry and scope
 * changes by diff, for every token of the stack. See README "Design notes".
 */
export class RegistryToken extends Construct {
  /** The token's id in the registry (a uuid derived from stack, construct path, registry and name). */
  public readonly tokenId: string;
  /** The docker username, which is the token name. */
  public readonly username: string;
  /** The token's password: sensitive, in the state only. */
  public readonly password: string;
  /** The name of the sensitive password output, or undefined when `passwordOutput` is false. */
  public readonly passwordOutputName?: string;
  /**
   * A Docker config JSON for the registry (`{"auths":{"<registryHostname>":{"username","password",
   * "auth"}}}`, `auth` = base64 of `username:password`), built by Terraform and sensitive: give it to a
   * `kubernetes_secret` of type `kubernetes.io/dockerconfigjson` (key `.dockerconfigjson`) or a CI
   * variable. Undefined unless `registryHostname` is set.
   */
  public readonly dockerConfigJson?: string;
  /** The name of the sensitive Docker config output, or undefined without `registryHostname` or with `passwordOutput: false`. */
  public readonly dockerConfigJsonOutputName?: string;

  constructor(scope: Construct, id: string, config: RegistryTokenConfig) {
    super(scope, id);
    const status = config.status ?? TokenStatus.ENABLED;
    const violations = checkTokenSpec(
      { registryId: config.registryId, name: config.name, scopes: config.scopes, status, expiryDate: config.expiryDate },
      unresolved,
    );
    if (config.maxAttempts !== undefined) violations.push(...checkWholeNumber(config.maxAttempts, 'maxAttempts', 1));
    if (config.totalTimeoutSeconds !== undefined) {
      violations.push(...checkWholeNumber(config.totalTimeoutSeconds, 'totalTimeoutSeconds', 1));
    }
    if (config.adoptTokenId !== undefined && !unresolved(config.adoptTokenId)) violations.push(...checkUuid(config.adoptTokenId, 'adoptTokenId'));
    if (config.registryHostname !== undefined) violations.push(...checkHostname(config.registryHostname));
    if (config.rotationTrigger !== undefined && !unresolved(config.rotationTrigger) && typeof config.rotationTrigger !== 'string') {
      violations.push({ prop: 'rotationTrigger', value: config.rotationTrigger, rule: 'must be a string' });
    }
    if (violations.length === 0) violations.push(...checkUniqueName(TerraformStack.of(this), this.node.path, config.registryId, config.name));
    if (violations.length > 0) throw invalidConfig(this.node.path, violations);
    if (config.expiryDate !== undefined && !unresolved(config.expiryDate)) {
      for (const v of checkExpiryLead(config.expiryDate, new Date())) {
        Annotations.of(this).addWarning(`${this.node.path}: ${describeViolation(v)}; the apply will refuse it unless the token already has this expiry`);
      }
    }

    const stack = TerraformStack.of(this);
    const pathInStack = this.node.path.split('/').slice(1).join('/');
    const seedParts = [stack.node.id, pathInStack, config.registryId, config.name];
    const adopt = config.adoptTokenId !== undefined;
    if (config.adoptTokenId !== undefined) {
      this.tokenId = unresolved(config.adoptTokenId) ? Fn.lower(config.adoptTokenId) : config.adoptTokenId.toLowerCase();
    } else {
      this.tokenId = seedParts.some(unresolved)
        ? Fn.uuidv5(TOKEN_ID_NAMESPACE, Fn.join('|', seedParts))
        : uuidv5(TOKEN_ID_NAMESPACE, seedParts.join('|'));
    }
    this.username = config.name;

    const node = config.nodeExecutable ?? 'node';
    const asset = handlerAsset(this);
    // Single quotes only: parts of these commands sit inside Terraform string literals (join()), where
    // cdktf does not escape double quotes. The commands run under local-exec's /bin/sh, which sources
    // run.sh: it hands the step to the engine run's one worker process, or runs the handler itself.
    const command = (op: Operation) => `{ RT_OP=${op}; RT_NODE='${node}'; RT_HANDLER='${asset.path}/index.js'; . '${asset.path}/run.sh'; }`;
    const apiUrl = config.apiUrl ?? '';
    const spec = {
      name: config.name,
      scopes: config.scopes.map((s) => ({ type: s.type, name: s.name, actions: [...s.actions] })),
      status,
      expiryDate: config.expiryDate ?? null,
    };
    const specJson = JSON.stringify(spec);
    const specEnv = unresolved(specJson) ? Fn.jsonencode(spec) : specJson;
    const specDigest = unresolved(specJson)
      ? Fn.substr(Fn.sha256(specEnv), 0, 16)
      : createHash('sha256').update(specJson).digest('hex').slice(0, 16);
    // The resource name in quotes: cdktf annotates every plain resource address it prints with the
    // construct path ("terraform_data.x (path)"), which would break the command when copied.
    const replaceHint = (resource: DataResource) =>
      `terraform -chdir=cdktf.out/stacks/${stack.node.id} apply -replace=${DataResource.tfResourceType}.'${resource.friendlyUniqueId}'   (or tofu)`;
    const retry: Record<string, string> = {};
    if (config.maxAttempts !== undefined) retry[CLIENT_ENV.MAX_ATTEMPTS] = String(config.maxAttempts);
    if (config.totalTimeoutSeconds !== undefined) retry[CLIENT_ENV.TIMEOUT_SECONDS] = String(config.totalTimeoutSeconds);
    const common = {
      ...retry,
      [ENV.REGISTRY_ID]: config.registryId,
      [ENV.TOKEN_ID]: this.tokenId,
      [ENV.NAME]: config.name,
      [ENV.PATH]: this.node.path,
      [ENV.WORK_DIR]: DEFAULT_WORK_DIR,
      [ENV.API_URL]: apiUrl,
    };

    // create: one idempotent PUT at the token id; the password goes to a 0600 result file. Replaced
    // (after `password`'s destroy deleted the token) when the id changes (name, registry, construct
    // path), on rotation, and for an adopted token when its name or registry changes. Keys appear only
    // with the props that need them, so other changes never re-create a token.
    const createTriggers: Record<string, string> = { token_id: this.tokenId };
    if (config.rotationTrigger !== undefined) createTriggers.rotation = config.rotationTrigger;
    if (adopt) Object.assign(createTriggers, { registry_id: config.registryId, name: config.name });
    // The step's settings travel as one JSON value in the command (IONOS_RT_STEP), not as an
    // `environment` block: the engine evaluates a dozen attributes per token far slower than one string.
    // (For Terraform's jsonencode() the spec is an object: cdktf would not escape the quotes of JSON text.)
    const createStep = (createId: string) => ({
      ...common,
      [ENV.SPEC]: createId === PLACEHOLDER ? specEnv : Fn.jsonencode(spec),
      [ENV.SPEC_DIGEST]: specDigest,
      [ENV.CREATE_ID]: createId,
      ...(adopt ? { [ENV.ADOPT]: 'true' } : {}),
    });
    const step = stepJson(createStep, { ref: 'self.id', token: TerraformSelf.getString('id') });
    const creator = new DataResource(this, 'create', {
      triggersReplace: createTriggers,
      provisioners: [
        unresolved(step)
          ? // Terraform builds it at apply (a value known only then): an environment variable, unquoted.
            { type: 'local-exec', command: command(Operation.CREATE), environment: { [ENV.STEP]: step } }
          : { type: 'local-exec', command: `{ ${ENV.STEP}=${shellQuoted(step)}; export ${ENV.STEP}; ${command(Operation.CREATE).slice(2)}` },
      ],
    });
    oneVersionCheckPerStack(creator);

    // password: reads the result file into the state (sensitive); the `spec` step after it removes the
    // file. Built with join() so that each unresolved part stays a whole reference.
    const resultFile = Fn.join('', [`${DEFAULT_WORK_DIR}/`, this.tokenId, '.', creator.id, RESULT_FILE_SUFFIX]);
    // The password sits in `triggers_replace` (not `input`): terraform_data mirrors `input` into an
    // `output` that Terraform does not mark sensitive, so a replacement would print it in the plan.
    //
    // It is also the token's identity in the state (`input`: registry, id, name, path, API URL) and
    // deletes the token on destroy. Terraform skips the destroy provisioners of a tainted resource, and
    // a failed create provisioner taints its resource: `password` has none, so its delete always runs.
    // It is replaced (delete, then the new create) exactly when `create` is.
    const identityInput: Record<string, string> = {
      registry_id: config.registryId,
      token_id: this.tokenId,
      name: config.name,
      path: this.node.path,
      api_url: apiUrl,
    };
    if (adopt) identityInput.adopt = 'true';
    // As JSON text (plans show it as jsonencode({...})): a string costs the engine far less to write
    // into the state after every resource change than an object with its type (and twice: `output`).
    const identityText = JSON.stringify(identityInput);
    const capture = new DataResource(this, 'password', {
      triggersReplace: Fn.sensitive(
        conditional(Fn.fileexists(resultFile), Fn.lookup(Fn.jsondecode(Fn.file(resultFile)), 'password', ''), ''),
      ),
      input: (unresolved(identityText) ? Fn.jsonencode(identityInput) : literal(identityText)) as unknown as Record<string, string>,
      dependsOn: [creator],
      lifecycle: { ignoreChanges: ['triggers_replace'], replaceTriggeredBy: [address(creator)] },
      provisioners: [
        {
          type: 'local-exec',
          when: 'destroy',
          command: command(Operation.DELETE),
          // The identity as JSON text (0.3), or an object (0.2); try(): a `password` written by 0.1
          // has no input, and the upgrade that replaces it (a token with rotationTrigger or
          // adoptTokenId) runs this with nothing to name: the handler then deletes nothing (the new
          // create finds the token and re-creates it).
          environment: {
            [ENV.REGISTRY_ID]: '${try(jsondecode(self.input).registry_id, self.input.registry_id, "")}',
            [ENV.TOKEN_ID]: '${try(jsondecode(self.input).token_id, self.input.token_id, "")}',
            [ENV.NAME]: '${try(jsondecode(self.input).name, self.input.name, "")}',
            [ENV.PATH]: '${try(jsondecode(self.input).path, self.input.path, "")}',
            [ENV.API_URL]: '${try(jsondecode(self.input).api_url, self.input.api_url, "")}',
            [ENV.WORK_DIR]: DEFAULT_WORK_DIR,
            ...retry,
          },
        },
      ],
    });
    oneVersionCheckPerStack(capture);
    this.password = capture.getStringAttribute('triggers_replace');

    // The spec (status, expiry, scopes, in plain words) goes to the stack's one `specs` resource,
    // whose replacement applies the difference to the live tokens (GET, then PATCH or PUT, or
    // nothing) and removes the result file once `password` has read it. See StackSpecs below.
    StackSpecs.of(this, asset, node).add({
      path: this.node.path,
      entry: {
        name: config.name,
        status,
        expiry_date: config.expiryDate ?? 'never',
        scopes: readableScopes(config.scopes),
        // What the specs resource's destroy step needs to delete the token once it leaves the code.
        token_id: this.tokenId,
        registry_id: config.registryId,
        ...(apiUrl ? { api_url: apiUrl } : {}),
        ...(config.removalPolicy === RemovalPolicy.RETAIN ? { removal_policy: RemovalPolicy.RETAIN } : {}),
      },
      step: {
        path: this.node.path,
        registry_id: config.registryId,
        token_id: this.tokenId,
        name: config.name,
        api_url: apiUrl,
        spec,
        digest: specDigest,
        adopt: adopt ? 'true' : '',
        max_attempts: retry[CLIENT_ENV.MAX_ATTEMPTS] ?? '',
        timeout_seconds: retry[CLIENT_ENV.TIMEOUT_SECONDS] ?? '',
        replace_hint: replaceHint(creator),
      },
      creator,
      capture,
      captured: !adopt,
    });

    if (config.passwordOutput ?? true) {
      const outputName = `${pathInStack.replace(/[^A-Za-z0-9_-]/g, '_')}_password`;
      const output = new TerraformOutput(this, 'password-output', {
        value: this.password,
        sensitive: true,
        description: `Password of the IONOS registry token "${config.name}" (username "${config.name}")`,
      });
      output.overrideLogicalId(outputName);
      this.passwordOutputName = outputName;
    }

    if (config.registryHostname !== undefined) {
      this.dockerConfigJson = dockerConfigJson(config.registryHostname, config.name, this.password);
      if (config.passwordOutput ?? true) {
        const outputName = `${pathInStack.replace(/[^A-Za-z0-9_-]/g, '_')}_docker_config_json`;
        const output = new TerraformOutput(this, 'docker-config-output', {
          value: this.dockerConfigJson,
          sensitive: true,
          description: `Docker config JSON (kubernetes.io/dockerconfigjson) for "${config.name}" at ${config.registryHostname}`,
        });
        output.overrideLogicalId(outputName);
        this.dockerConfigJsonOutputName = outputName;
      }
    }
  }
}

/**
 * `{"auths":{"<host>":{"username","password","auth"}}}` as a sensitive Terraform expression. A host
 * that is a cdktf token becomes the key through zipmap() (a map key must be a plain string in cdktf).
 */
function dockerConfigJson(host: string, username: string, password: string): string {
  const entry = { username, password, auth: Fn.base64encode(Fn.join(':', [username, password])) };
  const auths = unresolved(host) ? Fn.zipmap([host], [entry]) : { [host]: entry };
  return Fn.sensitive(Fn.jsonencode({ auths }));
}

/** A registry hostname as Docker config keys it: `host` or `host:port`, no scheme, no path. */
function checkHostname(host: string): Violation[] {
  if (unresolved(host)) return [];
  if (typeof host !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/.test(host)) {
    return [{ prop: 'registryHostname', value: host, rule: 'must be a hostname such as "myregistry.cr.de-fra.ionos.com" (optionally with ":port"; no scheme, no path)' }];
  }
  return [];
}

/** Scopes as a reviewer reads them in a plan, in a stable order: `repository app/* pull,push`. */
function readableScopes(scopes: readonly TokenScope[]): string[] {
  const plain = scopes.map((s) => ({ type: s.type as string, name: s.name, actions: s.actions.map((a: ScopeAction) => a as string) }));
  if (plain.some((s) => unresolved(s.name) || unresolved(s.type) || s.actions.some(unresolved))) {
    return plain.map((s) => `${s.type} ${s.name} ${Fn.join(',', s.actions)}`);
  }
  return normalizeScopes(plain).map(describeScope);
}
