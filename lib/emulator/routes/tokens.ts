/** The token endpoints: list, create (POST), read, create-or-replace (PUT), update (PATCH), delete. */
import { randomUUID } from 'node:crypto';
import type { ApiTokenInputProperties } from '../../api-types';
import type { ApiContext, ApiHandler } from '../context';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../defaults';
import { invalidQuery, nameImmutable, nameNotAvailable, registryNotFound, tokenNotFound } from '../errors';
import { generatePassword, hashPassword } from '../password';
import { renderToken, renderTokenPage, tokenHref } from '../render';
import { decodeParam, type Route } from '../router';
import type { RegistryRecord, TokenRecord } from '../store';
import { checkPathIds, checkTokenInput, checkTokenPatch, copyScopes } from '../token-input';

/** The registry of the path (400 for a bad uuid, 404 when unknown); ids are compared in lower case. */
function registryOf(ctx: ApiContext): RegistryRecord {
  const registryId = decodeParam(ctx.params.registryId);
  checkPathIds({ registryId });
  const registry = ctx.store.getRegistry(registryId.toLowerCase());
  if (!registry) throw registryNotFound(registryId);
  return registry;
}

function tokenIdOf(ctx: ApiContext): string {
  const tokenId = decodeParam(ctx.params.tokenId);
  checkPathIds({ tokenId });
  return tokenId.toLowerCase();
}

function existingToken(ctx: ApiContext): TokenRecord {
  const registry = registryOf(ctx);
  const tokenId = tokenIdOf(ctx);
  const token = ctx.store.getToken(registry.id, tokenId);
  if (!token) throw tokenNotFound(registry.id, tokenId);
  return token;
}

/** A query integer: digits only, within [min, max]; the default when absent. */
function queryInt(ctx: ApiContext, name: string, fallback: number, min: number, max: number): number {
  const values = ctx.query.getAll(name);
  if (values.length === 0) return fallback;
  const value = values[0];
  const rule = `must be one integer from ${min} to ${max}`;
  if (values.length > 1 || !/^\d{1,9}$/.test(value)) throw invalidQuery(name, values.join(','), rule);
  const n = Number(value);
  if (n < min || n > max) throw invalidQuery(name, value, rule);
  return n;
}

const list: ApiHandler = (ctx) => {
  const registry = registryOf(ctx);
  const offset = queryInt(ctx, 'offset', 0, 0, 999_999_999);
  const limit = queryInt(ctx, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  return { status: 200, body: renderTokenPage(ctx.store.listTokens(registry.id), registry.id, ctx.baseUrl, offset, limit) };
};

/** Creates a token with a new password; the answer is the only place the password appears. */
async function create(
  ctx: ApiContext,
  registry: RegistryRecord,
  tokenId: string,
  props: ApiTokenInputProperties,
): Promise<{ token: TokenRecord; password: string }> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  // Checked after the await, right before the insert, so two racing creates cannot share a name.
  if (ctx.store.findTokenByName(registry.id, props.name)) throw nameNotAvailable();
  const token: TokenRecord = {
    id: tokenId,
    registryId: registry.id,
    name: props.name,
    scopes: copyScopes(props.scopes),
    status: props.status ?? 'enabled',
    expiryDate: props.expiryDate ?? null,
    passwordHash,
    createdBy: ctx.actor.name,
    createdByUserId: ctx.actor.userId,
    createdDate: ctx.clock.now().toISOString(),
  };
  ctx.store.putToken(token);
  return { token, password };
}

function created(ctx: ApiContext, token: TokenRecord, password: string) {
  const href = tokenHref(ctx.baseUrl, token.registryId, token.id);
  return { status: 201, headers: { Location: href }, body: renderToken(token, ctx.baseUrl, password) };
}

const post: ApiHandler = async (ctx) => {
  const registry = registryOf(ctx);
  const props = checkTokenInput('PostTokenInput', ctx.jsonBody(), ctx.clock.now());
  const { token, password } = await create(ctx, registry, randomUUID(), props);
  return created(ctx, token, password);
};

const read: ApiHandler = (ctx) => ({ status: 200, body: renderToken(existingToken(ctx), ctx.baseUrl) });

/** PUT: creates at the client's id (201 + password) or replaces every property but the name (200). */
const put: ApiHandler = async (ctx) => {
  const registry = registryOf(ctx);
  const tokenId = tokenIdOf(ctx);
  const body = ctx.jsonBody();
  const current = ctx.store.getToken(registry.id, tokenId);
  const props = checkTokenInput('PutTokenInput', body, ctx.clock.now(), current?.expiryDate);
  if (!current) {
    const { token, password } = await create(ctx, registry, tokenId, props);
    return created(ctx, token, password);
  }
  if (props.name !== current.name) throw nameImmutable(current.id, current.name, props.name);
  const token: TokenRecord = {
    ...current,
    scopes: copyScopes(props.scopes),
    status: props.status ?? 'enabled',
    expiryDate: props.expiryDate ?? null,
    lastModifiedBy: ctx.actor.name,
    lastModifiedByUserId: ctx.actor.userId,
    lastModifiedDate: ctx.clock.now().toISOString(),
  };
  ctx.store.putToken(token);
  return { status: 200, body: renderToken(token, ctx.baseUrl) };
};

/** PATCH: changes only the fields given (an empty body changes nothing). */
const patch: ApiHandler = (ctx) => {
  const current = existingToken(ctx);
  const changes = checkTokenPatch(ctx.jsonBody(), ctx.clock.now(), current.expiryDate);
  if (Object.keys(changes).length === 0) return { status: 200, body: renderToken(current, ctx.baseUrl) };
  const token: TokenRecord = {
    ...current,
    ...(changes.scopes !== undefined ? { scopes: copyScopes(changes.scopes) } : {}),
    ...(changes.status !== undefined ? { status: changes.status } : {}),
    ...(changes.expiryDate !== undefined ? { expiryDate: changes.expiryDate } : {}),
    lastModifiedBy: ctx.actor.name,
    lastModifiedByUserId: ctx.actor.userId,
    lastModifiedDate: ctx.clock.now().toISOString(),
  };
  ctx.store.putToken(token);
  return { status: 200, body: renderToken(token, ctx.baseUrl) };
};

const remove: ApiHandler = (ctx) => {
  const token = existingToken(ctx);
  ctx.store.deleteToken(token.registryId, token.id);
  return { status: 204 };
};

export const tokenRoutes: Route<ApiHandler>[] = [
  { pattern: '/registries/:registryId/tokens', methods: { GET: list, POST: post } },
  { pattern: '/registries/:registryId/tokens/:tokenId', methods: { GET: read, PUT: put, PATCH: patch, DELETE: remove } },
];
