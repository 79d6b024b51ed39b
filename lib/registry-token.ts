/**
 * RegistryToken: an IONOS Container Registry token, declared once, validated at synth, created,
 * updated by diff, replaced on rename and deleted on destroy by the handler that Terraform runs.
 *
 * The declaration of a token: its props, then what the construct makes of them. How its provisioners
 * run the handler is lib/provisioner.ts; the stack's specs resource is lib/stack-specs.ts; the id is
 * lib/token-id.ts; the rules are lib/validation.ts.
 */
import type { DataResource } from 'cdktf';
import { Construct } from 'constructs';
import { Core, coreOf, isUnresolved as unresolved } from './core';
import { invalidConfig } from './errors';
import { RECORDED_IDENTITY_EXPRESSION } from './legacy-layouts';
import { addExpiryWarnings } from './expiry-warnings';
import { DEFAULT_WORK_DIR, Operation, RESULT_FILE_SUFFIX } from './handler/consts';
import type { CapturedStep, CreateStep, DeleteStep, RecordedIdentity, RetrySettings } from './handler/step';
import { RemovalPolicy, TokenScope, TokenStatus } from './model';
import { preconditionsFor } from './preconditions';
import { rotationKey, rotationPeriod, slotPlan, synthNow } from './schedule';
import { address, Handler, handlerOf, literal, literalDeep, stepProvisioner, stepResource, stepText, stepTitle, unresolvedIn } from './provisioner';
import { StackSpecs, specsEntry } from './stack-specs';
import { deriveTokenId, TOKEN_ID_NAMESPACE, TOKEN_ID_SEPARATOR, tokenIdSeed } from './token-id';
import { declaredToken } from './token-spec';
import { checkExpiryLead, checkTokenProps, checkUniqueName, describeViolation } from './validation';

