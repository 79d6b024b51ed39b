/**
 * Plan warnings before a token expires or rotates (docs/design/expiry-warnings.md): one Terraform
 * `check` block per token, whose assertions compare the event's date with plantimestamp() plus the
 * window. The engine prints a failed assertion as a warning and goes on (plan and apply exit 0); it
 * reads only the configuration and the state, so no API call is made.
 *
 * The events and the words are pure functions of plain values; only {@link addExpiryWarnings}
 * touches the core (cdktf or cdktn), which has no class for a `check` block.
 */
import type { DataResource, TerraformElement } from 'cdktf';
import type { Construct } from 'constructs';
import { Core, isUnresolved } from './core';
import { literal } from './provisioner';
import { periodStart, rotationPeriod } from './schedule';

/** The window of `expiryWarningDays` when it is not set, unless half the rotation period is shorter. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 14;

/** What a token's warnings are made of: its props as the construct has them (some maybe unresolved). */
export interface WarnedToken {
  /** The construct path. */
  readonly path: string;
  readonly name: string;
  readonly expiryDate?: string | null;
  readonly expiresAfterDays?: number;
  readonly rotateEveryDays?: number;
  readonly expiryWarningDays?: number;
  /** Two credentials in alternation: a rotation asks nothing of anyone, so it is not warned of. */
  readonly zeroDowntime?: boolean;
}

/**
 * One event a plan can warn about. `at` is its date when known at synth (or the user's expression);
 * a rolling expiry's date is its creation time plus `afterDays`, known from the state only.
 */
export type WarnedEvent =
  | { readonly kind: 'expires'; readonly at: string }
  | { readonly kind: 'expires'; readonly afterDays: number }
  | { readonly kind: 'rotates'; readonly at: string; readonly everyDays: number };

/** The window in days: the prop as given; else 14, or half of `rotateEveryDays` when that is shorter. */
export function warningWindowDays(t: Pick<WarnedToken, 'expiryWarningDays' | 'rotateEveryDays'>): number {
  if (t.expiryWarningDays !== undefined) return t.expiryWarningDays;
  return t.rotateEveryDays === undefined ? DEFAULT_EXPIRY_WARNING_DAYS : Math.min(DEFAULT_EXPIRY_WARNING_DAYS, Math.floor(t.rotateEveryDays / 2));
}

/**
 * What a token's plan may warn about, `now` being synth's "now": its fixed or rolling expiry, and
 * its next scheduled rotation (the start of the next period, when its first deploy rotates it).
 */
export function warnedEvents(t: WarnedToken, now: Date): WarnedEvent[] {
  const out: WarnedEvent[] = [];
  if (t.expiryDate !== undefined && t.expiryDate !== null) out.push({ kind: 'expires', at: t.expiryDate });
  if (t.expiresAfterDays !== undefined) out.push({ kind: 'expires', afterDays: t.expiresAfterDays });
  if (t.rotateEveryDays !== undefined && t.zeroDowntime !== true) {
    const next = periodStart(t.rotateEveryDays, rotationPeriod(t.rotateEveryDays, now) + 1);
    out.push({ kind: 'rotates', at: next.toISOString().replace('.000Z', 'Z'), everyDays: t.rotateEveryDays });
  }
  return out;
}

/**
 * The warning of one event, one line: the token (name and path), the date, what happens and what to
 * do. `date` and `windowDays` are text (a date, or a Terraform template the plan fills in).
 */
export function warningText(t: WarnedToken, e: WarnedEvent, date: string, windowDays: string): string {
  const who = `registry-token: token "${t.name}" (${t.path})`;
  if (e.kind === 'rotates') {
    return `${who} rotates at the first deploy on or after ${date}, within ${windowDays} days (every ${e.everyDays} days): it gets a new password; deploy then, and update anything that holds a copy of the password`;
  }
  const what = 'at' in e ? `expires on ${date}` : `expires on ${date} (${e.afterDays} days after its creation)`;
  const todo =
    'at' in e
      ? 'set a later expiryDate and deploy'
      : t.rotateEveryDays !== undefined
        ? `deploy on or after its next scheduled rotation (every ${t.rotateEveryDays} days), or change rotationTrigger and deploy: a rotation sets a new expiry`
        : 'change rotationTrigger and deploy: a rotation sets a new expiry';
  return `${who} ${what}, within ${windowDays} days, and the API then deletes it: ${todo}`;
}

