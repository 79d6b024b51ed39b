/**
 * The one settings contract between the construct and the handler. Every provisioner hands the
 * handler one step: a JSON value of one of the shapes below (the operation, and what it needs),
 * read by the one parser, {@link parseStep}. The construct builds its steps typed by these
 * interfaces (lib/registry-token.ts, lib/stack-specs.ts; encoded by lib/provisioner.ts), so the
 * compiler checks both sides. A step never holds a credential: those, and the client's IONOS_*
 * settings, come from the engine's environment, as every provisioner's do.
 *
 * Keys are camelCase, except inside the two values the Terraform state records as they are:
 * `password.input` ({@link RecordedIdentity}) and the specs resource's entries ({@link SpecsEntry}).
 */
import { isRecord } from '../is-record';
import { RemovalPolicy } from '../model';
import type { EntryFields } from '../token-fields';
import type { DesiredToken } from '../token-spec';
import { checkTokenProps } from '../validation';
import { Operation } from './consts';
import { brokenRules, unreadableStep } from './errors';

/** The props `maxAttempts` and `totalTimeoutSeconds`; absent: the environment's, else the defaults. */
export interface RetrySettings {
  readonly maxAttempts?: number;
  readonly totalTimeoutSeconds?: number;
}

/** `create`, the step of a token's `create` resource: one idempotent PUT at the token's id. */
export interface CreateStep extends RetrySettings {
  readonly op: Operation.CREATE;
  /** The construct path, for messages. */
  readonly path: string;
  readonly registryId: string;
  readonly tokenId: string;
  /** The prop `apiUrl`; "" for IONOS_API_URL (or the IONOS config file), else production. */
  readonly apiUrl: string;
  readonly spec: DesiredToken;
  /** The `create` resource's id: it names the result file the `password` resource reads. */
  readonly createId: string;
  /** The prop `adoptTokenId` is set: take over the token found at the id. */
  readonly adopt?: boolean;
  /** The prop `lookupRegistryHostname`: read the registry's hostname first, into the result file. */
  readonly lookupHostname?: boolean;
}

/** A token's identity as `password.input` records it: JSON text since 0.3, an object in 0.2. */
export interface RecordedIdentity {
  readonly registry_id: string;
  readonly token_id: string;
  readonly name: string;
  readonly path: string;
  readonly api_url: string;
  readonly adopt?: 'true';
}

/** `delete`, the `password` resource's destroy step. `identity` is null for a state written by 0.1, which records none. */
export interface DeleteStep extends RetrySettings {
  readonly op: Operation.DELETE;
  readonly identity: RecordedIdentity | null;
}

/**
 * One token's entry in the stack's specs resource, `triggers_replace.tokens["<construct path>"]`: what
 * the plan shows. Its name, then its fields in plain words (lib/token-fields.ts), then its identity.
 */
export interface SpecsEntry extends EntryFields {
  readonly name: string;
  readonly token_id: string;
  readonly registry_id: string;
  /** The prop `apiUrl`, when set. */
  readonly api_url?: string;
  /** Only when RETAIN (DESTROY is the default). */
  readonly removal_policy?: RemovalPolicy.RETAIN;
}

/** One token of the specs step. The entry is the declaration: the step applies what the plan showed. */
export interface SpecsToken extends RetrySettings {
  readonly path: string;
  readonly entry: SpecsEntry;
  /** The name of the token's `create` resource, for the command that creates it again. */
  readonly create: string;
  /** The name of its `password` resource, replaced by that command too (lib/handler/runner.ts). */
  readonly password?: string;
  /** Its id: with the token id, it names the result file and the create's marker. */
  readonly createId: string;
  /** False when the token's `password` resource holds ""; absent for an adopted token (its password is unknown). */
  readonly captured?: boolean;
}

/** `specs`, the create step of the stack's specs resource: every token of the stack. */
export interface SpecsStep {
  readonly op: Operation.SPECS;
  /** The stack's name, for the command that creates a token again. */
  readonly stack: string;
  readonly tokens: SpecsToken[];
}