/** Props of `RegistryToken`. */
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
   * https only (plain http only to a loopback host, such as the emulator); a host outside ionos.com
   * is refused at apply unless the environment lists it in IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS.
   * @default - IONOS_API_URL (or the IONOS config file) when the handler runs, else https://api.ionos.com
   */
  readonly apiUrl?: string;
  /**
   * Add a sensitive TerraformOutput holding the password, named `<construct path below the stack,
   * "/" as "_">_password` (see `passwordOutputName`).
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
   * tokens) uses the one of the first token declared in the stack. It must be known at synth: the
   * destroy steps run it, and they may reference nothing but their own resource.
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
   * A rolling expiry: each creation or rotation sets the token's expiry to its own time plus this
   * many days (1 to 3650). The API deletes a token at its expiry, so pair it with `rotateEveryDays`.
   * A change takes effect at the next creation or rotation; an update never moves the expiry. Not
   * with `expiryDate`; must be known at synth.
   * @default - no rolling expiry (`expiryDate`, or none)
   */
  readonly expiresAfterDays?: number;
  /**
   * Scheduled rotation: time is cut into periods of this many days (counted from 1970-01-01 UTC), and
   * the first deploy in a new period rotates the token (new password, and with `expiresAfterDays` a
   * new expiry). The decision is made at synth from the date alone: no API call, the same on every
   * runner, and a deploy in the same period changes nothing. Must be less than `expiresAfterDays`.
   * Setting it (or changing it) rotates the token at the next deploy. Same-name rotation has a gap of a
   * few seconds, as with `rotationTrigger`.
   * @default - no scheduled rotation
   */
  readonly rotateEveryDays?: number;
  /**
   * Plans warn, with no API call, when the token expires (`expiryDate`, or `expiresAfterDays` after
   * its creation) or is due for a scheduled rotation within this many days: a Terraform `check`
   * block, which the engine prints as a warning while plan and apply go on. 0 turns them off; a
   * window as long as `rotateEveryDays` or longer is refused (it would warn on every plan).
   * @default 14, or half of `rotateEveryDays` when that is shorter
   */
  readonly expiryWarningDays?: number;
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
   * `GET /registries/{id}` → `properties.hostname`). When set, `dockerConfigJson`
   * holds a Docker config JSON for it and, with `passwordOutput`, the sensitive output
   * `<path>_docker_config_json` is added. To have it read from the API instead, leave it out and
   * set `lookupRegistryHostname`.
   * @default - no Docker config JSON (unless `lookupRegistryHostname`)
   */
  readonly registryHostname?: string;
  /**
   * Read the registry's hostname from the API (`GET /registries/{id}`) when the token is created,
   * and build `dockerConfigJson` (and its output) with it, as `registryHostname` would. The read is
   * one call more per create or rotation, none on other deploys; it comes before the token is
   * written, so a failed read creates nothing and the deploy can simply run again. Setting it on a
   * token that exists already stops the plan with a message: rotate the token once
   * (`rotationTrigger`) to read it. Not with `registryHostname`; must be known at synth.
   * @default false
   */
  readonly lookupRegistryHostname?: boolean;
  /**
   * What the next deploy does to the live token once this construct is removed from the code:
   * `DESTROY` deletes it (one DELETE, by the stack's specs step), `RETAIN` keeps it live and only
   * forgets it (no API call). It applies to removal from the code only: `cdktf destroy`, a rename
   * and a rotation still delete the token they replace. Removing the last token of a stack forgets it
   * either way (Terraform runs no step for a stack with none of ours left): see README "Removal".
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Rotation without downtime: two live credentials in alternation, tokens named `<name>-a` and
   * `<name>-b` (so `name` may be at most 61 characters). Each period of `rotateEveryDays` (required)
   * re-creates one of them (`a` in even periods, `b` in odd ones) while the other, made a period
   * earlier, stays live for `overlapDays`. `username`, `password`, `dockerConfigJson` and the outputs
   * are the current credential's, so consumers that follow them by reference move to the new one in
   * the deploy that makes it, and a consumer one rotation behind still logs in during the overlap.
   * Not with `adoptTokenId` or `rotationTrigger`. Turning it on replaces the token by the two slots.
   * See docs/design/zero-downtime.md.
   * @default false
   */
  readonly zeroDowntime?: boolean;
  /**
   * With `zeroDowntime`: how many days the previous credential stays live after its successor is
   * made; the first deploy after that deletes it. From 1 to `rotateEveryDays`; with a whole period
   * (the default) it lives until its own next rotation. With `expiresAfterDays`, that must exceed
   * `rotateEveryDays + overlapDays`.
   * @default - `rotateEveryDays`
   */
  readonly overlapDays?: number;
}

/**
 * An IONOS Container Registry token. Its password is captured into the Terraform state at create
 * and exposed as `password` and a sensitive output.
 *
 * At apply, two `terraform_data` resources per credential (three with `lookupRegistryHostname`; a
 * `zeroDowntime` token has two credentials, docs/design/zero-downtime.md) run the
 * bundled handler: `create` makes the token (idempotent PUT), `password` captures the password, holds
 * the token's identity and deletes it on destroy; the stack's one `registry-token-specs` resource applies status, expiry and scope
 * changes by diff, for every token of the stack. See docs/design/resources.md.
 */
export class RegistryToken extends Construct {
  /** The token's id in the registry (a uuid derived from stack, construct path, registry and name); with `zeroDowntime`, the current credential's. */
  public readonly tokenId: string;
  /** The docker username, which is the token name (with `zeroDowntime`, the current credential's: `<name>-a` or `-b`). */
  public readonly username: string;
  /** The token's password: sensitive, in the state only. */
  public readonly password: string;
  /** The name of the sensitive password output, or undefined when `passwordOutput` is false. */
  public readonly passwordOutputName?: string;
  /**
   * The registry's hostname: the prop `registryHostname`, or the one read at create with
   * `lookupRegistryHostname` (known at apply); undefined without either.
   */
  public readonly registryHostname?: string;
  /**
   * A Docker config JSON for the registry (`{"auths":{"<registryHostname>":{"username","password",
   * "auth"}}}`, `auth` = base64 of `username:password`), built by Terraform and sensitive: give it to a
   * `kubernetes_secret` of type `kubernetes.io/dockerconfigjson` (key `.dockerconfigjson`) or a CI
   * variable. Undefined unless `registryHostname` or `lookupRegistryHostname` is set.
   */
  public readonly dockerConfigJson?: string;
  /** The name of the sensitive Docker config output, or undefined without a hostname (given or looked up) or with `passwordOutput: false`. */
  public readonly dockerConfigJsonOutputName?: string;
  /** With `zeroDowntime` and `passwordOutput`: the name of the output holding the current username (`<name>-a` or `-b`). */
  public readonly usernameOutputName?: string;

