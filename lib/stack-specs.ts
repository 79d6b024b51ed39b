/**
 * The stack's one specs resource, `registry-token-specs`: the declared name, status, expiry and scopes
 * of every token, in plain words (`triggers_replace.tokens["<construct path>"]`), and a digest of the
 * tokens' `create` ids. Any change replaces it; its create step (lib/handler/specs.ts) then updates,
 * of the tokens it lists, only those whose entry changed (GET, then PATCH, PUT or nothing), skips
 * those created in this run with this very spec, and removes the result files the `password`
 * resources have read. Its destroy step hands the entries it held to that create step (same engine
 * run), which is how it knows what changed, and deletes the tokens that left the code. One resource
 * per stack instead of one per token: each resource costs the engine a state write.
 */
import type { DataResource, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { Core, coreOf, isUnresolved } from './core';
import { Operation, STACK_SPECS_NAME } from './handler/consts';
import type { RetrySettings, SpecsBeforeWire, SpecsEntry, SpecsStep, SpecsToken } from './handler/step';
import { RemovalPolicy } from './model';
import { address, Handler, literal, literalDeep, stepProvisioner, stepResource, stepText, StepText, stepTitle } from './provisioner';
import { entryFields } from './specs-entry';
import type { DesiredToken } from './token-spec';
import { DeclaredToken } from './validation';

/** What one token gives the stack's specs resource. */
export interface SpecsMember {
  /** The construct path: the key of the token in the plan (`tokens["<path>"]`). */
  readonly path: string;
  /** What a reviewer reads in the plan, and what the step applies. */
  readonly entry: SpecsEntry;
  /** The token's `create` resource. */
  readonly creator: DataResource;
  /** The token's `password` resource: the step runs after it has read the result file. */
  readonly capture: DataResource;
  /**
   * The step is told whether `password` holds a password (never for an adopted token, whose password
   * is unknown): a created token without one fails the step, so no deploy ends well without it.
   */
  readonly captured: boolean;
  readonly retry: RetrySettings;
}

/** A token's entry. Keys appear only with the props that need them, so an entry changes only with what it says. */
export function specsEntry(cdk: Core, t: {
  readonly spec: DesiredToken;
  readonly tokenId: string;
  readonly registryId: string;
  readonly apiUrl: string;
  readonly removalPolicy?: RemovalPolicy;
}): SpecsEntry {
  return {
    name: t.spec.name,
    ...entryFields(t.spec, { isUnresolved, join: (separator, parts) => cdk.Fn.join(separator, parts) }),
    // What the destroy step needs to delete the token once it leaves the code.
    token_id: t.tokenId,
    registry_id: t.registryId,
    ...(t.apiUrl ? { api_url: t.apiUrl } : {}),
    ...(t.removalPolicy === RemovalPolicy.RETAIN ? { removal_policy: RemovalPolicy.RETAIN } : {}),
  };
}

/**
 * Characters per piece of the entries a destroy step gets: at most 6 bytes each once jsonencode()
 * has escaped them (`\u003c`), so a piece stays under Linux's 128 KiB for one environment string.
 */
const BEFORE_PIECE_CHARS = 20_000;
/** Room for entries this many times as long as those declared now (tokens removed at once). */
const BEFORE_ROOM = 3;
const BEFORE_MIN_PIECES = 4;

export class StackSpecs {
  private static readonly byStack = new WeakMap<TerraformStack, StackSpecs>();

  /** The stack's specs resource; the first token of a stack makes it, with its handler (and Node executable). */
  static of(scope: Construct, handler: Handler): StackSpecs {
    const stack = coreOf(scope).TerraformStack.of(scope);
    let specs = StackSpecs.byStack.get(stack);
    if (!specs) StackSpecs.byStack.set(stack, (specs = new StackSpecs(stack, handler)));
    return specs;
  }

  /** The tokens declared so far in the stack of `scope`. */
  static declared(scope: Construct): DeclaredToken[] {
    const members = StackSpecs.byStack.get(coreOf(scope).TerraformStack.of(scope))?.members ?? [];
    return members.map((m) => ({ path: m.path, registryId: m.entry.registry_id, name: m.entry.name }));
  }

  private readonly members: SpecsMember[] = [];
  private readonly resource: DataResource;
  /** The steps' pieces, made once per set of members (each provisioner asks twice). */
  private steps?: { readonly members: number; readonly specs: StepText[]; readonly before: StepText[] };

  private constructor(private readonly stack: TerraformStack, private readonly handler: Handler) {
    const members = this.members;
    const { Fn, Lazy } = handler.cdk;
    this.resource = stepResource(stack, STACK_SPECS_NAME, {
      triggersReplace: Lazy.anyValue({
        produce: () => ({
          tokens: literalDeep(Object.fromEntries(members.map((m) => [m.path, m.entry]))),
          creates: Fn.substr(Fn.sha256(Fn.join(',', members.map((m) => m.creator.id))), 0, 16),
        }),
      }) as unknown as Record<string, unknown>,
      provisioners: [
        stepProvisioner(handler, stepTitle(Operation.SPECS, `stack ${stack.node.id}`), () => this.pieces().specs),
        stepProvisioner(handler, stepTitle(Operation.SPECS_BEFORE, `stack ${stack.node.id}`), () => this.pieces().before, 'destroy'),
      ],
    });
  }

  add(member: SpecsMember): void {
    this.members.push(member);
    this.resource.dependsOn = [...(this.resource.dependsOn ?? []), address(member.capture)];
  }

  private pieces(): { specs: StepText[]; before: StepText[] } {
    if (this.steps?.members !== this.members.length) this.steps = { members: this.members.length, specs: this.specsStep(), before: this.specsBeforeStep() };
    return this.steps;
  }

  /** Every token: its entry and what only the apply knows (its create id, whether its password reached the state). */
  private specsStep(): StepText[] {
    // `{"op":"specs","stack":"<stack>","tokens":[]}`: the tokens go between its last two brackets, one piece each.
    const envelope = literal(JSON.stringify({ op: Operation.SPECS, stack: this.stack.node.id, tokens: [] } satisfies SpecsStep));
    const tokens = this.members.flatMap((m, i) => [...(i > 0 ? [{ text: ',', bytes: 1 }] : []), ...tokenStep(this.handler.cdk, m)]);
    return [{ text: envelope.slice(0, -2), bytes: envelope.length }, ...tokens, { text: envelope.slice(-2), bytes: 2 }];
  }

  /**
   * Every entry this resource held (also of tokens that left the code), and the paths declared now.
   * Destroy steps may refer to `self` only, and only the apply knows how long the entries are: their
   * JSON text goes in pieces of BEFORE_PIECE_CHARS characters, each its own environment variable,
   * with room for BEFORE_ROOM times the entries declared now (at least BEFORE_MIN_PIECES pieces).
   */
  private specsBeforeStep(): StepText[] {
    const declared = this.members.map((m) => m.path);
    const chars = JSON.stringify(Object.fromEntries(this.members.map((m) => [m.path, m.entry]))).length;
    const count = Math.max(BEFORE_MIN_PIECES, Math.ceil((BEFORE_ROOM * chars) / BEFORE_PIECE_CHARS));
    const pieces = Array.from({ length: count }, (_, i) => ({
      expression: `jsonencode(substr(jsonencode(try(self.triggers_replace.tokens, {})), ${i * BEFORE_PIECE_CHARS}, ${BEFORE_PIECE_CHARS}))`,
      json: true,
      unbounded: true,
    }));
    return stepText(this.handler.cdk, (...text: string[]) => ({ op: Operation.SPECS_BEFORE, declared, beforeText: text }) satisfies SpecsBeforeWire, ...pieces);
  }
}

function tokenStep(cdk: Core, m: SpecsMember): StepText[] {
  const { Fn, Op } = cdk;
  const createId = { expression: `${address(m.creator)}.id`, token: () => m.creator.id };
  const base = { path: m.path, entry: m.entry, create: m.creator.friendlyUniqueId, password: m.capture.friendlyUniqueId, ...m.retry };
  if (!m.captured) return stepText(cdk, (id) => ({ ...base, createId: id }) satisfies SpecsToken, createId);
  // `>= 1`, not `> 0`: cdktf 0.21 renders an operand 0 as `undefined` (`length(...) > undefined`).
  const captured = {
    expression: `nonsensitive(length(${address(m.capture)}.triggers_replace) >= 1)`,
    token: () => Fn.nonsensitive(Op.gte(Fn.lengthOf(m.capture.getStringAttribute('triggers_replace')), 1)),
    json: true,
  };
  return stepText(cdk, (id, isCaptured) => ({ ...base, createId: id, captured: isCaptured }) satisfies SpecsToken, createId, captured);
}
