/** An in-memory TokenApi for unit tests of the lifecycle: records every call, can be pre-seeded. */
import { randomUUID } from 'node:crypto';
import type { ApiRegistryResponse, ApiTokenInputProperties, ApiTokenPatch, ApiTokenResponse } from '../../lib/api-types';
import { ApiError } from '../../lib/client/api-error';
import type { TokenApi } from '../../lib/handler/lifecycle';

export class FakeApi implements TokenApi {
  readonly tokens = new Map<string, ApiTokenResponse>();
  readonly calls: string[] = [];
  /** The next PUT creates the token, then its answer is lost: the call fails with this status (0: no answer). */
  loseNextPutAnswer?: number;
  /** How many creating PUTs in a row lose their answer that way. */
  lostPutAnswers = 1;
  /** HTTP attempts per call, as the real client's settings give them (undefined: not known). */
  attempts?: number;
  /** What GET /registries/{id} answers with: the registry's hostname, or an error to throw. */
  registry: { hostname: string } | ApiError = { hostname: 'registry-5b2a4e1c.cr.de-fra.ionos.com' };
  /** The API's clock, as its `Date` headers would give it (undefined: no header seen). */
  serverNow?: () => Date | undefined;

  maxAttempts(): number {
    return this.attempts ?? 0;
  }

  private make(tokenId: string, p: ApiTokenInputProperties, password: string): ApiTokenResponse {
    // A token keeps the creation date it was given when it was created.
    const createdDate = this.tokens.get(tokenId)?.metadata?.createdDate ?? new Date().toISOString();
    return {
      id: tokenId,
      type: 'token',
      href: `/registries/r/tokens/${tokenId}`,
      metadata: { createdBy: 'u', createdByUserId: 'u', createdDate, state: 'enabled' },
      properties: {
        name: p.name,
        scopes: p.scopes ?? null,
        status: p.status ?? 'enabled',
        expiryDate: p.expiryDate ?? null,
        credentials: { username: p.name, password },
      },
    };
  }

  async getToken(_r: string, tokenId: string) {
    this.calls.push('GET');
    const t = this.tokens.get(tokenId);
    return t ? { ...t, properties: { ...t.properties, credentials: { username: t.properties.name, password: '' } } } : undefined;
  }

  async putToken(_r: string, tokenId: string, props: ApiTokenInputProperties) {
    this.calls.push('PUT');
    const existing = this.tokens.get(tokenId);
    if (this.loseNextPutAnswer !== undefined && !existing) {
      const status = this.loseNextPutAnswer;
      if (--this.lostPutAnswers <= 0) this.loseNextPutAnswer = undefined;
      this.tokens.set(tokenId, this.make(tokenId, props, 'lost-' + randomUUID()));
      throw new ApiError({ operation: 'PUT token', subject: tokenId, status, retriable: true, detail: 'answer lost', ...(status === 0 ? { code: 'ECONNRESET' } : {}) });
    }
    const password = existing ? '' : 'pw-' + randomUUID();
    this.tokens.set(tokenId, this.make(tokenId, props, existing ? 'kept' : password));
    return { created: !existing, token: this.make(tokenId, props, password) };
  }

  async patchToken(_r: string, tokenId: string, patch: ApiTokenPatch) {
    this.calls.push('PATCH');
    const t = this.tokens.get(tokenId)!;
    const next = { ...t, properties: { ...t.properties, ...patch } } as ApiTokenResponse;
    this.tokens.set(tokenId, next);
    return next;
  }

  async getRegistry(registryId: string): Promise<ApiRegistryResponse> {
    this.calls.push('GET registry');
    if (this.registry instanceof ApiError) throw this.registry;
    return {
      id: registryId,
      type: 'registry',
      href: `/registries/${registryId}`,
      metadata: { createdBy: 'u', createdByUserId: 'u', createdDate: '2026-01-01T00:00:00Z', state: 'Running' },
      properties: { name: 'registry-5b2a4e1c', location: 'de/fra', hostname: this.registry.hostname },
    };
  }

  async deleteToken(_r: string, tokenId: string) {
    this.calls.push('DELETE');
    return this.tokens.delete(tokenId);
  }
}
