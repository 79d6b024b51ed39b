/** Shared fixtures of the client tests. */
import nock from 'nock';
import type { ApiTokenResponse } from '../../lib/api-types';
import type { ApiError, ClientConfig } from '../../lib/client';

export const HOST = 'https://api.test.example';
export const BASE = `${HOST}/containerregistries`;
export const REGISTRY = '11111111-2222-4333-8444-555555555555';
export const TOKEN_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
export const TOKEN_PATH = `/containerregistries/registries/${REGISTRY}/tokens/${TOKEN_ID}`;
export const TOKENS_PATH = `/containerregistries/registries/${REGISTRY}/tokens`;

/** Secrets that must never show up in an error. */
export const BEARER = 'eyJhbGciOiJSUzI1NiJ9.SECRET-BEARER-TOKEN.sig';
export const USERNAME = 'alice@example.com';
export const PASSWORD = 'Pa55w0rd!-very-secret';
export const TOKEN_PASSWORD = 'registry-token-password-XYZ123';

export function config(overrides: Partial<ClientConfig> = {}): ClientConfig {
  return {
    apiUrl: BASE,
    auth: { kind: 'bearer', token: BEARER },
    timeoutMs: 2_000,
    maxAttempts: 3,
    totalTimeoutMs: 10_000,
    userAgent: 'cdktf-ionos-registry-token/test',
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...overrides,
  };
}

export function token(overrides: { id?: string; name?: string; password?: string } = {}): ApiTokenResponse {
  const name = overrides.name ?? 'ci-pull';
  return {
    id: overrides.id ?? TOKEN_ID,
    type: 'token',
    href: `${BASE}/registries/${REGISTRY}/tokens/${overrides.id ?? TOKEN_ID}`,
    metadata: {
      createdBy: 'alice@example.com',
      createdByUserId: 'u-1',
      createdDate: '2030-01-01T00:00:00Z',
      state: 'enabled',
    },
    properties: {
      name,
      scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }],
      status: 'enabled',
      expiryDate: null,
      credentials: { username: name, password: overrides.password ?? '' },
    },
  };
}

export const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function apiError(status: number, message: string): object {
  return { httpStatus: status, messages: [{ errorCode: '0', message }] };
}

/** A uuid for the n-th token of a list. */
export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A connection error as Node raises it (nock 14 needs an Error instance to deliver the code). */
export function netError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Turns nock on for one test file and off again after it. Jest loads nock afresh per file, so a file
 * that left its interceptor installed would stack under the next file's (errors then surface as
 * unhandled socket errors).
 */
export function useNock(): void {
  beforeAll(() => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });
}

/** The error a call fails with; fails the test when the call succeeds. */
export async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected the call to fail');
}
