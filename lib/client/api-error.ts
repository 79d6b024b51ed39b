/**
 * Errors of the API client. They carry only plain, safe fields: never the axios error (its request
 * config holds the Authorization header), never a `cause`, never a request header or body.
 */

/** What an {@link ApiError} is built from. */
export interface ApiErrorDetails {
  /** The operation, e.g. `PUT token`. */
  readonly operation: string;
  /** What the operation was about, e.g. the token id; shown after the operation. */
  readonly subject?: string;
  /** The HTTP status; 0 when no response came (connection error, timeout). */
  readonly status: number;
  /** The `messages[].message` texts of an ApiErrorResponse body. */
  readonly apiMessages?: readonly string[];
  /** The `messages[].errorCode` values of an ApiErrorResponse body. */
  readonly apiErrorCodes?: readonly string[];
  /** Whether the failure is transient (429, 502-504, connection errors, timeouts). */
  readonly retriable: boolean;
  /** The network error code (`ECONNRESET`, `ECONNREFUSED`, `ECONNABORTED`, ...), when there was one. */
  readonly code?: string;
  /** HTTP attempts made, retries included. */
  readonly attempts?: number;
  /** The text after `operation subject: `, e.g. `HTTP 409 already exists: name is not available`. */
  readonly detail: string;
  /** Appended in parentheses, e.g. `gave up after 5 attempts`. */
  readonly note?: string;
}

/** A request that failed: an error status, or no response at all (status 0). */
export class ApiError extends Error {
  /** The operation, e.g. `PUT token`. */
  public readonly operation: string;
  /** The HTTP status; 0 for connection errors and timeouts. */
  public readonly status: number;
  /** The API's own error messages (ApiErrorResponse `messages[].message`), possibly empty. */
  public readonly apiMessages: string[];
  /** The API's error codes (ApiErrorResponse `messages[].errorCode`), possibly empty. */
  public readonly apiErrorCodes: string[];
  /** Whether the failure is transient: the same request may succeed later. */
  public readonly retriable: boolean;
  /** The network error code, when no response came. */
  public readonly code?: string;
  /** HTTP attempts made for this call, retries included. */
  public readonly attempts: number;

  public constructor(d: ApiErrorDetails) {
    const head = d.subject ? `${d.operation} ${d.subject}` : d.operation;
    super(`${head}: ${d.detail}${d.note ? ` (${d.note})` : ''}`);
    this.name = 'ApiError';
    this.operation = d.operation;
    this.status = d.status;
    this.apiMessages = [...(d.apiMessages ?? [])];
    this.apiErrorCodes = [...(d.apiErrorCodes ?? [])];
    this.retriable = d.retriable;
    if (d.code !== undefined) this.code = d.code;
    this.attempts = d.attempts ?? 1;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * A response that is not what the API documents: an HTML error page, an empty body, a wrong content
 * type, a redirect, or a 2xx without the required fields. Its message says what was expected and what
 * came (content type and the first ~100 characters of the body, credentials redacted).
 */
export class UnexpectedResponseError extends ApiError {
  /** What the client expected, e.g. `a JSON token (id, properties.name, properties.credentials)`. */
  public readonly expected: string;
  /** The response's Content-Type, or `''` when it had none. */
  public readonly contentType: string;
  /** The first ~100 characters of the body, credentials redacted. */
  public readonly bodySnippet: string;

  public constructor(d: ApiErrorDetails & { expected: string; contentType: string; bodySnippet: string }) {
    super(d);
    this.name = 'UnexpectedResponseError';
    this.expected = d.expected;
    this.contentType = d.contentType;
    this.bodySnippet = d.bodySnippet;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
