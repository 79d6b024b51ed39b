/**
 * The API client's configuration, read from the environment variables every IONOS tool uses
 * (IONOS_TOKEN, IONOS_USERNAME + IONOS_PASSWORD, IONOS_API_URL, IONOS_CONTRACT_NUMBER) plus this
 * library's retry and timeout knobs.
 */
import { DEFAULT_USER_AGENT } from './version';

/** The production host; the product path is appended. */
export const DEFAULT_API_HOST = 'https://api.ionos.com';
/** The product path of the Container Registry API. */
export const PRODUCT_PATH = '/containerregistries';

/** The environment variables the client reads. */
export const CLIENT_ENV = {
  TOKEN: 'IONOS_TOKEN',
  USERNAME: 'IONOS_USERNAME',
  PASSWORD: 'IONOS_PASSWORD',
  API_URL: 'IONOS_API_URL',
  CONTRACT_NUMBER: 'IONOS_CONTRACT_NUMBER',
  MAX_ATTEMPTS: 'IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS',
  TIMEOUT_SECONDS: 'IONOS_REGISTRY_TOKEN_TIMEOUT_SECONDS',
  REQUEST_TIMEOUT_SECONDS: 'IONOS_REGISTRY_TOKEN_REQUEST_TIMEOUT_SECONDS',
} as const;

/** HTTP attempts per call, the first one included. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** The time budget of one call, retries and waits included. */
export const DEFAULT_TOTAL_TIMEOUT_SECONDS = 120;
/** The timeout of one HTTP attempt. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
/** Backoff: full jitter over min(cap, base * 2^(retry - 1)). */
export const DEFAULT_RETRY_BASE_DELAY_MS = 200;
export const DEFAULT_RETRY_MAX_DELAY_MS = 10_000;

export type ClientAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };

export interface ClientConfig {
  /** The full base URL, including `/containerregistries`. */
  apiUrl: string;
  auth: ClientAuth;
  /** Sent as `X-Contract-Number` when set. */
  contractNumber?: string;
  /** Timeout of one HTTP attempt, in milliseconds. */
  timeoutMs: number;
  /** HTTP attempts per call, the first one included (1 = no retries). */
  maxAttempts: number;
  /** Time budget of one call (all attempts and the waits between them), in milliseconds. */
  totalTimeoutMs: number;
  userAgent: string;
  /** Base of the exponential backoff, in milliseconds (default 200). Tests set it low. */
  retryBaseDelayMs?: number;
  /** Cap of one backoff wait, in milliseconds (default 10000). A Retry-After header may ask for longer. */
  retryMaxDelayMs?: number;
}

export interface ClientConfigOverrides {
  apiUrl?: string;
  maxAttempts?: number;
  totalTimeoutMs?: number;
  timeoutMs?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  userAgent?: string;
}

/** Neither IONOS_TOKEN nor IONOS_USERNAME + IONOS_PASSWORD is set. */
export class MissingCredentialsError extends Error {
  public constructor(detail?: string) {
    super(
      `no IONOS credentials: set ${CLIENT_ENV.TOKEN}, or ${CLIENT_ENV.USERNAME} and ${CLIENT_ENV.PASSWORD}` +
        (detail ? ` (${detail})` : ''),
    );
    this.name = 'MissingCredentialsError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** A configuration value that cannot be used; the message names the variable and the value. */
export class InvalidConfigError extends Error {
  public readonly variable: string;
  public constructor(variable: string, value: unknown, rule: string) {
    super(`invalid ${variable} ${JSON.stringify(value)}: ${rule}`);
    this.name = 'InvalidConfigError';
    this.variable = variable;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** An environment value, or undefined when it is unset or blank. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** Removes `user:password@` from a URL for messages. */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1[REDACTED]@');
}

/**
 * Normalizes an API URL: `https://` when it has no scheme, no trailing slashes, and
 * `/containerregistries` appended unless it already ends with it.
 *
 * @param source the variable or prop the value came from, for the error message
 */
export function normalizeApiUrl(raw: string, source: string = CLIENT_ENV.API_URL): string {
  let url = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `https://${url}`;
  url = url.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidConfigError(source, withoutUserinfo(raw), 'must be a URL such as https://api.ionos.com');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidConfigError(source, withoutUserinfo(raw), 'must be an http:// or https:// URL');
  }
  if (parsed.search || parsed.hash) {
    throw new InvalidConfigError(source, withoutUserinfo(raw), 'must not contain a query or a fragment');
  }
  if (!url.toLowerCase().endsWith(PRODUCT_PATH)) url += PRODUCT_PATH;
  return url;
}

function parseWholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new InvalidConfigError(name, raw, `must be a whole number >= ${min} (default ${fallback})`);
  }
  return n;
}

