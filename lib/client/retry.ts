/**
 * The retry policy: which failures are retried for which method, and how long to wait. The retries
 * themselves are axios-retry's; this module only decides.
 */
import type { AxiosError } from 'axios';

/** Statuses that are retried for GET, PUT, PATCH and DELETE. 429 is retried for POST as well. */
export const RETRIED_STATUSES: readonly number[] = [429, 502, 503, 504];

/**
 * Connection errors that prove the request never reached the server: safe to retry even for POST.
 */
export const NOT_SENT_CODES: readonly string[] = ['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'];

/**
 * Connection errors after which the request may or may not have been processed: retried only for the
 * idempotent methods (GET, PUT, PATCH, DELETE). ECONNABORTED is axios's code for its own timeout.
 */
export const MAYBE_SENT_CODES: readonly string[] = ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT'];

/** Methods whose repetition has the same effect as one call (PATCH here sets absolute values). */
export const IDEMPOTENT_METHODS: readonly string[] = ['get', 'head', 'options', 'put', 'patch', 'delete'];

/** Why a failure is (not) retried, for messages. */
export type RetryVerdict = 'retry' | 'permanent' | 'unsafe-for-method';

/** Whether a failed attempt is transient at all (ignoring the method). */
export function isTransientFailure(error: Pick<AxiosError, 'response' | 'code' | 'message'>): boolean {
  if (error.response) return RETRIED_STATUSES.includes(error.response.status);
  if (error.code && (NOT_SENT_CODES.includes(error.code) || MAYBE_SENT_CODES.includes(error.code))) return true;
  return /socket hang up/i.test(error.message ?? '');
}

/** Decides whether the failed attempt may be repeated for `method`. */
export function retryVerdict(method: string, error: Pick<AxiosError, 'response' | 'code' | 'message'>): RetryVerdict {
  if (!isTransientFailure(error)) return 'permanent';
  const idempotent = IDEMPOTENT_METHODS.includes(method.toLowerCase());
  if (idempotent) return 'retry';
  if (error.response) return error.response.status === 429 ? 'retry' : 'unsafe-for-method';
  return error.code && NOT_SENT_CODES.includes(error.code) ? 'retry' : 'unsafe-for-method';
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
export function backoffDelayMs(
  retryNumber: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before retry number `retryNumber`: the server's Retry-After when it gave one (honoured
 * even above the cap; the time budget still bounds it), else the jittered backoff.
 */
export function retryDelayMs(
  retryNumber: number,
  error: Pick<AxiosError, 'response'>,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const headers = error.response?.headers as Record<string, unknown> | undefined;
  const asked = headers ? parseRetryAfter(headers['retry-after']) : undefined;
  if (asked !== undefined) return asked;
  return backoffDelayMs(retryNumber, baseMs, capMs, random);
}