  constructor(scope: Construct, id: string, config: RegistryTokenConfig) {
    super(scope, id);
    // The classes and functions of the stack's core: cdktf, or CDK Terrain's cdktn (see lib/core.ts).
    const cdk = coreOf(this);
    const { Annotations, TerraformStack } = cdk;
    const status = config.status ?? TokenStatus.ENABLED;
    const declared = StackSpecs.declared(this);
    const violations = checkTokenProps({ ...config, status }, { isUnresolved: unresolved, declared: config.zeroDowntime === true ? undefined : declared });
    if (violations.length > 0) throw invalidConfig(this.node.path, violations);
    if (config.expiryDate !== undefined && !unresolved(config.expiryDate)) {
      for (const v of checkExpiryLead(config.expiryDate, new Date())) {
        Annotations.of(this).addWarning(`${this.node.path}: ${describeViolation(v)}; the apply will refuse it unless the token already has this expiry`);
      }
    }

    const stack = TerraformStack.of(this);
    // Read once: the rotation keys and the warnings must agree on the period.
    const now = synthNow();
    const token: TokenBase = {
      cdk,
      stack: stack.node.id,
      now,
      config,
      status,
      handler: handlerOf(this, config.nodeExecutable ?? 'node'),
      retry: {
        ...(config.maxAttempts !== undefined ? { maxAttempts: config.maxAttempts } : {}),
        ...(config.totalTimeoutSeconds !== undefined ? { totalTimeoutSeconds: config.totalTimeoutSeconds } : {}),
      },
    };
    let current: Credential;
    if (config.zeroDowntime === true) {
      // Two credentials in alternation, each a child construct `a` or `b` named `<name>-a`/`-b`.
      const every = config.rotateEveryDays as number;
      const plan = slotPlan(every, config.overlapDays ?? every, now);
      const slots = [plan.current, ...(plan.previous ? [plan.previous] : [])].sort((x, y) => x.id.localeCompare(y.id));
      const names = slots.map((slot) => slotName(cdk, config.name, slot.id));
      const taken = names.flatMap((name) => checkUniqueName(declared, config.registryId, name, unresolved));
      if (taken.length > 0) throw invalidConfig(this.node.path, taken);
      const made = slots.map((slot, i) => declareCredential(new Construct(this, slot.id), token, names[i], rotationKey(every, slot.period)));
      current = made[slots.indexOf(plan.current)];
    } else {
      const rotation = config.rotateEveryDays !== undefined ? rotationKey(config.rotateEveryDays, rotationPeriod(config.rotateEveryDays, now)) : undefined;
      current = declareCredential(this, token, config.name, rotation);
    }
    this.tokenId = current.tokenId;
    this.username = current.name;
    this.password = current.password;
    this.registryHostname = current.hostname ?? config.registryHostname;

    const pathInStack = this.node.path.split('/').slice(1).join('/');
    const outputs = config.passwordOutput ?? true;
    if (outputs) {
      const description = `Password of the IONOS registry token "${config.name}" (username "${config.name}")`;
      this.passwordOutputName = sensitiveOutput(cdk, stack, `${outputPrefix(pathInStack)}_password`, this.password, description);
    }
    if (outputs && config.zeroDowntime === true) {
      // Not secret, and it alternates: consumers outside the stack read both name and password.
      const name = `${outputPrefix(pathInStack)}_username`;
      new cdk.TerraformOutput(stack, name, { value: this.username, description: literalDeep(`Username of the current credential of "${config.name}" (-a or -b)`) }).overrideLogicalId(name);
      this.usernameOutputName = name;
    }
    if (this.registryHostname !== undefined) {
      this.dockerConfigJson = dockerConfigJson(cdk, this.registryHostname, this.username, this.password);
      if (outputs) {
        const at = config.lookupRegistryHostname === true ? "the registry's hostname (read at create)" : config.registryHostname;
        this.dockerConfigJsonOutputName = sensitiveOutput(
          cdk,
          stack,
          `${outputPrefix(pathInStack)}_docker_config_json`,
          this.dockerConfigJson,
          `Docker config JSON (kubernetes.io/dockerconfigjson) for "${config.name}" at ${at}`,
        );
      }
    }
  }
}

