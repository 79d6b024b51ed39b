/**
 * Where the emulator keeps registries and tokens: an interface, and the in-memory implementation
 * (which can be turned into a snapshot for the state file, and rebuilt from one).
 * Passwords never reach the store: a token holds only the scrypt hash of its password.
 */
import type { ApiScope } from '../api-types';

export interface RegistryRecord {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly hostname: string;
  readonly createdBy: string;
  readonly createdByUserId: string;
  readonly createdDate: string;
}

/** Who made a change, as metadata shows it. */
export interface Actor {
  readonly name: string;
  readonly userId: string;
}

export interface TokenRecord {
  readonly id: string;
  readonly registryId: string;
  readonly name: string;
  readonly scopes: ApiScope[] | null;
  readonly status: string;
  readonly expiryDate: string | null;
  /** `scrypt$N$r$p$salt$hash`, never the password. */
  readonly passwordHash: string;
  readonly createdBy: string;
  readonly createdByUserId: string;
  readonly createdDate: string;
  readonly lastModifiedBy?: string;
  readonly lastModifiedByUserId?: string;
  readonly lastModifiedDate?: string;
}

/** Everything the state file holds. */
export interface StoreSnapshot {
  readonly version: 1;
  readonly clockOffsetMs: number;
  readonly registries: RegistryRecord[];
  readonly tokens: TokenRecord[];
}

export interface EmulatorStore {
  listRegistries(): RegistryRecord[];
  getRegistry(registryId: string): RegistryRecord | undefined;
  addRegistry(registry: RegistryRecord): void;
  /** The registry's tokens in creation order. */
  listTokens(registryId: string): TokenRecord[];
  getToken(registryId: string, tokenId: string): TokenRecord | undefined;
  findTokenByName(registryId: string, name: string): TokenRecord | undefined;
  /** Inserts, or replaces the token with the same id in place. */
  putToken(token: TokenRecord): void;
  deleteToken(registryId: string, tokenId: string): boolean;
  /** Deletes every token whose expiry is at or before `now`; returns how many. */
  deleteExpired(now: Date): number;
  clearTokens(): void;
  /** True when something changed since the last {@link markClean}. */
  readonly dirty: boolean;
  markClean(): void;
  snapshot(clockOffsetMs: number): StoreSnapshot;
}

const key = (registryId: string, tokenId: string) => `${registryId}/${tokenId}`;

export class InMemoryStore implements EmulatorStore {
  private readonly registries = new Map<string, RegistryRecord>();
  private readonly tokens = new Map<string, TokenRecord>();
  private changed = false;

  static fromSnapshot(snapshot: StoreSnapshot): InMemoryStore {
    const store = new InMemoryStore();
    snapshot.registries.forEach((r) => store.registries.set(r.id, r));
    snapshot.tokens.forEach((t) => store.tokens.set(key(t.registryId, t.id), t));
    return store;
  }

  get dirty(): boolean {
    return this.changed;
  }

  markClean(): void {
    this.changed = false;
  }

  listRegistries(): RegistryRecord[] {
    return [...this.registries.values()];
  }

  getRegistry(registryId: string): RegistryRecord | undefined {
    return this.registries.get(registryId);
  }

  addRegistry(registry: RegistryRecord): void {
    this.registries.set(registry.id, registry);
    this.changed = true;
  }

  listTokens(registryId: string): TokenRecord[] {
    return [...this.tokens.values()].filter((t) => t.registryId === registryId);
  }

  getToken(registryId: string, tokenId: string): TokenRecord | undefined {
    return this.tokens.get(key(registryId, tokenId));
  }

  findTokenByName(registryId: string, name: string): TokenRecord | undefined {
    return this.listTokens(registryId).find((t) => t.name === name);
  }

  putToken(token: TokenRecord): void {
    this.tokens.set(key(token.registryId, token.id), token);
    this.changed = true;
  }

  deleteToken(registryId: string, tokenId: string): boolean {
    const deleted = this.tokens.delete(key(registryId, tokenId));
    if (deleted) this.changed = true;
    return deleted;
  }

  deleteExpired(now: Date): number {
    let n = 0;
    for (const [k, t] of this.tokens) {
      if (t.expiryDate !== null && new Date(t.expiryDate).getTime() <= now.getTime()) {
        this.tokens.delete(k);
        n++;
      }
    }
    if (n > 0) this.changed = true;
    return n;
  }

  clearTokens(): void {
    if (this.tokens.size > 0) this.changed = true;
    this.tokens.clear();
  }

  snapshot(clockOffsetMs: number): StoreSnapshot {
    return { version: 1, clockOffsetMs, registries: this.listRegistries(), tokens: [...this.tokens.values()] };
  }
}