/** `specs-before`, the destroy step of the stack's specs resource. */
export interface SpecsBeforeStep {
  readonly op: Operation.SPECS_BEFORE;
  /** The construct paths declared now. */
  readonly declared: string[];
  /** The entries the destroyed resource held, by construct path, as whichever version wrote them. */
  readonly before: Record<string, unknown>;
}

/**
 * How `specs-before` carries the entries: their JSON text cut into strings (`beforeText`), because
 * only the apply knows how long it is and one environment string may not pass 128 KiB; the parser
 * joins them.
 */
export interface SpecsBeforeWire {
  readonly op: Operation.SPECS_BEFORE;
  readonly declared: string[];
  readonly beforeText: string[];
}

/**
 * `captured`, the create step of a token's `password` resource: its password is in the engine's state
 * now (written when the engine exits, or sooner), so its result file may go then. No secret.
 */
export interface CapturedStep {
  readonly op: Operation.CAPTURED;
  readonly tokenId: string;
  /** The `create` resource's id: with the token id, it names the result file. */
  readonly createId: string;
}

export type TokenStep = CreateStep | DeleteStep | SpecsStep | SpecsBeforeStep | CapturedStep;

/** Reads a step's JSON text; anything but the shapes above is one clear error. */
export function parseStep(text: string): TokenStep {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw unreadableStep('it is not JSON');
  }
  if (!isRecord(doc)) throw unreadableStep('it is not a JSON object');
  switch (doc.op) {
    case Operation.CREATE:
      return createStep(doc);
    case Operation.DELETE:
      return deleteStep(doc);
    case Operation.SPECS:
      return specsStep(doc);
    case Operation.SPECS_BEFORE:
      return specsBeforeStep(doc);
    case Operation.CAPTURED:
      return capturedStep(doc);
    default:
      throw unreadableStep(`operation ${JSON.stringify(doc.op)}`);
  }
}

function text(doc: Record<string, unknown>, key: string, where: string, required = true): string {
  const v = doc[key];
  if (typeof v === 'string' && (v !== '' || !required)) return v;
  if (v === undefined && !required) return '';
  throw unreadableStep(`${where} has no ${key}`);
}

/** A number the construct wrote, or one Terraform encoded from a variable (a number, or its digits as text). */
function retrySettings(doc: Record<string, unknown>, path: string): RetrySettings {
  const read = (v: unknown) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v);
  const settings = { maxAttempts: read(doc.maxAttempts), totalTimeoutSeconds: read(doc.totalTimeoutSeconds) };
  // Values unresolved at synth are checked here, with the construct's words.
  const broken = checkTokenProps(settings, { partial: true });
  if (broken.length > 0) throw brokenRules(path, broken);
  const out: { maxAttempts?: number; totalTimeoutSeconds?: number } = {};
  if (settings.maxAttempts !== undefined && settings.maxAttempts !== null) out.maxAttempts = settings.maxAttempts as number;
  if (settings.totalTimeoutSeconds !== undefined && settings.totalTimeoutSeconds !== null) out.totalTimeoutSeconds = settings.totalTimeoutSeconds as number;
  return out;
}

/** The declared spec; values unresolved at synth arrive as Terraform evaluated them and are checked by the lifecycle. */
function spec(v: unknown): DesiredToken {
  if (!isRecord(v)) throw unreadableStep('the create step has no spec');
  return {
    name: typeof v.name === 'string' ? v.name : '',
    scopes: (Array.isArray(v.scopes) ? v.scopes : []) as DesiredToken['scopes'],
    status: typeof v.status === 'string' && v.status !== '' ? v.status : 'enabled',
    expiryDate: typeof v.expiryDate === 'string' && v.expiryDate !== '' ? v.expiryDate : null,
    ...(typeof v.expiresAfterDays === 'number' ? { expiresAfterDays: v.expiresAfterDays } : {}),
  };
}

function createStep(doc: Record<string, unknown>): CreateStep {
  const path = text(doc, 'path', 'the create step');
  return {
    op: Operation.CREATE,
    path,
    registryId: text(doc, 'registryId', 'the create step'),
    tokenId: text(doc, 'tokenId', 'the create step'),
    apiUrl: text(doc, 'apiUrl', 'the create step', false),
    spec: spec(doc.spec),
    createId: text(doc, 'createId', 'the create step'),
    adopt: doc.adopt === true,
    ...(doc.lookupHostname === true ? { lookupHostname: true } : {}),
    ...retrySettings(doc, path),
  };
}

