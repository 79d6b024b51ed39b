/**
 * The emulator's HTTP server (node:http only): the API under `/containerregistries`, the control
 * endpoints under `/__emulator`, the request log, injected faults, latency and the state file.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressGuard, isLoopbackHost } from './address';
import { Authenticator, userIdOf } from './auth';
import { Clock } from './clock';
import type { ApiContext, ApiHandler } from './context';
import { API_PREFIX, CONTROL_PREFIX, DEFAULT_REGISTRY_ID, MAX_BODY_BYTES, REGISTRY_HOST_SUFFIX, REGISTRY_LOCATION } from './defaults';
import {
  HttpError,
  controlForbidden,
  injectedFault,
  internalError,
  methodNotAllowed,
  routeNotFound,
  unauthorized,
} from './errors';
import { FaultTable, type Fault } from './faults';
import { errorResult, parseJsonBody, readBody, sendResult, type HttpResult } from './http';
import { Mutex } from './mutex';
import { resolveOptions, type EmulatorOptions, type ResolvedOptions } from './options';
import { RequestLog } from './request-log';
import { Router } from './router';
import { controlRoutes, type ControlContext, type ControlHandler } from './routes/control';
import { registryRoutes } from './routes/registries';
import { tokenRoutes } from './routes/tokens';
import { loadStateFile, saveStateFile } from './state-file';
import { InMemoryStore, type EmulatorStore, type RegistryRecord } from './store';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const apiRouter = new Router<ApiHandler>([...registryRoutes, ...tokenRoutes]);
const controlRouter = new Router<ControlHandler>(controlRoutes);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads and drops a request's body (up to the limit), so the answer does not reset the connection. */
const drain = (req: IncomingMessage) => readBody(req, MAX_BODY_BYTES).then(() => undefined, () => undefined);

/** A registry named after its id: `registry-<first 8 hex digits>`, hostname `<name>.cr.de-fra.ionos.com`. */
export function newRegistry(id: string, now: Date): RegistryRecord {
  const name = `registry-${id.slice(0, 8).toLowerCase()}`;
  return {
    id,
    name,
    location: REGISTRY_LOCATION,
    hostname: `${name}.${REGISTRY_HOST_SUFFIX}`,
    createdBy: 'emulator',
    createdByUserId: userIdOf('emulator'),
    createdDate: now.toISOString(),
  };
}

function hasPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export class EmulatorServer {
  /** Starts the server; throws a StateFileError when the state file is unreadable or corrupt. */
  static async start(options: EmulatorOptions = {}): Promise<EmulatorServer> {
    const resolved = resolveOptions(options);
    const snapshot = resolved.stateFile ? loadStateFile(resolved.stateFile) : undefined;
    const store = snapshot ? InMemoryStore.fromSnapshot(snapshot) : new InMemoryStore();
    const clock = new Clock(snapshot?.clockOffsetMs ?? 0);
    const wanted = resolved.registryIds ?? (store.listRegistries().length > 0 ? [] : [DEFAULT_REGISTRY_ID]);
    for (const id of wanted) if (!store.getRegistry(id)) store.addRegistry(newRegistry(id, clock.now()));
    const registryIds = [...new Set([...wanted, ...store.listRegistries().map((r) => r.id)])];
    const registryHostnames = registryIds.map((id) => (store.getRegistry(id) as RegistryRecord).hostname);

    const emulator = new EmulatorServer(resolved, store, clock, registryIds, registryHostnames);
    await emulator.listen();
    await emulator.persist(true);
    return emulator;
  }

  /** `http://host:port`: use it as `IONOS_API_URL` (clients append `/containerregistries`). */
  readonly url: string = '';
  /** The registries served, those given first. */
  readonly registryIds: string[];
  /** Their hostnames (`registryHostname` of a RegistryToken; `properties.hostname` of GET /registries/{id}), in the same order. */
  readonly registryHostnames: string[];

  private readonly server: Server;
  private readonly auth: Authenticator;
  private readonly faults: FaultTable;
  private readonly log = new RequestLog();
  private readonly mutex = new Mutex();
  private readonly guard: AddressGuard;
  /** Bound to loopback: the API is held to the Host/Origin rule too (elsewhere its credentials guard it). */
  private readonly loopbackOnly: boolean;
  private savedOffsetMs: number | undefined;
  private saving: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly store: EmulatorStore,
    private readonly clock: Clock,
    registryIds: string[],
    registryHostnames: string[],
  ) {
    this.registryIds = registryIds;
    this.registryHostnames = registryHostnames;
    this.guard = new AddressGuard(options.host);
    this.loopbackOnly = isLoopbackHost(options.host);
    this.auth = new Authenticator(options.users, options.bearerTokens);
    this.faults = new FaultTable(options.random);
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        process.stderr.write(`ionos-registry-emulator: ${err instanceof Error ? err.stack : String(err)}\n`);
        if (!res.headersSent) sendResult(res, errorResult(internalError(err)));
      });
    });
  }

  /** Stops serving, closes open connections and flushes the state file. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      this.server.close((err) => {
        this.persist(true).then(() => (err ? reject(err) : resolve()), reject);
      });
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { address, port } = this.server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    (this as { url: string }).url = `http://${host}:${port}`;
  }

  /**
   * Writes the state file when something changed (or always, with `force`). The snapshot is taken
   * now; the writes go one after the other, so that a later snapshot never lands before an earlier one.
   */
  private persist(force = false): Promise<void> {
    const file = this.options.stateFile;
    if (!file) return Promise.resolve();
    if (!force && !this.store.dirty && this.savedOffsetMs === this.clock.offsetMs) return this.saving;
    const snapshot = this.store.snapshot(this.clock.offsetMs);
    this.store.markClean();
    this.savedOffsetMs = this.clock.offsetMs;
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => saveStateFile(file, snapshot))
      .catch((err: unknown) => {
        this.savedOffsetMs = undefined; // not saved: the next call writes again
        throw err;
      });
    return this.saving;
  }

  private sweep(): void {
    this.store.deleteExpired(this.clock.now());
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const control = hasPrefix(url.pathname, CONTROL_PREFIX);
    // before the request log, faults and auth: a misdirected request never reaches the emulated API
    const refused = control || this.loopbackOnly ? this.guard.check(req) : undefined;
    if (refused) {
      await drain(req);
      sendResult(res, errorResult(refused));
    } else if (control) {
      await this.onControl(req, res, url);
    } else {
      await this.onApi(req, res, url);
    }
  }

  private async onControl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(CONTROL_PREFIX.length);
    const result = await this.resolve(async () => {
      const remote = req.socket.remoteAddress;
      if (remote === undefined || !isLoopbackHost(remote)) throw controlForbidden(String(req.socket.remoteAddress));
      const raw = await readBody(req, MAX_BODY_BYTES);
      const match = controlRouter.match(method, path);
      if (match.kind === 'not-found') throw routeNotFound(method, url.pathname);
      if (match.kind === 'method-not-allowed') throw methodNotAllowed(method, url.pathname, match.allowed);
      const ctx: ControlContext = {
        store: this.store,
        clock: this.clock,
        faults: this.faults,
        log: this.log,
        sweep: () => this.sweep(),
        jsonBody: () => parseJsonBody(req.headers['content-type'], raw),
        query: url.searchParams,
        baseUrl: this.baseUrlOf(req),
      };
      return match.handler(ctx);
    });
    await this.persist();
    sendResult(res, result);
  }

  private async onApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const entry = this.log.begin(method, path, this.clock.now().toISOString());
    let raw: Buffer | HttpError;
    try {
      raw = await readBody(req, MAX_BODY_BYTES);
    } catch (err) {
      raw = err instanceof HttpError ? err : internalError(err);
    }
    const fault = this.faults.take(method, path);
    const delay = this.options.latencyMs + (fault?.commit ? 0 : fault?.latencyMs ?? 0);
    if (delay > 0) await sleep(delay);

    let result: HttpResult;
    if (fault?.status !== undefined && !fault.commit) {
      result = this.faultResult(fault);
    } else {
      const body = raw;
      result = await this.resolve(() => (body instanceof HttpError ? Promise.reject(body) : this.handleApi(req, method, url, body)));
      if (fault?.status !== undefined) result = this.faultResult(fault);
      if (fault?.commit && fault.latencyMs) {
        await this.persist();
        await sleep(fault.latencyMs);
      }
    }
    await this.persist();
    entry.finish(result.status);
    if (result.status === 0) {
      req.socket.destroy();
      return;
    }
    // The API's own time, as every HTTP server sends it: the emulator's clock, which tests move.
    res.setHeader('Date', this.clock.now().toUTCString());
    sendResult(res, result);
  }

  private faultResult(fault: Fault): HttpResult {
    if (fault.status === 0) return { status: 0 };
    const answer = errorResult(injectedFault(fault.status as number, fault.id, fault.retryAfterSeconds));
    if (fault.body === undefined) return answer;
    return { status: answer.status, headers: answer.headers, rawBody: fault.body, contentType: fault.contentType };
  }

  /** `http://<Host header>` when it looks like a host, else the bound URL. */
  private baseUrlOf(req: IncomingMessage): string {
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `http://${host}` : this.url;
  }

  /** Runs a handler and turns any thrown error into its ApiErrorResponse. */
  private async resolve(run: () => HttpResult | Promise<HttpResult>): Promise<HttpResult> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof HttpError) return errorResult(err);
      process.stderr.write(`ionos-registry-emulator: ${err instanceof Error ? err.stack : String(err)}\n`);
      return errorResult(internalError(err));
    }
  }

  private async handleApi(req: IncomingMessage, method: string, url: URL, raw: Buffer): Promise<HttpResult> {
    if (!hasPrefix(url.pathname, API_PREFIX)) throw routeNotFound(method, url.pathname);
    const actor = this.auth.authenticate(req.headers.authorization);
    if (!actor) throw unauthorized();
    const match = apiRouter.match(method, url.pathname.slice(API_PREFIX.length));
    if (match.kind === 'not-found') throw routeNotFound(method, url.pathname);
    if (match.kind === 'method-not-allowed') throw methodNotAllowed(method, url.pathname, match.allowed);
    const ctx: ApiContext = {
      method,
      params: match.params,
      query: url.searchParams,
      actor,
      baseUrl: this.baseUrlOf(req),
      store: this.store,
      clock: this.clock,
      jsonBody: () => parseJsonBody(req.headers['content-type'], raw),
    };
    const run = () => {
      this.sweep();
      return match.handler(ctx);
    };
    return MUTATING.has(method) ? this.mutex.run(run) : run();
  }
}
