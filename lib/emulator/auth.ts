/** Who may call the API: Basic users and Bearer tokens, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Actor } from './store';

export interface BasicUser {
  readonly username: string;
  readonly password: string;
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** A stable uuid-shaped id for a principal name (what `createdByUserId` shows). */
export function userIdOf(name: string): string {
  const h = createHash('sha256').update(`ionos-registry-emulator:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class Authenticator {
  constructor(
    private readonly users: readonly BasicUser[],
    private readonly bearerTokens: readonly string[],
  ) {}

  /**
   * The caller behind an `Authorization` header, or undefined. A Basic user shows as its username,
   * a Bearer token as `bearer-<n>` (its place in the list, so the secret never appears in metadata).
   */
  authenticate(header: string | undefined): Actor | undefined {
    if (!header) return undefined;
    const m = /^(\S+)\s+(\S+)\s*$/.exec(header);
    if (!m) return undefined;
    const scheme = m[1].toLowerCase();
    if (scheme === 'basic') {
      const decoded = Buffer.from(m[2], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return undefined;
      const username = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      const user = this.users.find((u) => sameSecret(u.username, username) && sameSecret(u.password, password));
      return user ? { name: user.username, userId: userIdOf(`basic:${user.username}`) } : undefined;
    }
    if (scheme === 'bearer') {
      const index = this.bearerTokens.findIndex((t) => sameSecret(t, m[2]));
      return index < 0 ? undefined : { name: `bearer-${index + 1}`, userId: userIdOf(`bearer:${index + 1}`) };
    }
    return undefined;
  }
}
