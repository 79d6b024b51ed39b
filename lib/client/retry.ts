/**
 * The retry policy: which failures are transient, and how long to wait before the next attempt. The
 * client's own loop (client.ts #send) applies it; every call it makes is idempotent, so every
 * transient failure is retried, within the attempts and the time budget.
 */

/** Answers after which the same request may succeed: too many requests, and the gateway's 502, 503, 504. */
export const RETRIED_STATUSES: readonly number[] = [429, 502, 503, 504];

/**
 * Connection errors after which the same request may succeed: refused, unreachable, reset, timed out
 * (ECONNABORTED is axios's code for its own timeout).
 */
export const TRANSIENT_CODES: readonly string[] = ['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT'];

/**
 * Answers and errors that prove a request was not applied: the API refused it before acting (429,
 * 503), or no connection was ever made. A write that must not be repeated blindly retries only these.
 */
export const UNAPPLIED_STATUSES: readonly number[] = [429, 503];
export const UNSENT_CODES: readonly string[] = ['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'];

/** True when a failed call (an ApiError's status and code) proves nothing was applied. */
export function provesUnapplied(status: number, code?: string): boolean {
  return status === 0 ? code !== undefined && UNSENT_CODES.includes(code) : UNAPPLIED_STATUSES.includes(status) || (status >= 400 && status < 500);
}

export function isRetriedStatus(status: number): boolean {
  return RETRIED_STATUSES.includes(status);
}

/** Whether a request that got no response at all may succeed when repeated. */
export function isTransientError(error: unknown): boolean {
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && TRANSIENT_CODES.includes(e.code)) return true;
  return /socket hang up/i.test(typeof e.message === 'string' ? e.message : '');
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds: delta-seconds or an HTTP date.
 * Undefined when there is no usable header; 0 for a date in the past.
 */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw === 'number' && Number.isFinite(raw)) return Math.max(0, raw * 1000);
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const s = raw.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff with full jitter: a uniform wait in [0, min(cap, base * 2^(retry - 1))]. */
export function backoffDelayMs(retryNumber: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before retry number `retryNumber`: the server's Retry-After when it gave one (honoured
 * even above the cap; the time budget still bounds it), else the jittered backoff.
 */
export function retryDelayMs(retryNumber: number, retryAfter: unknown, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return parseRetryAfter(retryAfter) ?? backoffDelayMs(retryNumber, baseMs, capMs, random);
}