/** What every credential of one token shares. */
interface TokenBase {
  readonly cdk: Core;
  /** The stack's id (a part of the token id). */
  readonly stack: string;
  /** "Now" at synth: what the schedule is decided by. */
  readonly now: Date;
  readonly config: RegistryTokenConfig;
  readonly status: TokenStatus;
  readonly handler: Handler;
  readonly retry: RetrySettings;
}

/** One live credential: a token in the registry and the resources that keep it. */
interface Credential {
  readonly tokenId: string;
  readonly name: string;
  readonly password: string;
  /** The hostname read at create (`lookupRegistryHostname` only). */
  readonly hostname?: string;
}

/** `<name>-a` or `<name>-b`: names are unique in a registry, so the two credentials differ by a suffix. */
function slotName({ Fn }: Core, name: string, slot: string): string {
  return unresolved(name) ? Fn.join('-', [name, slot]) : `${name}-${slot}`;
}

/**
 * The resources of one credential, below `scope`: `create`, `password` (and `hostname`), and its
 * entry in the stack's specs resource. `rotation` is the scheduled rotation's key, if any.
 */
function declareCredential(scope: Construct, token: TokenBase, name: string, rotation: string | undefined): Credential {
  const { cdk, config, status, handler, retry } = token;
  const { Fn, TerraformSelf, conditional } = cdk;
  const path = scope.node.path;
  const pathInStack = path.split('/').slice(1).join('/');
  const adopt = config.adoptTokenId !== undefined;
  const lookup = config.lookupRegistryHostname === true;
  const tokenId = tokenIdOf(cdk, token.stack, pathInStack, { ...config, name });
  const apiUrl = config.apiUrl ?? '';

  // create: one idempotent PUT at the token id; the password goes to a 0600 result file. Replaced
  // (after `password`'s destroy deleted the token) when the id changes (name, registry, construct
  // path), on rotation, and for an adopted token when its name or registry changes. Keys appear only
  // with the props that need them, so other changes never re-create a token.
  const createTriggers: Record<string, string> = { token_id: tokenId };
  if (config.rotationTrigger !== undefined) createTriggers.rotation = config.rotationTrigger;
  // The period of the schedule this synth falls in: a new period replaces `create` (a rotation).
  if (rotation !== undefined) createTriggers.rotation_period = rotation;
  if (adopt) Object.assign(createTriggers, { registry_id: config.registryId, name });
  const spec = declaredToken(name, { ...config, status });
  const createStep = stepText(
    cdk,
    (createId) =>
      ({
        op: Operation.CREATE,
        path,
        registryId: config.registryId,
        tokenId,
        apiUrl,
        spec,
        createId,
        ...(adopt ? { adopt } : {}),
        ...(lookup ? { lookupHostname: lookup } : {}),
        ...retry,
      }) satisfies CreateStep,
    { expression: 'self.id', token: () => TerraformSelf.getString('id') },
  );
  const precondition = preconditionsFor(cdk, path, { ...config, name, status });
  const creator = stepResource(scope, 'create', {
    triggersReplace: literalDeep(createTriggers),
    provisioners: [stepProvisioner(handler, stepTitle(Operation.CREATE, path), createStep)],
    ...(precondition.length > 0 ? { lifecycle: { precondition } } : {}),
  });
  // Warnings before the credential expires or rotates, and for a rolling expiry the creation time they count from.
  addExpiryWarnings(cdk, scope, { ...config, name, path }, creator, token.now);

  // password: reads the result file into the state (sensitive); the specs step after it removes the
  // file. Built with join() so that each unresolved part stays a whole reference.
  const resultFile = Fn.join('', [`${DEFAULT_WORK_DIR}/`, tokenId, '.', creator.id, RESULT_FILE_SUFFIX]);
  const fromResult = (key: string) => conditional(Fn.fileexists(resultFile), Fn.lookup(Fn.jsondecode(Fn.file(resultFile)), key, ''), '');
  // hostname (only with lookupRegistryHostname): the hostname the create wrote beside the password,
  // read as `password` reads its own (try(): a file without it gives ""); `password` waits for it,
  // so the file outlives both reads.
  const hostnameHolder = lookup ? hostnameResource(cdk, scope, creator, Fn.try([fromResult('hostname'), '']), name) : undefined;
  // The password sits in `triggers_replace` (not `input`): terraform_data mirrors `input` into an
  // `output` that Terraform does not mark sensitive, so a replacement would print it in the plan.
  //
  // It is also the token's identity in the state (`input`: registry, id, name, path, API URL) and
  // deletes the token on destroy. Terraform skips the destroy provisioners of a tainted resource, and
  // a failed create provisioner taints its resource: `password` has none, so its delete always runs.
  // It is replaced (delete, then the new create) exactly when `create` is.
  const identity: RecordedIdentity = {
    registry_id: config.registryId,
    token_id: tokenId,
    name,
    path,
    api_url: apiUrl,
    ...(adopt ? { adopt: 'true' as const } : {}),
  };
  // As JSON text (plans show it as jsonencode({...})): a string costs the engine far less to write
  // into the state after every resource change than an object with its type (and twice: `output`).
  const identityText = JSON.stringify(identity);
  // Its destroy step reads the identity back from the state, as any version recorded it. Destroy
  // steps may refer to `self` only, so a retry setting known only at apply is left to the environment here.
  const deleteStep = stepText(
    cdk,
    (recorded) => ({ op: Operation.DELETE, identity: recorded, ...resolvedOnly(retry) }) satisfies DeleteStep,
    { expression: RECORDED_IDENTITY_EXPRESSION, json: true },
  );
  // Once it holds the password, a note (no secret): the result file goes when the engine has written
  // its state (lib/handler/captured.ts). `continue`: it never taints `password`, whose replacement deletes the token.
  const captured = {
    ...stepProvisioner(handler, stepTitle(Operation.CAPTURED, path), stepText(cdk, (createId) => ({ op: Operation.CAPTURED, tokenId, createId }) satisfies CapturedStep, { expression: `${address(creator)}.id`, token: () => creator.id })),
    onFailure: 'continue',
  };
  const capture = stepResource(scope, 'password', {
    triggersReplace: Fn.sensitive(fromResult('password')),
    input: (unresolved(identityText) ? Fn.jsonencode(literalDeep(identity)) : literal(identityText)) as unknown as Record<string, string>,
    dependsOn: hostnameHolder ? [creator, hostnameHolder] : [creator],
    lifecycle: { ignoreChanges: ['triggers_replace'], replaceTriggeredBy: [address(creator)] },
    provisioners: [stepProvisioner(handler, stepTitle(Operation.DELETE, path), deleteStep, 'destroy'), captured],
  });

  // The spec (status, expiry, scopes, in plain words) goes to the stack's one specs resource, whose
  // replacement applies the difference to the live tokens (GET, then PATCH or PUT, or nothing) and
  // removes the result file once `password` has read it.
  StackSpecs.of(scope, handler).add({
    path,
    entry: specsEntry(cdk, { spec, tokenId, registryId: config.registryId, apiUrl, removalPolicy: config.removalPolicy }),
    creator,
    capture,
    captured: !adopt,
    retry,
  });
  return {
    tokenId,
    name,
    password: capture.getStringAttribute('triggers_replace'),
    ...(hostnameHolder ? { hostname: hostnameHolder.getStringAttribute('triggers_replace') } : {}),
  };
}