function deleteStep(doc: Record<string, unknown>): DeleteStep {
  const i = doc.identity;
  if (i !== null && !isRecord(i)) throw unreadableStep('the delete step has no identity');
  const identity: RecordedIdentity | null =
    i === null
      ? null
      : {
          registry_id: text(i, 'registry_id', 'the identity', false),
          token_id: text(i, 'token_id', 'the identity', false),
          name: text(i, 'name', 'the identity', false),
          path: text(i, 'path', 'the identity', false),
          api_url: text(i, 'api_url', 'the identity', false),
          ...(i.adopt === 'true' ? { adopt: 'true' as const } : {}),
        };
  return { op: Operation.DELETE, identity, ...retrySettings(doc, identity?.path || identity?.name || 'token') };
}

function entry(v: unknown, path: string): SpecsEntry {
  const where = `the entry of ${path}`;
  if (!isRecord(v)) throw unreadableStep(`${path} has no entry`);
  if (!Array.isArray(v.scopes) || !v.scopes.every((s) => typeof s === 'string')) throw unreadableStep(`${where} has no scopes`);
  return {
    name: text(v, 'name', where),
    status: text(v, 'status', where, false),
    expiry_date: text(v, 'expiry_date', where, false),
    scopes: v.scopes as string[],
    token_id: text(v, 'token_id', where),
    registry_id: text(v, 'registry_id', where),
    ...(typeof v.api_url === 'string' ? { api_url: v.api_url } : {}),
    ...(v.removal_policy === RemovalPolicy.RETAIN ? { removal_policy: RemovalPolicy.RETAIN } : {}),
  };
}

function specsStep(doc: Record<string, unknown>): SpecsStep {
  if (!Array.isArray(doc.tokens)) throw unreadableStep('the specs step has no tokens');
  const tokens = doc.tokens.map((t: unknown, i): SpecsToken => {
    if (!isRecord(t)) throw unreadableStep(`token ${i} of the specs step is not an object`);
    const path = text(t, 'path', `token ${i} of the specs step`);
    return {
      path,
      entry: entry(t.entry, path),
      create: text(t, 'create', path),
      ...(typeof t.password === 'string' && t.password !== '' ? { password: t.password } : {}),
      createId: text(t, 'createId', path),
      ...(typeof t.captured === 'boolean' ? { captured: t.captured } : {}),
      ...retrySettings(t, path),
    };
  });
  return { op: Operation.SPECS, stack: text(doc, 'stack', 'the specs step'), tokens };
}

function capturedStep(doc: Record<string, unknown>): CapturedStep {
  const ids = { tokenId: text(doc, 'tokenId', 'the captured step'), createId: text(doc, 'createId', 'the captured step') };
  // They name files: ids only, never a path.
  for (const [key, id] of Object.entries(ids)) if (!/^[0-9A-Za-z-]+$/.test(id)) throw unreadableStep(`the captured step's ${key} ${JSON.stringify(id)} is not an id`);
  return { op: Operation.CAPTURED, ...ids };
}

function specsBeforeStep(doc: Record<string, unknown>): SpecsBeforeStep {
  const declared = doc.declared;
  if (!Array.isArray(declared) || !declared.every((p) => typeof p === 'string')) throw unreadableStep('the specs-before step has no declared paths');
  const pieces = doc.beforeText;
  if (!Array.isArray(pieces) || !pieces.every((p) => typeof p === 'string')) throw unreadableStep('the specs-before step has no entries before');
  let before: unknown;
  try {
    before = JSON.parse(pieces.join(''));
  } catch {
    throw unreadableStep(
      `the entries the specs resource held do not fit the ${pieces.length} pieces this synth made room for (far more tokens left the code at once than are declared): declare the removed tokens again and remove them over several deploys`,
    );
  }
  if (!isRecord(before)) throw unreadableStep('the specs-before step has no entries before');
  return { op: Operation.SPECS_BEFORE, declared, before };
}
