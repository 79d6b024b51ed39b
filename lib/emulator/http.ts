/** Small node:http helpers: a handler's result, reading and parsing a JSON body, sending a result. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, type HeaderValues, malformedJson, payloadTooLarge, unsupportedMediaType } from './errors';

/** What a handler answers; written by {@link sendResult}. */
export interface HttpResult {
  readonly status: number;
  readonly headers?: HeaderValues;
  /** Sent as JSON; no body when undefined. */
  readonly body?: unknown;
  /** Sent as it is instead of `body` (injected malformed answers), with `contentType`. */
  readonly rawBody?: string;
  readonly contentType?: string;
}

export function errorResult(err: HttpError): HttpResult {
  return { status: err.status, headers: err.headers, body: err.body() };
}

/** Reads the whole body; a body over `limit` bytes is drained and refused with 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => (size > limit ? reject(payloadTooLarge(limit)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** True for `application/json`, with or without parameters such as `charset=utf-8`. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0].trim().toLowerCase() === 'application/json';
}

/** The parsed JSON body of a request that must carry one: 415 for another content type, 400 for bad JSON. */
export function parseJsonBody(contentType: string | undefined, raw: Buffer): unknown {
  if (!isJsonContentType(contentType)) throw unsupportedMediaType(contentType);
  const text = raw.toString('utf8');
  if (text.trim() === '') throw malformedJson('the body is empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw malformedJson((err as Error).message);
  }
}

export function sendResult(res: ServerResponse, result: HttpResult): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.rawBody !== undefined) {
    res.statusCode = result.status;
    if (result.contentType) res.setHeader('Content-Type', result.contentType);
    res.setHeader('Content-Length', Buffer.byteLength(result.rawBody));
    res.end(result.rawBody);
    return;
  }
  if (result.body === undefined) {
    res.statusCode = result.status;
    res.end();
    return;
  }
  const text = JSON.stringify(result.body);
  res.statusCode = result.status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
