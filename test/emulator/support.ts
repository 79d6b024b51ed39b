/**
 * A small API client for the emulator tests: every answer is checked against lib/api-schemas.ts
 * (exact: no unknown fields), so the emulator cannot drift from the documented shapes.
 */
import { validateShape, type SchemaName } from '../../lib/api-schemas';
import type { ApiTokenInputProperties, ApiTokenResponse } from '../../lib/api-types';
import { DEFAULT_AUTH, startEmulator, type RunningEmulator } from '../helper/emulator';

export interface Answer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  /** The `Authorization` header; null sends none. @default DEFAULT_AUTH.basic */
  readonly auth?: string | null;
  readonly body?: unknown;
  /** Sent as it is instead of JSON.stringify(body). */
  readonly rawBody?: string;
  /** @default 'application/json' when there is a body */
  readonly contentType?: string | null;
  readonly headers?: Record<string, string>;
}

/** The schema a successful answer must match, from the method and the path. */
export function successSchema(method: string, path: string): SchemaName | 'empty' {
  const p = path.split('?')[0];
  if (/^\/registries$/.test(p)) return 'RegistriesResponse';
  if (/^\/registries\/[^/]+$/.test(p)) return 'RegistryResponse';
  if (/^\/registries\/[^/]+\/tokens$/.test(p)) return method === 'POST' ? 'PostTokenOutput' : 'TokensResponse';
  if (method === 'DELETE') return 'empty';
  return method === 'PUT' ? 'PutTokenOutput' : 'TokenResponse';
}

export function expectShape(name: SchemaName, value: unknown): void {
  const result = validateShape(name, value, { exact: true });
  if (!result.valid) throw new Error(`${name} expected, but: ${result.errors.join('; ')}\n${JSON.stringify(value)}`);
}

/** Calls `<url>/containerregistries<path>` and checks the answer's shape. */
export async function call<T = any>(emu: RunningEmulator, method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...o.headers };
  const auth = o.auth === undefined ? DEFAULT_AUTH.basic : o.auth;
  if (auth !== null) headers.Authorization = auth;
  const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  const contentType = o.contentType === undefined ? (body === undefined ? null : 'application/json') : o.contentType;
  if (contentType !== null) headers['Content-Type'] = contentType;
  const res = await fetch(`${emu.url}/containerregistries${path}`, { method, headers, body });
  const text = await res.text();
  const parsed = text === '' ? undefined : JSON.parse(text);
  if (res.status >= 400) {
    expectShape('ApiErrorResponse', parsed);
    expect(parsed.httpStatus).toBe(res.status);
  } else {
    const schema = successSchema(method, path);
    if (schema === 'empty') expect(text).toBe('');
    else expectShape(schema, parsed);
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const scope = (name = 'app/*', actions = ['pull'], type = 'repository') => ({ type, name, actions });

/** A valid create body, with overrides. */
export function tokenInput(name: string, overrides: Partial<Record<keyof ApiTokenInputProperties, unknown>> = {}) {
  return { properties: { name, scopes: [scope()], ...overrides } };
}

/** ISO time `seconds` after now (real time; the emulator clock starts at real time). */
export const inSeconds = (seconds: number, from = Date.now()) => new Date(from + seconds * 1000).toISOString();

/** POSTs a valid token and returns the answer's body (the password is in it). */
export async function createToken(emu: RunningEmulator, name: string, overrides: Parameters<typeof tokenInput>[1] = {}, registryId = emu.registryId) {
  const res = await call<ApiTokenResponse>(emu, 'POST', `/registries/${registryId}/tokens`, { body: tokenInput(name, overrides) });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${res.text}`);
  return res.body;
}

/** The messages of an error answer, joined. */
export const messagesOf = (a: Answer) => (a.body.messages as { message: string }[]).map((m) => m.message).join(' | ');

let counter = 0;
/** A fresh valid token name per call (tests share an emulator). */
export const uniqueName = (prefix = 'tok') => `${prefix}-${process.pid}-${++counter}`;

/**
 * One real emulator process for a test file: started before its tests (handed to `set`), stopped
 * after them (it must exit 0), and with `resetEach` emptied before every test.
 */
export function useEmulator(set: (emu: RunningEmulator) => void, { resetEach = false } = {}): void {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
    set(emu);
  });
  afterAll(async () => {
    expect(await emu.stop()).toBe(0);
  });
  if (resetEach) {
    beforeEach(async () => {
      await emu.reset();
    });
  }
}
