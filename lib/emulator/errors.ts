/**
 * The emulator's one error factory. Each error fixes its HTTP status, its `errorCode` and its message;
 * every body is an ApiErrorResponse `{ httpStatus, messages: [{ errorCode, message }] }`.
 *
 * `errorCode`: the documented `"0"` for the name conflict; the real codes of the other errors are not
 * documented, so the emulator uses the HTTP status as a string.
 */
import type { ApiErrorResponse } from '../api-types';

export type HeaderValues = Record<string, string | string[]>;

/** An error answer of the emulated API: its status, `errorCode`, messages and headers (the client's counterpart is lib/client's ApiError). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly messages: readonly string[],
    readonly headers: HeaderValues = {},
  ) {
    super(messages.join('; '));
    this.name = 'HttpError';
  }

  body(): ApiErrorResponse {
    return { httpStatus: this.status, messages: this.messages.map((message) => ({ errorCode: this.errorCode, message })) };
  }
}

function error(status: number, messages: string | readonly string[], headers: HeaderValues = {}, errorCode = String(status)): HttpError {
  return new HttpError(status, errorCode, typeof messages === 'string' ? [messages] : messages, headers);
}

/** The documented conflict message (POST or PUT with a name another token of the registry has). */
export const NAME_NOT_AVAILABLE = 'already exists: name is not available';

/** 400: one message per broken rule. */
export const invalidRequest = (messages: readonly string[]) =>
  error(400, messages.length > 0 ? messages : ['invalid request']);

export const malformedJson = (detail: string) =>
  error(400, `malformed JSON body: ${detail}; send a JSON document with Content-Type: application/json`);

export const invalidQuery = (name: string, value: string, rule: string) => error(400, `query parameter ${name} ${JSON.stringify(value)} ${rule}`);

/** 400: PUT on an existing token with another name (the name cannot change; see docs/emulator.md for why 400). */
export const nameImmutable = (tokenId: string, current: string, requested: string) =>
  error(
    400,
    `properties.name cannot be changed: token ${tokenId} is named ${JSON.stringify(current)}, the request says ${JSON.stringify(requested)}; ` +
      'create a new token for a new name',
  );

export const unauthorized = () =>
  error(401, 'unauthorized: missing or invalid credentials; send Authorization: Basic <base64(user:password)> or Bearer <token>', {
    'WWW-Authenticate': ['Basic realm="ionos-registry-emulator"', 'Bearer realm="ionos-registry-emulator"'],
  });

export const loginRefused = () => error(401, 'login refused: no live, enabled token of this registry has these credentials');

export const controlForbidden = (remote: string) => error(403, `control endpoints answer loopback clients only, not ${remote}`);

const shown = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value);

/** 421: the `Host` header names another host (DNS rebinding: a foreign name resolved to this machine). */
export const misdirectedRequest = (host: string | undefined) =>
  error(
    421,
    `misdirected request: the Host header ${shown(host ?? '')} names neither a loopback address (127.0.0.0/8, ::1, localhost) ` +
      'nor the host the emulator binds; address it by one of those (a foreign name is refused to stop DNS rebinding)',
  );

/** 403: a web page of another origin sent the request (its browser adds `Origin`). */
export const crossOriginRefused = (origin: string) =>
  error(403, `cross-origin request refused: Origin ${shown(origin)} is not a page of this machine's loopback or the emulator's host`);

export const routeNotFound = (method: string, path: string) => error(404, `not found: no resource at ${method} ${path}`);

export const registryNotFound = (registryId: string) => error(404, `registry ${registryId} not found`);

export const tokenNotFound = (registryId: string, tokenId: string) => error(404, `token ${tokenId} not found in registry ${registryId}`);

export const methodNotAllowed = (method: string, path: string, allowed: readonly string[]) =>
  error(405, `method ${method} not allowed on ${path}; allowed: ${allowed.join(', ')}`, { Allow: allowed.join(', ') });

export const nameNotAvailable = () => error(409, NAME_NOT_AVAILABLE, {}, '0');

export const payloadTooLarge = (limit: number) => error(413, `request body larger than ${limit} bytes`);

export const unsupportedMediaType = (contentType: string | undefined) =>
  error(415, `unsupported Content-Type ${JSON.stringify(contentType ?? '')}: send the body as application/json`);

/** The answer of an injected fault (`POST /__emulator/faults`). */
export const injectedFault = (status: number, faultId: string, retryAfterSeconds?: number) =>
  error(
    status,
    `injected fault ${faultId}: the emulator answers ${status}`,
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
  );

export const internalError = (err: unknown) => error(500, `internal emulator error: ${err instanceof Error ? err.message : String(err)}`);