/** The token's id: the adopted one, else derived from stack, path, registry and name (by Terraform when a part is known only at apply). */
function tokenIdOf({ Fn }: Core, stack: string, pathInStack: string, config: RegistryTokenConfig): string {
  if (config.adoptTokenId !== undefined) {
    return unresolved(config.adoptTokenId) ? Fn.lower(config.adoptTokenId) : config.adoptTokenId.toLowerCase();
  }
  const seed = tokenIdSeed(stack, pathInStack, config.registryId, config.name);
  return seed.some(unresolved) ? Fn.uuidv5(TOKEN_ID_NAMESPACE, Fn.join(TOKEN_ID_SEPARATOR, seed)) : deriveTokenId(seed);
}

/**
 * The `hostname` resource of a token with `lookupRegistryHostname`: `triggers_replace` holds the
 * hostname its create read (`value`), kept as `password` keeps the password. Its postcondition stops
 * a plan that would leave it empty: a token created before the prop was set, whose create never read it.
 */
function hostnameResource(cdk: Core, scope: Construct, creator: DataResource, value: unknown, name: string): DataResource {
  const { Fn, TerraformSelf } = cdk;
  const path = scope.node.path;
  const errorMessage =
    `${path}: the registry's hostname of token "${name}" is unknown: lookupRegistryHostname reads it when the token is created, ` +
    'and this token was created before it was set (or its result file was lost). Rotate the token once (set or change rotationTrigger) ' +
    'to read it, or set registryHostname instead';
  return stepResource(scope, 'hostname', {
    triggersReplace: value as Record<string, unknown>,
    dependsOn: [creator],
    lifecycle: {
      ignoreChanges: ['triggers_replace'],
      replaceTriggeredBy: [address(creator)],
      // Not empty ("." matches any character; cdktf's operators cannot compare with a literal "").
      postcondition: [{ condition: Fn.can(Fn.regex('.', TerraformSelf.getString('triggers_replace'))), errorMessage: literal(errorMessage) }],
    },
  });
}