function parseSeconds(env: NodeJS.ProcessEnv, name: string, fallbackSeconds: number): number {
  const raw = envValue(env, name);
  if (raw === undefined) return fallbackSeconds * 1000;
  const n = Number(raw.trim());
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !Number.isFinite(n) || n <= 0) {
    throw new InvalidConfigError(name, raw, `must be a number of seconds > 0 (default ${fallbackSeconds})`);
  }
  return Math.round(n * 1000);
}

function checkOverride(name: string, value: number | undefined, min: number, whole: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < min || (whole && !Number.isInteger(value))) {
    throw new InvalidConfigError(name, value, `must be ${whole ? 'a whole number' : 'a number'} >= ${min}`);
  }
  return value;
}

/** The credentials from the environment: IONOS_TOKEN wins, else IONOS_USERNAME + IONOS_PASSWORD. */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): ClientAuth {
  const token = envValue(env, CLIENT_ENV.TOKEN);
  if (token !== undefined) return { kind: 'bearer', token };
  const username = envValue(env, CLIENT_ENV.USERNAME);
  const password = env[CLIENT_ENV.PASSWORD];
  if (username !== undefined && password !== undefined && password !== '') {
    return { kind: 'basic', username, password };
  }
  if (username !== undefined) throw new MissingCredentialsError(`${CLIENT_ENV.PASSWORD} is not set`);
  if (password !== undefined && password !== '') throw new MissingCredentialsError(`${CLIENT_ENV.USERNAME} is not set`);
  throw new MissingCredentialsError();
}

/**
 * Builds the client configuration from the environment.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | IONOS_TOKEN | bearer token; wins over username/password | |
 * | IONOS_USERNAME, IONOS_PASSWORD | basic auth | |
 * | IONOS_API_URL | API host (`https://` assumed, `/containerregistries` appended) | https://api.ionos.com |
 * | IONOS_CONTRACT_NUMBER | `X-Contract-Number` header | |
 * | IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS | HTTP attempts per call, first included | 5 |
 * | IONOS_REGISTRY_TOKEN_TIMEOUT_SECONDS | time budget of one call, retries included | 120 |
 * | IONOS_REGISTRY_TOKEN_REQUEST_TIMEOUT_SECONDS | timeout of one HTTP attempt | 30 |
 *
 * `overrides` win over the environment (e.g. the construct's `apiUrl` prop).
 *
 * @throws MissingCredentialsError when no credentials are set
 * @throws InvalidConfigError when a value cannot be used
 */
export function clientConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ClientConfigOverrides = {},
): ClientConfig {
  const auth = authFromEnv(env);
  const overrideUrl = overrides.apiUrl !== undefined && overrides.apiUrl.trim() !== '' ? overrides.apiUrl : undefined;
  const envUrl = envValue(env, CLIENT_ENV.API_URL);
  const apiUrl = normalizeApiUrl(
    overrideUrl ?? envUrl ?? DEFAULT_API_HOST,
    overrideUrl !== undefined ? 'apiUrl' : CLIENT_ENV.API_URL,
  );
  const contractNumber = envValue(env, CLIENT_ENV.CONTRACT_NUMBER)?.trim();
  const maxAttempts =
    checkOverride('maxAttempts', overrides.maxAttempts, 1, true) ??
    parseWholeNumber(env, CLIENT_ENV.MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1);
  const totalTimeoutMs =
    checkOverride('totalTimeoutMs', overrides.totalTimeoutMs, 1, false) ??
    parseSeconds(env, CLIENT_ENV.TIMEOUT_SECONDS, DEFAULT_TOTAL_TIMEOUT_SECONDS);
  const timeoutMs =
    checkOverride('timeoutMs', overrides.timeoutMs, 1, false) ??
    parseSeconds(env, CLIENT_ENV.REQUEST_TIMEOUT_SECONDS, DEFAULT_REQUEST_TIMEOUT_SECONDS);
  const config: ClientConfig = {
    apiUrl,
    auth,
    timeoutMs,
    maxAttempts,
    totalTimeoutMs,
    userAgent: overrides.userAgent ?? DEFAULT_USER_AGENT,
    retryBaseDelayMs: checkOverride('retryBaseDelayMs', overrides.retryBaseDelayMs, 0, false) ?? DEFAULT_RETRY_BASE_DELAY_MS,
    retryMaxDelayMs: checkOverride('retryMaxDelayMs', overrides.retryMaxDelayMs, 0, false) ?? DEFAULT_RETRY_MAX_DELAY_MS,
  };
  if (contractNumber !== undefined) config.contractNumber = contractNumber;
  return config;
}
