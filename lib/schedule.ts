/**
 * Credentials that look after themselves: a rolling expiry (a lifetime, set at each creation) and a
 * scheduled rotation, decided at synth from the date alone (docs/design/scheduled-rotation.md).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The test aid that sets "now" at synth (an RFC 3339 date); documented, never needed in use. */
export const SYNTH_NOW_ENV = 'IONOS_REGISTRY_TOKEN_SYNTH_NOW';

/** "Now" at synth: IONOS_REGISTRY_TOKEN_SYNTH_NOW when set (a test aid), else the clock. */
export function synthNow(env: NodeJS.ProcessEnv = process.env): Date {
  const set = env[SYNTH_NOW_ENV];
  if (!set) return new Date();
  const at = Date.parse(set);
  if (Number.isNaN(at)) throw new Error(`${SYNTH_NOW_ENV} "${set}" must be an RFC 3339 date such as 2027-01-31T12:00:00Z`);
  return new Date(at);
}

/**
 * The rotation period a date falls in: whole periods of `everyDays` since 1970-01-01 UTC. It only
 * grows with time, and every runner computes the same one, so a token is rotated exactly once per
 * period, by the first deploy in it, on any runner.
 */
export function rotationPeriod(everyDays: number, now: Date): number {
  return Math.floor(now.getTime() / (everyDays * DAY_MS));
}

/** When the period `period` of `everyDays` begins: the date its first deploy rotates the token. */
export function periodStart(everyDays: number, period: number): Date {
  return new Date(period * everyDays * DAY_MS);
}

/** The expiry a token created at `at` gets from a lifetime of `days`, to the second (the API's precision). */
export function rollingExpiry(at: Date, days: number): string {
  return new Date(Math.floor((at.getTime() + days * DAY_MS) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** How the specs entry (and so the plan) says a rolling expiry: `90 days after creation`. */
export const rollingExpiryWords = (days: number): string => `${days} days after creation`;

/** The lifetime in days of an entry's expiry in words, or undefined when it is a date or "never". */
export function rollingDaysOf(words: string | undefined): number | undefined {
  const m = /^(\d+) days after creation$/.exec(words ?? '');
  return m ? Number(m[1]) : undefined;
}

/** One of the two credentials of a zero-downtime token: `<name>-a` or `<name>-b`. */
export interface Slot {
  /** `a` or `b`: the construct id below the token, and the suffix of the name. */
  readonly id: 'a' | 'b';
  /** The period whose first deploy created the slot's credential (its rotation key). */
  readonly period: number;
}

/** What a zero-downtime token declares at a given date. */
export interface SlotPlan {
  /** The slot consumers get: the one created in the current period. */
  readonly current: Slot;
  /** The slot created a period earlier, while its overlap lasts; undefined once it has ended. */
  readonly previous?: Slot;
}

/**
 * The two slots alternate: slot `a` is re-created in even periods, `b` in odd ones, so the slot of
 * the period before stays live while the current one is new. It is declared (and so kept) until
 * `overlapDays` after the current period began; then the next deploy deletes it. With an overlap
 * of a whole period it lives until its own next rotation (docs/design/zero-downtime.md).
 */
export function slotPlan(everyDays: number, overlapDays: number, now: Date): SlotPlan {
  const period = rotationPeriod(everyDays, now);
  const slotOf = (p: number): Slot => ({ id: p % 2 === 0 ? 'a' : 'b', period: p });
  const overlapEnds = periodStart(everyDays, period).getTime() + overlapDays * DAY_MS;
  const previous = overlapDays >= everyDays || now.getTime() < overlapEnds ? slotOf(period - 1) : undefined;
  return { current: slotOf(period), ...(previous ? { previous } : {}) };
}

/** The `rotation_period` trigger of a scheduled rotation: a new value replaces `create` (a rotation). */
export const rotationKey = (everyDays: number, period: number): string => `${everyDays} days, period ${period}`;
