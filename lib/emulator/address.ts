/**
 * Which hosts count as this machine only (loopback), and which requests the emulator answers:
 * the `Host` guard against DNS rebinding and the `Origin` guard against cross-site requests.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { crossOriginRefused, HttpError, misdirectedRequest } from './errors';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6'); // BlockList also matches IPv4-mapped ::ffff:127.x.y.z

const unbracket = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** True for 127.0.0.0/8, ::1 (in any spelling, also IPv4-mapped) and `localhost`; false for any other name or address. */
export function isLoopbackHost(host: string): boolean {
  const h = unbracket(host);
  if (h.toLowerCase() === 'localhost') return true;
  return isIP(h) !== 0 && LOOPBACK.check(h, familyOf(h));
}

/** The host part of a `Host` header (`name`, `name:port`, `[v6]:port`), or undefined when it is not one. */
export function hostOfHeader(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(header);
  return m ? unbracket(m[1]) : undefined;
}

/**
 * Decides whether a request was addressed to this emulator. Invariant: a name an attacker's DNS can
 * point at 127.0.0.1 (anything but loopback names/addresses and the bound host) is never answered.
 */
export class AddressGuard {
  private readonly bound = new BlockList();
  private readonly boundName: string | undefined;

  /** `host`: the `--host` the server binds. */
  constructor(host: string) {
    const h = unbracket(host);
    const family = isIP(h);
    // a wildcard bind (0.0.0.0, ::) is no name a client addresses: it adds nothing
    if (family !== 0 && !/^(0\.0\.0\.0|::|0:0:0:0:0:0:0:0)$/.test(h)) this.bound.addAddress(h, familyOf(h));
    if (family === 0) this.boundName = h.toLowerCase();
  }

  /** True when `host` (no port, no brackets) names this machine's loopback or the bound host. */
  allows(host: string): boolean {
    if (isLoopbackHost(host)) return true;
    if (isIP(host) !== 0) return this.bound.check(host, familyOf(host));
    return this.boundName !== undefined && host.toLowerCase() === this.boundName;
  }

  /** The refusal for a request whose `Host` or `Origin` names another host, else undefined. */
  check(req: IncomingMessage): HttpError | undefined {
    const host = hostOfHeader(req.headers.host);
    if (host === undefined || !this.allows(host)) return misdirectedRequest(req.headers.host);
    const origin = req.headers.origin;
    if (origin === undefined) return undefined; // not sent by a web page
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || !this.allows(unbracket(url.hostname))) return crossOriginRefused(origin);
    return undefined;
  }
}
