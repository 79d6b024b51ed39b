/** What an API handler gets: the request's parts, the caller, and the emulator's store and clock. */
import type { Clock } from './clock';
import type { HttpResult } from './http';
import type { Actor, EmulatorStore } from './store';

export interface ApiContext {
  readonly method: string;
  /** Path parameters as sent (still percent-encoded). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly actor: Actor;
  /** `http://host:port` as the client addressed the emulator; hrefs and Location build on it. */
  readonly baseUrl: string;
  readonly store: EmulatorStore;
  readonly clock: Clock;
  /** The parsed JSON body (throws the 415/400 HttpError when there is none or it is not JSON). */
  jsonBody(): unknown;
}

export type ApiHandler = (ctx: ApiContext) => HttpResult | Promise<HttpResult>;
