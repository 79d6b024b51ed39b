/** `GET /registries` and `GET /registries/{registryId}`. */
import type { ApiHandler } from '../context';
import { registryNotFound } from '../errors';
import { decodeParam, type Route } from '../router';
import { renderRegistries, renderRegistry } from '../render';
import { checkPathIds } from '../token-input';

const list: ApiHandler = (ctx) => ({ status: 200, body: renderRegistries(ctx.store.listRegistries(), ctx.baseUrl) });

const read: ApiHandler = (ctx) => {
  const registryId = decodeParam(ctx.params.registryId);
  checkPathIds({ registryId });
  const registry = ctx.store.getRegistry(registryId.toLowerCase());
  if (!registry) throw registryNotFound(registryId);
  return { status: 200, body: renderRegistry(registry, ctx.baseUrl) };
};

export const registryRoutes: Route<ApiHandler>[] = [
  { pattern: '/registries', methods: { GET: list } },
  { pattern: '/registries/:registryId', methods: { GET: read } },
];
