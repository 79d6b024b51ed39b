/**
 * Injected faults (`POST /__emulator/faults`): the next `times` API calls that match `method` and
 * `path` (a regular expression tested against the path without its query), or a random `rate`
 * fraction of them, answer `status` instead (0 = the connection is reset). With `commit` the call
 * takes effect first. `latencyMs` delays matching calls (with `commit`, after the call took effect,
 * so a test can see the result before the client gets its answer); a fault with only `latencyMs`
 * just delays. `body` (with `contentType`) replaces the answer's body with raw text, for answers a
 * client does not expect (an HTML error page, an empty body, a 200 without an id).
 */
import { createAjv, describeAjvErrors } from '../api-schemas';
import { invalidRequest } from './errors';

/** The body of `POST /__emulator/faults`. */
export interface FaultSpec {
  /** HTTP method to match (any when absent). */
  readonly method?: string;
  /** Regular expression tested against the path without query, e.g. `/tokens$` (any when absent). */
  readonly path?: string;
  /** The status to answer: 400-599, or 0 to reset the connection. Required unless `latencyMs` is given. */
  readonly status?: number;
  /** How many matching calls the fault hits. @default 1, or unlimited when `rate` is given */
  readonly times?: number;
  /** The chance (0-1) that a matching call is hit. @default 1 */
  readonly rate?: number;
  /** Adds `Retry-After: <n>` to the fault's answer. */
  readonly retryAfterSeconds?: number;
  /** The call takes effect first, then the fault answers (the "502 but created" case). @default false */
  readonly commit?: boolean;
  /** Delays matching calls by this many milliseconds (after the call took effect when `commit`). */
  readonly latencyMs?: number;
  /** Raw body text to answer instead of an ApiErrorResponse; then `status` may also be 200-399. */
  readonly body?: string;
  /** Content-Type of `body`. @default no Content-Type header */
  readonly contentType?: string;
}

/** A registered fault, as the control endpoints return it. */
export interface Fault extends FaultSpec {
  readonly id: string;
  /** Hits left; null = unlimited. */
  remaining: number | null;
  /** Calls hit so far. */
  hits: number;
}

const SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    method: { type: 'string', pattern: '^[A-Za-z]+$' },
    path: { type: 'string' },
    status: { type: 'integer', anyOf: [{ const: 0 }, { minimum: 200, maximum: 599 }] },
    times: { type: 'integer', minimum: 1 },
    rate: { type: 'number', minimum: 0, maximum: 1 },
    retryAfterSeconds: { type: 'integer', minimum: 0 },
    commit: { type: 'boolean' },
    latencyMs: { type: 'integer', minimum: 0, maximum: 600000 },
    body: { type: 'string' },
    contentType: { type: 'string' },
  },
};

const validateSpec = createAjv().compile(SPEC_SCHEMA);

export class FaultTable {
  private faults: Fault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  /** Checks and registers a fault (400 with the reasons when the spec is wrong). */
  add(spec: unknown): Fault {
    if (!validateSpec(spec)) throw invalidRequest(describeAjvErrors(validateSpec.errors));
    const s = spec as FaultSpec;
    if (s.status === undefined && s.latencyMs === undefined) throw invalidRequest(['(root) must have status or latencyMs']);
    if (s.path !== undefined) {
      try {
        new RegExp(s.path);
      } catch (err) {
        throw invalidRequest([`/path is not a regular expression: ${(err as Error).message}`]);
      }
    }
    if (s.commit && s.status === undefined) throw invalidRequest(['/commit needs a status to answer']);
    if (s.status !== undefined && s.status !== 0 && s.status < 400 && s.body === undefined) {
      throw invalidRequest(['/status below 400 needs a body (an injected answer is an error unless its body is given)']);
    }
    const fault: Fault = {
      id: `fault-${this.nextId++}`,
      ...s,
      ...(s.method ? { method: s.method.toUpperCase() } : {}),
      commit: s.commit ?? false,
      remaining: s.times ?? (s.rate === undefined ? 1 : null),
      hits: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault that hits this call (and counts the hit), or undefined. */
  take(method: string, path: string): Fault | undefined {
    for (const fault of this.faults) {
      if (fault.method && fault.method !== method) continue;
      if (fault.path !== undefined && !new RegExp(fault.path).test(path)) continue;
      if (fault.rate !== undefined && !(this.random() < fault.rate)) continue;
      fault.hits++;
      if (fault.remaining !== null) {
        fault.remaining--;
        if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
      }
      return { ...fault };
    }
    return undefined;
  }
}