/** The retry settings known at synth. */
function resolvedOnly(retry: RetrySettings): RetrySettings {
  return Object.fromEntries(Object.entries(retry).filter(([, v]) => !unresolvedIn(v)));
}

/** The construct path below the stack, "/" → "_": the start of the outputs' names. */
const outputPrefix = (pathInStack: string): string => pathInStack.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * A sensitive output named `name`: a child of the stack whose construct id is `name` too, because
 * cdktf and cdktn list a deploy's outputs (and write `deploy --outputs-file`) by construct path, which
 * up to 0.5 was `<token>/password-output`. The name in Terraform is the logical id, as before, so a
 * state keeps its outputs.
 */
function sensitiveOutput(cdk: Core, stack: Construct, name: string, value: string, description: string): string {
  new cdk.TerraformOutput(stack, name, { value, sensitive: true, description: literalDeep(description) }).overrideLogicalId(name);
  return name;
}

/**
 * `{"auths":{"<host>":{"username","password","auth"}}}` as a sensitive Terraform expression. A host
 * that is a cdktf token becomes the key through zipmap() (a map key must be a plain string in cdktf).
 */
function dockerConfigJson({ Fn }: Core, host: string, username: string, password: string): string {
  const entry = { username, password, auth: Fn.base64encode(Fn.join(':', [username, password])) };
  const auths = unresolved(host) ? Fn.zipmap([host], [entry]) : { [host]: entry };
  return Fn.sensitive(Fn.jsonencode(literalDeep({ auths })));
}
