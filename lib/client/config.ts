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
import { apiUrlProblem, isLoopbackHost } from '../validation';
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
  /** Comma-separated hosts outside ionos.com the credentials may be sent to (exact, case-insensitive). */
  ALLOWED_API_HOSTS: 'IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS',
} as const;

/** The largest response body the client reads; a larger one fails the call. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** The largest IONOS config file read (ionosctl writes a few hundred bytes). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

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
  /** Once aborted, no attempt starts and the one in flight is cut; its reason is the error's detail. */
  signal?: AbortSignal;
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

/** Removes `user:password@` (up to the authority's last `@`, scheme or not) from a URL for messages. */
function withoutUserinfo(url: string): string {
  return url.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/)?[^/?#\\]*@/i, `$1${REDACTED}@`);
}

/**
 * Normalizes an API URL: `https://` when it has no scheme, no trailing slashes, and
 * `/containerregistries` appended unless it already ends with it. Refuses, before any request, what
 * {@link apiUrlProblem} refuses: the same rule for the prop, IONOS_API_URL and the config file.
 *
 * @param source where the value came from (`prop apiUrl`, `IONOS_API_URL`, `config file <path>`), for the error message
 */
export function normalizeApiUrl(raw: string, source: string = CLIENT_ENV.API_URL): string {
  let url = raw.trim();
  const problem = apiUrlProblem(url);
  if (problem) throw new InvalidConfigError(source, withoutUserinfo(raw), problem);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `https://${url}`;
  url = url.replace(/\/+$/, '');
  if (!url.toLowerCase().endsWith(PRODUCT_PATH)) url += PRODUCT_PATH;
  return url;
}

/** Inside the IONOS API's domain: api.ionos.com and every other subdomain of ionos.com. */
export function isIonosApiHost(hostname: string): boolean {
  return hostname.toLowerCase().endsWith('.ionos.com');
}

/** The hosts of IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS, lower case, IPv6 in brackets as URLs write them. */
export function allowedApiHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[CLIENT_ENV.ALLOWED_API_HOSTS] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '')
    .map((h) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h));
}

/**
 * Refuses a normalized API URL whose host is outside the IONOS API's domain unless the environment
 * names that exact host in IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS: code (a prop) cannot opt in.
 * Loopback hosts are exempt (the emulator).
 */
export function checkApiHost(url: string, source: string, env: NodeJS.ProcessEnv = process.env): void {
  const host = new URL(url).hostname.toLowerCase();
  if (isLoopbackHost(host) || isIonosApiHost(host) || allowedApiHosts(env).includes(host)) return;
  throw new InvalidConfigError(
    source,
    url,
    `host ${host} is outside the IONOS API's domain (*.ionos.com) and would receive the IONOS credentials; if you trust it, set ${CLIENT_ENV.ALLOWED_API_HOSTS}=${host} in the environment`,
  );
}

/** The API URL a step uses and where it came from. */
export interface ApiEndpoint {
  /** The full base URL, including `/containerregistries`. */
  readonly url: string;
  /** Scheme, host and port, e.g. `https://api.ionos.com`. */
  readonly origin: string;
  /** `prop apiUrl`, `IONOS_API_URL`, `config file <path>`, or `default`. */
  readonly source: string;
}

/**
 * The API URL of a step: the prop, else IONOS_API_URL, else the config file's containerregistry
 * endpoint, else https://api.ionos.com; checked by {@link normalizeApiUrl} and {@link checkApiHost}.
 * Makes no request and needs no credentials: the handler calls it once per step, before any call.
 *
 * @throws InvalidConfigError (one line: the source, the URL, the rule)
 */
export function resolveApiEndpoint(
  env: NodeJS.ProcessEnv = process.env,
  apiUrlProp?: string,
  file: ConfigFileValues | undefined = readConfigFile(env),
): ApiEndpoint {
  const prop = apiUrlProp !== undefined && apiUrlProp.trim() !== '' ? apiUrlProp : undefined;
  const envUrl = envValue(env, CLIENT_ENV.API_URL);
  const [raw, source] =
    prop !== undefined ? [prop, 'prop apiUrl']
    : envUrl !== undefined ? [envUrl, CLIENT_ENV.API_URL]
    : file?.apiUrl !== undefined ? [file.apiUrl, `config file ${file.file}`]
    : [DEFAULT_API_HOST, 'default'];
  const url = normalizeApiUrl(raw, source);
  checkApiHost(url, source, env);
  return { url, origin: new URL(url).origin, source };
}

