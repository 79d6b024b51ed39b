/** A tiny router: path patterns with `:param` segments, one handler per method; tells 404 from 405. */

export type RouteMatch<H> =
  | { readonly kind: 'found'; readonly handler: H; readonly params: Record<string, string> }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed'; readonly allowed: string[] };

export interface Route<H> {
  /** e.g. `/registries/:registryId/tokens`. */
  readonly pattern: string;
  readonly methods: Readonly<Record<string, H>>;
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (got[i] === '') return undefined;
      params[want[i].slice(1)] = got[i];
    } else if (want[i] !== got[i]) {
      return undefined;
    }
  }
  return params;
}

export class Router<H> {
  constructor(private readonly routes: readonly Route<H>[]) {}

  match(method: string, path: string): RouteMatch<H> {
    for (const route of this.routes) {
      const params = matchPattern(route.pattern, path);
      if (!params) continue;
      const handler = route.methods[method];
      if (!handler) return { kind: 'method-not-allowed', allowed: Object.keys(route.methods) };
      return { kind: 'found', handler, params };
    }
    return { kind: 'not-found' };
  }
}

/** A percent-decoded path parameter (left as it is when it does not decode; the uuid check then refuses it). */
export function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
