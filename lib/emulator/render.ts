/** Records to wire shapes (TokenResponse, TokensResponse, RegistryResponse, RegistriesResponse). */
import type { ApiLinks, ApiTokenResponse, ApiTokensResponse } from '../api-types';
import type { ApiRegistriesResponse, ApiRegistryResponse } from '../api-schemas';
import { API_PREFIX } from './defaults';
import type { RegistryRecord, TokenRecord } from './store';

export const registriesHref = (baseUrl: string) => `${baseUrl}${API_PREFIX}/registries`;
export const registryHref = (baseUrl: string, registryId: string) => `${registriesHref(baseUrl)}/${registryId}`;
export const tokensHref = (baseUrl: string, registryId: string) => `${registryHref(baseUrl, registryId)}/tokens`;
export const tokenHref = (baseUrl: string, registryId: string, tokenId: string) => `${tokensHref(baseUrl, registryId)}/${tokenId}`;

/** A token as the API shows it; `password` is the secret only in the response that created it. */
export function renderToken(t: TokenRecord, baseUrl: string, password = ''): ApiTokenResponse {
  return {
    id: t.id,
    type: 'token',
    href: tokenHref(baseUrl, t.registryId, t.id),
    metadata: {
      createdBy: t.createdBy,
      createdByUserId: t.createdByUserId,
      createdDate: t.createdDate,
      // The only documented token sample shows `state` equal to the status ("enabled").
      state: t.status,
      ...(t.lastModifiedDate === undefined
        ? {}
        : { lastModifiedBy: t.lastModifiedBy, lastModifiedByUserId: t.lastModifiedByUserId, lastModifiedDate: t.lastModifiedDate }),
    },
    properties: {
      name: t.name,
      scopes: t.scopes === null ? null : t.scopes.map((s) => ({ type: s.type, name: s.name, actions: [...s.actions] })),
      status: t.status,
      expiryDate: t.expiryDate,
      credentials: { username: t.name, password },
    },
  };
}

/** One page of tokens; `_links.previous`/`next` only when there is such a page. */
export function renderTokenPage(all: TokenRecord[], registryId: string, baseUrl: string, offset: number, limit: number): ApiTokensResponse {
  const items = all.slice(offset, offset + limit).map((t) => renderToken(t, baseUrl));
  const href = tokensHref(baseUrl, registryId);
  const page = (o: number) => `${href}?offset=${o}&limit=${limit}`;
  const links: ApiLinks = { self: page(offset) };
  if (offset > 0) links.previous = page(Math.max(0, Math.min(offset, all.length) - limit));
  if (offset + limit < all.length) links.next = page(offset + limit);
  return { id: `${registryId}/tokens`, type: 'collection', href, items, offset, limit, count: items.length, total: all.length, _links: links };
}

export function renderRegistry(r: RegistryRecord, baseUrl: string): ApiRegistryResponse {
  return {
    id: r.id,
    type: 'registry',
    href: registryHref(baseUrl, r.id),
    metadata: { createdBy: r.createdBy, createdByUserId: r.createdByUserId, createdDate: r.createdDate, state: 'Running' },
    properties: { name: r.name, location: r.location, hostname: r.hostname },
  };
}

export function renderRegistries(all: RegistryRecord[], baseUrl: string): ApiRegistriesResponse {
  return { id: 'registries', type: 'collection', href: registriesHref(baseUrl), items: all.map((r) => renderRegistry(r, baseUrl)) };
}
