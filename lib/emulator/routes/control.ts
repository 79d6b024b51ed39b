/**
 * Control endpoints under `/__emulator` (no auth, loopback clients only, never logged):
 * requests, faults, clock, reset, login.
 */
import { createAjv, describeAjvErrors } from '../../api-schemas';
import { checkUuid, describeViolation, UUID_PATTERN } from '../../validation';
import type { Clock } from '../clock';
import { invalidRequest, loginRefused, registryNotFound } from '../errors';
import type { FaultTable } from '../faults';
import type { HttpResult } from '../http';
import { verifyPassword } from '../password';
import { renderToken } from '../render';
import type { RequestLog } from '../request-log';
import type { Route } from '../router';
import type { EmulatorStore } from '../store';

export interface ControlContext {
  readonly store: EmulatorStore;
  readonly clock: Clock;
  readonly faults: FaultTable;
  readonly log: RequestLog;
  /** Deletes expired tokens (before a login looks for one). */
  sweep(): void;
  jsonBody(): unknown;
  readonly query: URLSearchParams;
  /** `http://host:port` as the client addressed the emulator. */
  readonly baseUrl: string;
}

export type ControlHandler = (ctx: ControlContext) => HttpResult | Promise<HttpResult>;

const ajv = createAjv();
const CLOCK_BODY = ajv.compile({
  type: 'object',
  required: ['advanceSeconds'],
  additionalProperties: false,
  properties: { advanceSeconds: { type: 'number', minimum: 0 } },
});
const LOGIN_BODY = ajv.compile({
  type: 'object',
  required: ['registryId', 'username', 'password'],
  additionalProperties: false,
  properties: { registryId: { type: 'string', pattern: UUID_PATTERN.source }, username: { type: 'string' }, password: { type: 'string' } },
});

function checked<T>(validate: ReturnType<typeof ajv.compile>, body: unknown): T {
  if (!validate(body)) throw invalidRequest(describeAjvErrors(validate.errors));
  return body as T;
}

const clockState = (clock: Clock) => ({ now: clock.now().toISOString(), offsetSeconds: clock.offsetMs / 1000 });

/** Plays `docker login`: a live, enabled, unexpired token of the registry with these credentials. */
const login: ControlHandler = async (ctx) => {
  const { registryId, username, password } = checked<{ registryId: string; username: string; password: string }>(LOGIN_BODY, ctx.jsonBody());
  ctx.sweep();
  const registry = ctx.store.getRegistry(registryId.toLowerCase());
  const token = registry ? ctx.store.findTokenByName(registry.id, username) : undefined;
  if (!registry || !token || token.status !== 'enabled' || !(await verifyPassword(password, token.passwordHash))) throw loginRefused();
  return { status: 200, body: { login: 'succeeded', registryId: registry.id, hostname: registry.hostname, username } };
};

/** Every live token of a registry as the API shows it (password ""), without going through the API log. */
const tokens: ControlHandler = (ctx) => {
  const registryId = ctx.query.get('registryId') ?? '';
  const violations = checkUuid(registryId, 'registryId');
  if (violations.length > 0) throw invalidRequest(violations.map(describeViolation));
  ctx.sweep();
  const registry = ctx.store.getRegistry(registryId.toLowerCase());
  if (!registry) throw registryNotFound(registryId);
  return { status: 200, body: ctx.store.listTokens(registry.id).map((t) => renderToken(t, ctx.baseUrl)) };
};

export const controlRoutes: Route<ControlHandler>[] = [
  {
    pattern: '/requests',
    methods: {
      GET: (ctx) => ({ status: 200, body: ctx.log.list() }),
      DELETE: (ctx) => {
        ctx.log.clear();
        return { status: 204 };
      },
    },
  },
  {
    pattern: '/faults',
    methods: {
      GET: (ctx) => ({ status: 200, body: ctx.faults.list() }),
      POST: (ctx) => ({ status: 201, body: ctx.faults.add(ctx.jsonBody()) }),
      DELETE: (ctx) => {
        ctx.faults.clear();
        return { status: 204 };
      },
    },
  },
  {
    pattern: '/clock',
    methods: {
      GET: (ctx) => ({ status: 200, body: clockState(ctx.clock) }),
      POST: (ctx) => {
        const { advanceSeconds } = checked<{ advanceSeconds: number }>(CLOCK_BODY, ctx.jsonBody());
        ctx.clock.advance(advanceSeconds);
        ctx.sweep();
        return { status: 200, body: clockState(ctx.clock) };
      },
    },
  },
  {
    pattern: '/reset',
    methods: {
      POST: (ctx) => {
        ctx.store.clearTokens();
        ctx.faults.clear();
        ctx.log.clear();
        ctx.clock.reset();
        return { status: 204 };
      },
    },
  },
  { pattern: '/login', methods: { POST: login } },
  { pattern: '/tokens', methods: { GET: tokens } },
];
