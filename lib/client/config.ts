/**
 * The API client's configuration, found the way ionosctl finds it: the construct's props first, then
 * the environment variables every IONOS tool uses (IONOS_TOKEN, IONOS_USERNAME + IONOS_PASSWORD,
 * IONOS_API_URL, IONOS_CONTRACT_NUMBER), then the IONOS config file that `ionosctl login` writes
 * (IONOS_CONFIG_FILE, default ~/.ionos/config; its profile IONOS_CURRENT_PROFILE, else the file's
 * `currentProfile`); plus this library's retry and timeout knobs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRecord as isObject } from '../is-record';
import { REDACTED } from './redact';
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
  CONFIG_FILE: 'IONOS_CONFIG_FILE',
  CURRENT_PROFILE: 'IONOS_CURRENT_PROFILE',
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
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, `$1${REDACTED}@`);
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

/** What the IONOS config file gives for the current profile. */
export interface ConfigFileValues {
  /** The file it came from. */
  readonly file: string;
  /** The profile used: IONOS_CURRENT_PROFILE, else the file's `currentProfile`. */
  readonly profile?: string;
  readonly auth?: ClientAuth;
  /** The `containerregistry` endpoint of the profile's environment, when it names one without a location. */
  readonly apiUrl?: string;
}

/** The IONOS config file's path: IONOS_CONFIG_FILE, else ~/.ionos/config (as the IONOS SDKs and ionosctl look for it). */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return envValue(env, CLIENT_ENV.CONFIG_FILE) ?? path.join(envValue(env, 'HOME') ?? os.homedir(), '.ionos', 'config');
}

/** The parsed files by path, with the size and time of the version parsed: a step worker builds a client per token. */
const parsed = new Map<string, { stamp: string; doc: unknown }>();

const unreadable = (file: string, e: unknown) =>
  new InvalidConfigError(CLIENT_ENV.CONFIG_FILE, file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);

/** The file's YAML document, parsed once per version of the file; undefined when there is no file. */
function configDocument(file: string): unknown {
  let stamp: string;
  try {
    const st = fs.statSync(file);
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(file, e);
  }
  const known = parsed.get(file);
  if (known?.stamp === stamp) return known.doc;
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw unreadable(file, e);
  }
  if (content.trim() === '') throw new InvalidConfigError(CLIENT_ENV.CONFIG_FILE, file, 'is empty; run "ionosctl login" to write it, or remove it');
  let doc: unknown;
  try {
    // Loaded only when there is a file: a handler start without one does not pay for the parser.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    doc = (require('yaml') as typeof import('yaml')).parse(content);
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new InvalidConfigError(CLIENT_ENV.CONFIG_FILE, file, `is not valid YAML (${first})`);
  }
  parsed.set(file, { stamp, doc });
  return doc;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const sameName = (a: unknown, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Reads the IONOS config file (YAML: `version`, `currentProfile`, `profiles[]` with `name`,
 * `environment` and `credentials { username, password, token }`, `environments[]` with `name` and
 * `products[]` of `name` and `endpoints[] { location, name }`; the format of ionosctl's and the SDKs'
 * `fileconfiguration` package). Undefined when there is no file; a file that cannot be read as that
 * format is an error naming it, like ionosctl's.
 */
export function readConfigFile(env: NodeJS.ProcessEnv = process.env): ConfigFileValues | undefined {
  const file = configFilePath(env);
  const doc = configDocument(file);
  if (doc === undefined) return undefined;
  const bad = (what: string) => new InvalidConfigError(CLIENT_ENV.CONFIG_FILE, file, `is not an IONOS config file: ${what}`);
  if (!isObject(doc)) throw bad('expected a mapping with currentProfile, profiles and environments');
  if (doc.profiles !== undefined && doc.profiles !== null && !Array.isArray(doc.profiles)) throw bad('profiles must be a list');
  if (doc.environments !== undefined && doc.environments !== null && !Array.isArray(doc.environments)) throw bad('environments must be a list');
  const wanted = envValue(env, CLIENT_ENV.CURRENT_PROFILE) ?? text(doc.currentProfile);
  if (wanted === undefined) return { file };
  const profile = ((doc.profiles ?? []) as unknown[]).find((p) => isObject(p) && sameName(p.name, wanted));
  if (!isObject(profile)) return { file, profile: wanted };
  const creds = isObject(profile.credentials) ? profile.credentials : {};
  const token = text(creds.token);
  const username = text(creds.username);
  const password = typeof creds.password === 'string' && creds.password !== '' ? creds.password : undefined;
  const auth: ClientAuth | undefined =
    token !== undefined ? { kind: 'bearer', token } : username !== undefined && password !== undefined ? { kind: 'basic', username, password } : undefined;
  // The product's endpoint in the profile's environment (any environment when the profile names none),
  // its first endpoint when that one has no location, as ionosctl's GetOverride("containerregistry", "").
  const environment = text(profile.environment);
  let apiUrl: string | undefined;
  for (const envDoc of (doc.environments ?? []) as unknown[]) {
    if (!isObject(envDoc) || (environment !== undefined && !sameName(envDoc.name, environment))) continue;
    const product = (Array.isArray(envDoc.products) ? envDoc.products : []).find((p: unknown) => isObject(p) && sameName(p.name, 'containerregistry'));
    const first = isObject(product) && Array.isArray(product.endpoints) ? product.endpoints[0] : undefined;
    if (isObject(first) && text(first.location) === undefined && text(first.name) !== undefined) apiUrl = text(first.name);
    if (product) break;
  }
  return { file, profile: wanted, auth, apiUrl };
}

/**
 * The credentials: IONOS_TOKEN wins, else IONOS_USERNAME + IONOS_PASSWORD, else the current profile of
 * the IONOS config file (its token, else its username and password): ionosctl's order.
 */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env, file: ConfigFileValues | undefined = readConfigFile(env)): ClientAuth {
  const token = envValue(env, CLIENT_ENV.TOKEN);
  if (token !== undefined) return { kind: 'bearer', token };
  const username = envValue(env, CLIENT_ENV.USERNAME);
  const password = env[CLIENT_ENV.PASSWORD];
  if (username !== undefined && password !== undefined && password !== '') {
    return { kind: 'basic', username, password };
  }
  if (username !== undefined) throw new MissingCredentialsError(`${CLIENT_ENV.PASSWORD} is not set`);
  if (password !== undefined && password !== '') throw new MissingCredentialsError(`${CLIENT_ENV.USERNAME} is not set`);
  if (file?.auth) return file.auth;
  if (file) {
    const where = file.profile === undefined ? 'names no current profile' : `has no token or username and password in profile "${file.profile}"`;
    throw new MissingCredentialsError(`the IONOS config file ${file.file} ${where}`);
  }
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
 * | IONOS_CONFIG_FILE, IONOS_CURRENT_PROFILE | the IONOS config file and its profile, used for what the variables above leave unset | ~/.ionos/config, its currentProfile |
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
  const file = readConfigFile(env);
  const auth = authFromEnv(env, file);
  const overrideUrl = overrides.apiUrl !== undefined && overrides.apiUrl.trim() !== '' ? overrides.apiUrl : undefined;
  const envUrl = envValue(env, CLIENT_ENV.API_URL);
  const source = overrideUrl !== undefined ? 'apiUrl' : envUrl !== undefined ? CLIENT_ENV.API_URL : file?.apiUrl !== undefined ? `the containerregistry endpoint of ${file.file}` : CLIENT_ENV.API_URL;
  const apiUrl = normalizeApiUrl(overrideUrl ?? envUrl ?? file?.apiUrl ?? DEFAULT_API_HOST, source);
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