/** `registry-token: using the IONOS API at <origin> (<source>)` when the origin is not the default one; else undefined. */
export function apiEndpointNotice(endpoint: ApiEndpoint): string | undefined {
  if (endpoint.origin === DEFAULT_API_HOST) return undefined;
  return `registry-token: using the IONOS API at ${endpoint.origin} (${endpoint.source})`;
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

const tooLarge = (file: string) =>
  new InvalidConfigError(CLIENT_ENV.CONFIG_FILE, file, `is larger than ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MiB, the limit for an IONOS config file`);

/** The file's content: a regular file of at most MAX_CONFIG_FILE_BYTES, else one line (a device or pipe would never end). */
function readBounded(file: string, fd: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > MAX_CONFIG_FILE_BYTES) throw tooLarge(file);
    chunks.push(chunk.subarray(0, n));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Checked before opening and again on the open descriptor (the path may change in between). */
function checkRegularFile(file: string, st: fs.Stats): void {
  if (!st.isFile()) throw new InvalidConfigError(CLIENT_ENV.CONFIG_FILE, file, 'is not a regular file (a device, pipe or directory is never read)');
  if (st.size > MAX_CONFIG_FILE_BYTES) throw tooLarge(file);
}

/**
 * The YAML document of `content`. A failure is the line number only: the parser's message and its
 * warnings quote the source line, which may hold the token.
 */
function parseYaml(file: string, content: string): unknown {
  // Loaded only when there is a file: a handler start without one does not pay for the parser.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const yaml = require('yaml') as typeof import('yaml');
  let line: number | undefined;
  try {
    const doc = yaml.parseDocument(content, { logLevel: 'silent' });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
      line = problem.linePos?.[0]?.line;
      throw problem;
    }
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch {
    throw new InvalidConfigError(CLIENT_ENV.CONFIG_FILE, file, `is not valid YAML${line !== undefined ? ` (line ${line})` : ''}`);
  }
}

/** The file's YAML document, parsed once per version of the file; undefined when there is no file. */
function configDocument(file: string): unknown {
  try {
    checkRegularFile(file, fs.statSync(file));
  } catch (e) {
    if (e instanceof InvalidConfigError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(file, e);
  }
  let fd: number;
  try {
    // O_NONBLOCK: should the path turn into a FIFO after the stat, the open does not wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw unreadable(file, e);
  }
  let content: string;
  try {
    const st = fs.fstatSync(fd);
    checkRegularFile(file, st);
    const stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    const known = parsed.get(file);
    if (known?.stamp === stamp) return known.doc;
    content = readBounded(file, fd);
    if (content.trim() === '') throw new InvalidConfigError(CLIENT_ENV.CONFIG_FILE, file, 'is empty; run "ionosctl login" to write it, or remove it');
    const doc = parseYaml(file, content);
    parsed.set(file, { stamp, doc });
    return doc;
  } catch (e) {
    if (e instanceof InvalidConfigError) throw e;
    throw unreadable(file, e);
  } finally {
    fs.closeSync(fd);
  }
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
 * | IONOS_API_URL | API host (`https://` assumed, `/containerregistries` appended; https only, except loopback hosts) | https://api.ionos.com |
 * | IONOS_REGISTRY_TOKEN_ALLOWED_API_HOSTS | hosts outside *.ionos.com the credentials may go to (comma-separated, exact) | |
 * | IONOS_CONTRACT_NUMBER | `X-Contract-Number` header | |
 * | IONOS_CONFIG_FILE, IONOS_CURRENT_PROFILE | the IONOS config file and its profile, used for what the variables above leave unset | ~/.ionos/config, its currentProfile |
 * | IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS | HTTP attempts per call, first included | 5 |
 * | IONOS_REGISTRY_TOKEN_TIMEOUT_SECONDS | time budget of one call, retries included | 120 |
 * | IONOS_REGISTRY_TOKEN_REQUEST_TIMEOUT_SECONDS | timeout of one HTTP attempt | 30 |
 *
 * `overrides` win over the environment (e.g. the construct's `apiUrl` prop).
 *
 * @throws MissingCredentialsError when no credentials are set
 * @throws InvalidConfigError when a value cannot be used, or the API URL is refused ({@link resolveApiEndpoint})
 */
export function clientConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ClientConfigOverrides = {},
): ClientConfig {
  const file = readConfigFile(env);
  // The URL first: a refused one fails before the credentials are even looked at.
  const apiUrl = resolveApiEndpoint(env, overrides.apiUrl, file).url;
  const auth = authFromEnv(env, file);
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