/** One assertion of a check block, as the engine's JSON syntax has it. */
interface Assertion {
  readonly condition: unknown;
  readonly error_message: string;
}

const elementClasses = new WeakMap<Core, new (scope: Construct, id: string, asserts: Assertion[]) => TerraformElement>();

/** A `check` block (neither core has a class for one): an element of the stack, named by its unique id. */
function checkBlockClass(cdk: Core): new (scope: Construct, id: string, asserts: Assertion[]) => TerraformElement {
  let cls = elementClasses.get(cdk);
  if (!cls) {
    cls = class CheckBlock extends cdk.TerraformElement {
      constructor(
        scope: Construct,
        id: string,
        private readonly asserts: Assertion[],
      ) {
        super(scope, id);
      }
      public toTerraform(): any {
        return { check: { [this.friendlyUniqueId]: { assert: this.asserts } } };
      }
    };
    elementClasses.set(cdk, cls);
  }
  return cls;
}

/**
 * The token's warnings, a `check` block named after `<path>/expiry-warning`; none without an event
 * or with a window of 0 known at synth. A rolling expiry is counted from the creation time that
 * `create` records in its `input`: plantimestamp() of the plan that creates (or rotates) it, never
 * changed after (ignore_changes), so a `create` from before it holds none and plans no change.
 * `now` is synth's, the one the token's rotation key was computed from.
 */
export function addExpiryWarnings(cdk: Core, scope: Construct, t: WarnedToken, creator: DataResource, now: Date): void {
  const { Fn, Op } = cdk;
  if (t.expiresAfterDays !== undefined) {
    creator.input = Fn.plantimestamp() as unknown as Record<string, string>;
    creator.lifecycle = { ...creator.lifecycle, ignoreChanges: [...((creator.lifecycle?.ignoreChanges as string[] | undefined) ?? []), 'input'] };
  }
  const events = warnedEvents(t, now);
  const days = warningWindowDays(t);
  if (events.length === 0 || (!isUnresolved(days) && days <= 0)) return;
  const hours = isUnresolved(days) ? Fn.format('%dh', [Op.mul(days, 24)]) : `${days * 24}h`;
  const windowEnd = Fn.timeadd(Fn.plantimestamp(), hours);
  const asserts = events.map((e): Assertion => {
    const date = 'at' in e ? (isUnresolved(e.at) ? e.at : literal(e.at)) : Fn.timeadd(creator.getStringAttribute('input'), `${e.afterDays * 24}h`);
    // Holds while the event lies after the window; a date the plan lacks (no expiry, none recorded) warns of nothing.
    const after = Op.eq(Fn.timecmp(date, windowEnd), 1);
    // The engine refuses an assertion that refers to no object: a known date names the token's create
    // (`!can()` of a value the plan knows is false).
    const condition = 'at' in e && !isUnresolved(e.at) ? Op.or(after, Op.not(Fn.can(creator.triggersReplace))) : Fn.try([after, true]);
    // Text known at synth is made literal; the date and the window may be expressions the plan fills in.
    const said = { ...t, name: isUnresolved(t.name) ? t.name : literal(t.name), path: literal(t.path) };
    // The engine evaluates the message even while the assertion holds: a date it lacks (null) must not fail the plan.
    const saidDate = 'at' in e && !isUnresolved(e.at) ? date : Fn.try([date, 'an unknown date']);
    return { condition, error_message: warningText(said, e, saidDate, isUnresolved(days) ? cdk.Token.asString(days) : String(days)) };
  });
  new (checkBlockClass(cdk))(scope, 'expiry-warning', asserts);
}
