/**
 * The IONOS Container Registry token API client used by the apply-time handler and the CLI: the four
 * calls the lifecycle makes on one token (GET, PUT, PATCH, DELETE), and the registry's GET. Node built-ins and axios only (it
 * is bundled into one file with esbuild).
 *
 * Retries (a loop of its own, see #send): every call is idempotent (PUT at the token's own id, PATCH
 * of absolute values), so each is repeated on 429, 502, 503, 504, connection resets and timeouts.
 * Waits are exponential with full jitter (or the server's Retry-After), bounded by `maxAttempts` and
 * by the call's time budget `totalTimeoutMs`: the client never sleeps past it.
 */
import { STATUS_CODES } from 'node:http';
import axios, { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import type { ApiErrorResponse, ApiRegistryResponse, ApiTokenInput, ApiTokenInputProperties, ApiTokenPatch, ApiTokenResponse } from '../api-types';
import { isRecord } from '../is-record';
import { UUID_PATTERN } from '../validation';
import { ApiError, UnexpectedResponseError } from './api-error';
import { CLIENT_ENV, ClientConfig, DEFAULT_RETRY_BASE_DELAY_MS, DEFAULT_RETRY_MAX_DELAY_MS, MAX_RESPONSE_BYTES, normalizeApiUrl } from './config';
import { bodySnippet, makeRedactor } from './redact';
import { isRetriedStatus, isTransientError, provesUnapplied, retryDelayMs } from './retry';

export interface PutTokenResult {
  /** True when the PUT created the token (HTTP 201); false when it replaced one (HTTP 200). */
  created: boolean;
  token: ApiTokenResponse;
}

export interface ClientStats {
  /** HTTP attempts sent, retries included. */
  requests: number;
  /** Of those, retries. */
  retries: number;
}

/** The body of a create or replace: the PostTokenInput, or just its properties. */
export type TokenInput = ApiTokenInput | ApiTokenInputProperties;

type Method = 'get' | 'put' | 'patch' | 'delete';

interface Call {
  /** e.g. `PUT token`. */
  operation: string;
  /** e.g. the token id. */
  subject?: string;
  method: Method;
  path: string;
  body?: unknown;
}

/** A response that came back (any status), with its body as text. */
interface RawResponse {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  body: string;
  attempts: number;
  note?: string;
}

/** How a call's attempts ended: the attempts made and, when a transient failure was not retried for the budget, the wait it would have taken. */
interface Attempts {
  count: number;
  budgetStop?: { delay: number };
}

/** Below this much time left after a wait, another attempt is pointless. */
const MIN_ATTEMPT_MS = 50;

const TOKEN_SHAPE = 'a JSON token (uuid id, properties.name, properties.credentials)';
const REGISTRY_SHAPE = 'a JSON registry (properties.hostname)';

/** Waits `ms`, or less when `signal` aborts first. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function isTokenInput(v: TokenInput): v is ApiTokenInput {
  return isRecord((v as Partial<ApiTokenInput>).properties);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export class RegistryApiClient {
  public readonly stats: ClientStats = { requests: 0, retries: 0 };

  readonly #http: AxiosInstance;
  readonly #maxAttempts: number;
  readonly #totalTimeoutMs: number;
  readonly #timeoutMs: number;
  readonly #signal?: AbortSignal;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  /** The last `Date` the API sent, and when it came (this process's clock). */
  #serverDate?: { readonly at: number; readonly received: number };
  /** For response bodies. */
  readonly #redact: (text: string) => string;
  /** For the API's messages and Node's error messages. */
  readonly #redactText: (text: string) => string;

  public constructor(config: ClientConfig) {
    // However the config was built, no request leaves for a URL the rule refuses (http to a remote host, userinfo, ...).
    normalizeApiUrl(config.apiUrl, 'client apiUrl');
    this.#maxAttempts = Math.max(1, Math.floor(config.maxAttempts));
    this.#totalTimeoutMs = config.totalTimeoutMs;
    this.#timeoutMs = config.timeoutMs;
    this.#signal = config.signal;
    this.#baseDelayMs = config.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
    this.#maxDelayMs = config.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS;

    let authorization: string;
    const secrets: string[] = [];
    if (config.auth.kind === 'bearer') {
      authorization = `Bearer ${config.auth.token}`;
      secrets.push(config.auth.token);
    } else {
      const pair = `${config.auth.username}:${config.auth.password}`;
      const encoded = Buffer.from(pair, 'utf8').toString('base64');
      authorization = `Basic ${encoded}`;
      secrets.push(config.auth.password, pair, encoded);
    }
    try {
      const u = new URL(config.apiUrl);
      if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
    } catch {
      // the URL is checked when the config is built; axios reports anything else
    }
    this.#redact = makeRedactor(secrets, 'body');
    this.#redactText = makeRedactor(secrets, 'text');

    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': config.userAgent,
      Authorization: authorization,
    };
    if (config.contractNumber) headers['X-Contract-Number'] = config.contractNumber;

    this.#http = axios.create({
      baseURL: config.apiUrl,
      headers,
      adapter: 'http',
      maxRedirects: 0,
      // A body past the limit is cut off and the call fails (see #networkError).
      maxContentLength: MAX_RESPONSE_BYTES,
      maxBodyLength: MAX_RESPONSE_BYTES,
      responseType: 'text',
      responseEncoding: 'utf8',
      // The body is sent and read as text: JSON in and out is handled here, not by axios.
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
    });
  }

  // ---------------------------------------------------------------- registries

  /** GET /registries/{registryId}: the registry, with its `properties.hostname`. A 404 is an ApiError. */
  public async getRegistry(registryId: string): Promise<ApiRegistryResponse> {
    const call: Call = { operation: 'GET registry', subject: registryId, method: 'get', path: `/registries/${enc(registryId)}` };
    const res = await this.#send(call);
    const body = this.#expectJson(call, res, [200], REGISTRY_SHAPE);
    const props = isRecord(body) ? body.properties : undefined;
    if (!isRecord(props) || typeof props.hostname !== 'string' || props.hostname === '') {
      throw this.#unexpected(call, res, REGISTRY_SHAPE, 'no properties.hostname');
    }
    return body as unknown as ApiRegistryResponse;
  }

  // ---------------------------------------------------------------- tokens

  /** GET /registries/{registryId}/tokens/{tokenId}; undefined when the token does not exist (404). */
  public async getToken(registryId: string, tokenId: string): Promise<ApiTokenResponse | undefined> {
    const call = this.#tokenCall('GET', registryId, tokenId);
    const res = await this.#send(call);
    if (this.#isApiNotFound(call, res)) return undefined;
    return this.#expectToken(call, res, [200], false);
  }

  /**
   * PUT /registries/{registryId}/tokens/{tokenId}: creates the token at this id (201, `created: true`,
   * the response holds the password) or replaces it (200, `created: false`).
   */
  public async putToken(registryId: string, tokenId: string, props: TokenInput, options: { readonly retryUnappliedOnly?: boolean } = {}): Promise<PutTokenResult> {
    const call = this.#tokenCall('PUT', registryId, tokenId, isTokenInput(props) ? props : { properties: props });
    const res = await this.#send(call, options.retryUnappliedOnly);
    const created = res.status === 201;
    const token = this.#expectToken(call, res, [201, 200], created);
    return { created, token };
  }

  /** PATCH /registries/{registryId}/tokens/{tokenId}: changes only the fields given. */
  public async patchToken(registryId: string, tokenId: string, patch: ApiTokenPatch): Promise<ApiTokenResponse> {
    const call = this.#tokenCall('PATCH', registryId, tokenId, patch);
    const res = await this.#send(call);
    return this.#expectToken(call, res, [200], false);
  }

  /** DELETE /registries/{registryId}/tokens/{tokenId}; false when it was already gone (404). */
  public async deleteToken(registryId: string, tokenId: string): Promise<boolean> {
    const call = this.#tokenCall('DELETE', registryId, tokenId);
    const res = await this.#send(call);
    if (this.#isApiNotFound(call, res)) return false;
    if (res.status >= 200 && res.status < 300) return true;
    throw this.#errorFor(call, res);
  }

  // ---------------------------------------------------------------- internals

  #tokenCall(method: 'GET' | 'PUT' | 'PATCH' | 'DELETE', registryId: string, tokenId: string, body?: unknown): Call {
    return {
      operation: `${method} token`,
      subject: tokenId,
      method: method.toLowerCase() as Method,
      path: `/registries/${enc(registryId)}/tokens/${enc(tokenId)}`,
      body,
    };
  }

  /**
   * A 404 that the API itself gave (a JSON body, or none). A 404 page in HTML or plain text comes from
   * something else (a wrong IONOS_API_URL, a proxy): taking it for "token gone" would make a delete
   * report success while the token lives on, so it is an unexpected response instead.
   */
  #isApiNotFound(call: Call, res: RawResponse): boolean {
    if (res.status !== 404) return false;
    if (res.body.trim() === '' || isJsonContentType(res.contentType)) return true;
    throw this.#unexpected(
      call,
      res,
      `the API's JSON 404 (ApiErrorResponse); check ${CLIENT_ENV.API_URL}`,
      'a 404 page that is not from the API',
    );
  }

  /**
   * Sends one call, retrying transient failures, and returns the final response, whatever its
   * status. Throws an {@link ApiError} (status 0) only when no response came at all.
   */
  async #send(call: Call, unappliedOnly = false): Promise<RawResponse> {
    const deadline = Date.now() + this.#totalTimeoutMs;
    const attempts: Attempts = { count: 0 };
    for (;;) {
      if (this.#signal?.aborted) throw this.#networkError(call, { code: 'ERR_CANCELED' }, attempts, false);
      attempts.count += 1;
      this.stats.requests += 1;
      let response: AxiosResponse<unknown> | undefined;
      let failure: unknown;
      try {
        response = await this.#http.request(this.#request(call, deadline));
      } catch (e) {
        failure = e;
      }
      const transient = response ? isRetriedStatus(response.status) : isTransientError(failure);
      // A create retried after a lost answer could replace a token it cannot prove is its own.
      const again = transient && (!unappliedOnly || provesUnapplied(response?.status ?? 0, (failure as { code?: string } | undefined)?.code));
      if (again && attempts.count < this.#maxAttempts) {
        const delay = retryDelayMs(attempts.count, response?.headers['retry-after'], this.#baseDelayMs, this.#maxDelayMs);
        if (Date.now() + delay + MIN_ATTEMPT_MS <= deadline) {
          await sleep(delay, this.#signal);
          this.stats.retries += 1;
          continue;
        }
        attempts.budgetStop = { delay };
      }
      if (!response) throw this.#networkError(call, failure, attempts, transient);
      return this.#raw(response, attempts, transient);
    }
  }

  /** One attempt: its own timeout, but never more than what is left of the call's budget. */
  #request(call: Call, deadline: number): AxiosRequestConfig {
    const request: AxiosRequestConfig = {
      method: call.method,
      url: call.path,
      timeout: Math.max(1, Math.min(this.#timeoutMs, deadline - Date.now())),
      validateStatus: () => true,
      signal: this.#signal,
    };
    if (call.body !== undefined) {
      request.data = JSON.stringify(call.body);
      request.headers = { 'Content-Type': 'application/json' };
    }
    return request;
  }

  /**
   * The API's time now, from the `Date` header of its last answer plus the time since; undefined
   * before an answer with one. A rolling expiry counts from it, whatever the runner's clock says.
   */
  public serverNow(): Date | undefined {
    return this.#serverDate && new Date(this.#serverDate.at + (Date.now() - this.#serverDate.received));
  }

  #raw(response: AxiosResponse<unknown>, attempts: Attempts, transient: boolean): RawResponse {
    const headers = flattenHeaders(response.headers);
    const date = Date.parse(headers.date ?? '');
    if (!Number.isNaN(date)) this.#serverDate = { at: date, received: Date.now() };
    const ok = response.status >= 200 && response.status < 300;
    const raw: RawResponse = {
      status: response.status,
      headers,
      contentType: headers['content-type'] ?? '',
      body: typeof response.data === 'string' ? response.data : response.data == null ? '' : String(response.data),
      attempts: attempts.count,
    };
    const note = ok ? undefined : this.#retryNote(attempts, transient);
    if (note) raw.note = note;
    return raw;
  }

  /** What the retries did, for the message of a final failure. */
  #retryNote(attempts: Attempts, transient: boolean): string | undefined {
    const tried = plural(attempts.count, 'attempt');
    if (attempts.budgetStop) {
      const wait = attempts.budgetStop.delay ? `; the next retry in ${seconds(attempts.budgetStop.delay)} would pass it` : '';
      return `gave up after ${tried}: the time budget of ${seconds(this.#totalTimeoutMs)} (${CLIENT_ENV.TIMEOUT_SECONDS}) is used up${wait}`;
    }
    if (transient && attempts.count >= this.#maxAttempts && this.#maxAttempts > 1) {
      return `gave up after ${tried} (${CLIENT_ENV.MAX_ATTEMPTS}=${this.#maxAttempts})`;
    }
    return attempts.count > 1 ? `after ${tried}` : undefined;
  }

  /** No response: connection error or timeout. Only safe fields of the axios error are copied. */
  #networkError(call: Call, error: unknown, attempts: Attempts, transient: boolean): ApiError {
    const ax = axios.isAxiosError(error) ? error : undefined;
    const code = ax?.code ?? (isRecord(error) && typeof error.code === 'string' ? error.code : undefined);
    const message = this.#redactText(String((ax?.message ?? (error instanceof Error ? error.message : '')) || 'unknown error'));
    let detail: string;
    if (code === 'ECONNABORTED' && /timeout/i.test(message)) {
      const ms = typeof ax?.config?.timeout === 'number' ? ax.config.timeout : this.#timeoutMs;
      detail = `no response within ${seconds(ms)} (timeout)`;
    } else if (code === 'ERR_CANCELED') {
      const reason: unknown = this.#signal?.reason;
      detail = reason instanceof Error ? reason.message : 'the request was cancelled';
    } else if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(message)) {
      detail = `the response is larger than the client's limit of ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB and was not read (is ${CLIENT_ENV.API_URL} the IONOS API?)`;
    } else {
      detail = `no response: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`;
    }
    const d = {
      operation: call.operation,
      subject: call.subject,
      status: 0,
      retriable: transient,
      attempts: attempts.count,
      detail,
      note: this.#retryNote(attempts, transient),
    };
    return new ApiError(code ? { ...d, code } : d);
  }

  /** An error status: the ApiErrorResponse messages when the body is one, else an unexpected response. */
  #errorFor(call: Call, res: RawResponse): ApiError {
    const retriable = isRetriedStatus(res.status);
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.location ? ` to ${this.#redactText(res.headers.location)}` : '';
      return this.#unexpected(call, res, 'a JSON response', `a redirect${location}; set ${CLIENT_ENV.API_URL} to the final URL`);
    }
    const parsed = isJsonContentType(res.contentType) ? tryParse(res.body) : undefined;
    const messages = isRecord(parsed) && Array.isArray(parsed.messages) ? (parsed as unknown as ApiErrorResponse).messages : undefined;
    if (!messages) {
      return this.#unexpected(call, res, 'a JSON error body (ApiErrorResponse: httpStatus, messages)', undefined, retriable);
    }
    const texts = messages
      .map((m) => (isRecord(m) && typeof m.message === 'string' ? this.#redactText(m.message) : undefined))
      .filter((m): m is string => m !== undefined && m !== '');
    const codes = messages
      .map((m) => (isRecord(m) && m.errorCode !== undefined ? String(m.errorCode) : undefined))
      .filter((c): c is string => c !== undefined);
    const reason = texts.length > 0 ? texts.join('; ') : STATUS_CODES[res.status] ?? 'error';
    return new ApiError({
      operation: call.operation,
      subject: call.subject,
      status: res.status,
      apiMessages: texts,
      apiErrorCodes: codes,
      retriable,
      attempts: res.attempts,
      detail: `HTTP ${res.status} ${reason}`,
      note: res.note,
    });
  }

  /** The JSON body of a successful response, or an error. */
  #expectJson(call: Call, res: RawResponse, okStatus: number | number[], expected: string): unknown {
    const ok = Array.isArray(okStatus) ? okStatus : [okStatus];
    if (!ok.includes(res.status)) {
      if (res.status >= 200 && res.status < 300) {
        throw this.#unexpected(call, res, `${expected} with HTTP ${ok.join(' or ')}`);
      }
      throw this.#errorFor(call, res);
    }
    if (res.body.trim() === '') throw this.#unexpected(call, res, expected, 'an empty body');
    if (!isJsonContentType(res.contentType)) throw this.#unexpected(call, res, expected);
    const parsed = tryParse(res.body);
    if (parsed === undefined) throw this.#unexpected(call, res, expected, 'a body that is not valid JSON');
    return parsed;
  }

  #expectToken(call: Call, res: RawResponse, okStatus: number[], mustHavePassword: boolean): ApiTokenResponse {
    const body = this.#expectJson(call, res, okStatus, TOKEN_SHAPE);
    const problem = tokenProblem(body, mustHavePassword);
    if (problem) throw this.#unexpected(call, res, TOKEN_SHAPE, problem);
    return normalizeToken(body as Record<string, unknown>);
  }

  #unexpected(call: Call, res: RawResponse, expected: string, problem?: string, retriable = false): UnexpectedResponseError {
    const contentType = this.#redactText(res.contentType);
    const snippet = bodySnippet(res.body, this.#redact);
    const got = `got HTTP ${res.status}${problem ? ` with ${problem}` : ''}, content type ${contentType ? `"${contentType}"` : '(none)'}, body ${snippet ? JSON.stringify(snippet) : '(empty)'}`;
    return new UnexpectedResponseError({
      operation: call.operation,
      subject: call.subject,
      status: res.status,
      retriable,
      attempts: res.attempts,
      detail: `unexpected response: expected ${expected}; ${got}`,
      note: res.note,
      expected,
      contentType,
      bodySnippet: snippet,
    });
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function isJsonContentType(contentType: string): boolean {
  return /^\s*application\/([a-z0-9.!#$&^_-]+\+)?json\s*(;|$)/i.test(contentType);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: AxiosResponse['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const plain = typeof (headers as { toJSON?: unknown }).toJSON === 'function'
    ? (headers as { toJSON: () => Record<string, unknown> }).toJSON()
    : (headers as Record<string, unknown>);
  for (const [k, v] of Object.entries(plain)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** Why `v` is not a TokenResponse, or undefined when it is one. */
function tokenProblem(v: unknown, mustHavePassword: boolean): string | undefined {
  if (!isRecord(v)) return 'a body that is not a JSON object';
  if (typeof v.id !== 'string' || !UUID_PATTERN.test(v.id)) return v.id === undefined ? 'no id' : 'an id that is not a uuid';
  const p = v.properties;
  if (!isRecord(p)) return 'no properties';
  if (typeof p.name !== 'string' || p.name === '') return 'no properties.name';
  const c = p.credentials;
  if (!isRecord(c)) return 'no properties.credentials';
  if (c.username !== undefined && c.username !== null && typeof c.username !== 'string') {
    return 'a properties.credentials.username that is not a string';
  }
  if (c.password !== undefined && c.password !== null && typeof c.password !== 'string') {
    return 'a properties.credentials.password that is not a string';
  }
  if (mustHavePassword && (typeof c.password !== 'string' || c.password === '')) {
    return "no password in properties.credentials.password (the response that creates a token must carry it)";
  }
  return undefined;
}

/** Fills the fields a lenient server may leave out, so callers can rely on the documented shape. */
function normalizeToken(v: Record<string, unknown>): ApiTokenResponse {
  const p = v.properties as Record<string, unknown>;
  const c = p.credentials as Record<string, unknown>;
  if (typeof c.username !== 'string') c.username = p.name;
  if (typeof c.password !== 'string') c.password = '';
  if (p.scopes === undefined) p.scopes = null;
  if (p.expiryDate === undefined) p.expiryDate = null;
  return v as unknown as ApiTokenResponse;
}
