/** The emulator's configuration, and its defaults. */
import { checkUuid, describeViolation } from '../validation';
import { isLoopbackHost } from './address';
import type { BasicUser } from './auth';
import { DEFAULT_BEARER_TOKEN, DEFAULT_HOST, DEFAULT_PASSWORD, DEFAULT_USERNAME } from './defaults';

export interface EmulatorOptions {
  /**
   * The address to bind. Any but 127.0.0.0/8, ::1 and localhost needs `users` or `bearerTokens`:
   * the well-known defaults are served on loopback only. @default '127.0.0.1'
   */
  readonly host?: string;
  /** The port to bind; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * The registries to serve (created when the state file does not hold them yet).
   * @default - the registries of the state file, or else one registry with id DEFAULT_REGISTRY_ID
   */
  readonly registryIds?: readonly string[];
  /** Basic users the API accepts. @default - `emulator:emulator`, unless users or bearerTokens are given */
  readonly users?: readonly BasicUser[];
  /** Bearer tokens the API accepts. @default - `emulator`, unless users or bearerTokens are given */
  readonly bearerTokens?: readonly string[];
  /** Where the state persists (mode 0600); a corrupt file makes start() throw. @default - in memory only */
  readonly stateFile?: string;
  /** Every API call waits this long before it is answered. @default 0 */
  readonly latencyMs?: number;
  /** The random source of fault rates. @default Math.random */
  readonly random?: () => number;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly registryIds?: readonly string[];
  readonly users: readonly BasicUser[];
  readonly bearerTokens: readonly string[];
  readonly stateFile?: string;
  readonly latencyMs: number;
  readonly random: () => number;
}

/** Applies the defaults and checks the values; throws a TypeError naming the first bad one. */
export function resolveOptions(o: EmulatorOptions): ResolvedOptions {
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`port ${port} must be an integer from 0 to 65535`);
  const latencyMs = o.latencyMs ?? 0;
  if (!Number.isInteger(latencyMs) || latencyMs < 0) throw new TypeError(`latencyMs ${latencyMs} must be an integer >= 0`);
  for (const id of o.registryIds ?? []) {
    const v = checkUuid(id, 'registry');
    if (v.length > 0) throw new TypeError(describeViolation(v[0]));
  }
  for (const u of o.users ?? []) {
    if (!u.username || u.username.includes(':')) throw new TypeError(`user ${JSON.stringify(u.username)} must be a non-empty name without ":"`);
  }
  if ((o.bearerTokens ?? []).some((t) => !t)) throw new TypeError('a bearer token must not be empty');
  const custom = (o.users?.length ?? 0) + (o.bearerTokens?.length ?? 0) > 0;
  const host = o.host ?? DEFAULT_HOST;
  if (!custom && !isLoopbackHost(host)) throw new TypeError(defaultCredentialsRefusal(host));
  return {
    host,
    port,
    registryIds: o.registryIds?.length ? o.registryIds.map((id) => id.toLowerCase()) : undefined,
    users: custom ? (o.users ?? []) : [{ username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD }],
    bearerTokens: custom ? (o.bearerTokens ?? []) : [DEFAULT_BEARER_TOKEN],
    stateFile: o.stateFile,
    latencyMs,
    random: o.random ?? Math.random,
  };
}

/** Why a non-loopback host without credentials is refused, and what to do (one line). */
export function defaultCredentialsRefusal(host: string): string {
  return (
    `--host ${host} is not a loopback address: refusing to serve the well-known default credentials (Basic ` +
    `${DEFAULT_USERNAME}:${DEFAULT_PASSWORD}, Bearer ${DEFAULT_BEARER_TOKEN}) beyond this machine; ` +
    'give your own in IONOS_EMULATOR_USERS / IONOS_EMULATOR_BEARER or --users-file / --bearer-file'
  );
}
