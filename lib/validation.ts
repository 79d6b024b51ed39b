/**
 * The token rules of the IONOS Container Registry API and the construct's props, in one place: the
 * rule functions, and the table of which rule checks which prop ({@link checkTokenProps}). The
 * construct checks them at synth, the handler at apply (for values that were unresolved at synth)
 * and the emulator on every request, so all three say the same words.
 *
 * Pure functions of plain values: no cdktf import here (the handler bundle and the emulator use it).
 */

/** One broken rule: which prop, the offending value, and the rule in words. */
export interface Violation {
  /** Where the value sits, e.g. `name` or `scopes[1].actions`. */
  readonly prop: string;
  readonly value: unknown;
  readonly rule: string;
}

/** The documented uuid pattern of registry and token ids. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

export const NAME_MIN_LENGTH = 3;
export const NAME_MAX_LENGTH = 63;
/** The strictest reading of the sources (console guide ∩ OpenAPI pattern); see the README's rule table. */
export const NAME_PATTERN = /^[a-z][-A-Za-z0-9]{1,61}[A-Za-z0-9]$/;
const NAME_RULE = `(${NAME_MIN_LENGTH}-${NAME_MAX_LENGTH} chars of a-z, A-Z, 0-9, "-")`;

export const SCOPE_TYPES: readonly string[] = ['registry', 'repository'];
export const SCOPE_ACTIONS: readonly string[] = ['pull', 'push', 'delete'];
export const TOKEN_STATUSES: readonly string[] = ['enabled', 'disabled'];

/** An expiry must be at least this far ahead when it is set. */
export const MIN_EXPIRY_LEAD_SECONDS = 3600;

/** RFC 3339 date-time with a zone (`Z` or `±hh:mm`), fractional seconds allowed. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Skips values that are not known yet (cdktf tokens at synth). The construct passes its own check;
 * everyone else checks every value.
 */
export type IsUnresolved = (value: unknown) => boolean;
const NEVER_UNRESOLVED: IsUnresolved = () => false;

function violation(prop: string, value: unknown, rule: string): Violation {
  return { prop, value, rule };
}

/** Renders a violation as `prop "value" rule`. */
export function describeViolation(v: Violation): string {
  return `${v.prop} ${JSON.stringify(v.value)} ${v.rule}`;
}

export function checkName(name: unknown, prop = 'name'): Violation[] {
  if (typeof name !== 'string') return [violation(prop, name, 'must be a string')];
  if (name.length < NAME_MIN_LENGTH || name.length > NAME_MAX_LENGTH) {
    return [violation(prop, name, `must be ${NAME_MIN_LENGTH}-${NAME_MAX_LENGTH} characters long ${NAME_RULE}`)];
  }
  if (!/^[a-z]/.test(name)) return [violation(prop, name, `must start with a letter a-z ${NAME_RULE}`)];
  if (!/^[-A-Za-z0-9]*$/.test(name)) {
    return [violation(prop, name, `may only contain a-z, A-Z, 0-9 and "-" ${NAME_RULE}`)];
  }
  if (!/[A-Za-z0-9]$/.test(name)) return [violation(prop, name, `must end with a letter or a digit ${NAME_RULE}`)];
  return [];
}

export function checkUuid(value: unknown, prop: string): Violation[] {
  if (typeof value === 'string' && UUID_PATTERN.test(value)) return [];
  return [violation(prop, value, 'must be a uuid like 00000000-0000-4000-8000-000000000000')];
}

export function checkStatus(status: unknown, prop = 'status'): Violation[] {
  if (typeof status === 'string' && TOKEN_STATUSES.includes(status)) return [];
  return [violation(prop, status, `must be one of ${TOKEN_STATUSES.join(', ')}`)];
}

/** Parses an RFC 3339 date-time with a zone; undefined when it is not one (or names no real date). */
export function parseRfc3339(value: string): Date | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return date;
}

/** The expiry's shape only: a date-time with a zone. Whether it is far enough ahead is {@link checkExpiryLead}. */
export function checkExpiryFormat(expiryDate: unknown, prop = 'expiryDate'): Violation[] {
  if (typeof expiryDate === 'string' && parseRfc3339(expiryDate)) return [];
  return [violation(prop, expiryDate, 'must be an RFC 3339 date-time with a zone, e.g. 2030-01-31T12:00:00Z')];
}

/** An expiry must lie at least one hour after `now`. */
export function checkExpiryLead(expiryDate: string, now: Date, prop = 'expiryDate'): Violation[] {
  const at = parseRfc3339(expiryDate);
  if (!at) return checkExpiryFormat(expiryDate, prop);
  if (at.getTime() - now.getTime() >= MIN_EXPIRY_LEAD_SECONDS * 1000) return [];
  return [violation(prop, expiryDate, 'must be at least one hour in the future (the API refuses a nearer expiry)')];
}

/** A repository path as registries name them (lower case, `.`, `_`, `-`, `/`), `*` a wildcard. */
const SCOPE_PATH = /^[a-z0-9._\/*-]+$/;
const SCOPE_PATH_RULE = 'must be a repository path of a-z, 0-9, ".", "_", "-", "/" and "*" ("*" matches any characters)';

/** A loosely typed scope, as it comes from props or a request body. */
export interface ScopeLike {
  readonly type?: unknown;
  readonly name?: unknown;
  readonly actions?: unknown;
}

/** Checks one scope: type, non-empty path, non-empty actions without duplicates, push needs pull. */
export function checkScope(scope: ScopeLike, prop: string, isUnresolved: IsUnresolved = NEVER_UNRESOLVED): Violation[] {
  const out: Violation[] = [];
  if (!isUnresolved(scope.type) && !(typeof scope.type === 'string' && SCOPE_TYPES.includes(scope.type))) {
    out.push(violation(`${prop}.type`, scope.type, `must be one of ${SCOPE_TYPES.join(', ')}`));
  }
  if (!isUnresolved(scope.name) && !(typeof scope.name === 'string' && SCOPE_PATH.test(scope.name))) {
    out.push(violation(`${prop}.name`, scope.name, SCOPE_PATH_RULE));
  }
  const actions = scope.actions;
  if (isUnresolved(actions)) return out;
  if (!Array.isArray(actions) || actions.length === 0) {
    out.push(violation(`${prop}.actions`, actions, `must list at least one of ${SCOPE_ACTIONS.join(', ')}`));
    return out;
  }
  const known = actions.filter((a) => isUnresolved(a) || (typeof a === 'string' && SCOPE_ACTIONS.includes(a)));
  if (known.length !== actions.length) {
    out.push(violation(`${prop}.actions`, actions, `may only contain ${SCOPE_ACTIONS.join(', ')}`));
    return out;
  }
  if (new Set(actions).size !== actions.length) {
    out.push(violation(`${prop}.actions`, actions, 'must not contain duplicates'));
  }
  if (actions.includes('push') && !actions.includes('pull')) {
    out.push(violation(`${prop}.actions`, actions, 'must contain "pull" when it contains "push" (push requires pull)'));
  }
  return out;
}

/** Checks a list of scopes: at least one, each valid, no two with the same type and path. */
export function checkScopes(
  scopes: unknown,
  prop = 'scopes',
  isUnresolved: IsUnresolved = NEVER_UNRESOLVED,
): Violation[] {
  if (isUnresolved(scopes)) return [];
  if (!Array.isArray(scopes) || scopes.length === 0) {
    return [violation(prop, scopes, 'must contain at least one scope')];
  }
  const out: Violation[] = [];
  const seen = new Map<string, number>();
  scopes.forEach((scope: unknown, i) => {
    const at = `${prop}[${i}]`;
    if (typeof scope !== 'object' || scope === null || isUnresolved(scope)) {
      if (!isUnresolved(scope)) out.push(violation(at, scope, 'must be an object with type, name and actions'));
      return;
    }
    const s = scope as ScopeLike;
    out.push(...checkScope(s, at, isUnresolved));
    if (isUnresolved(s.type) || isUnresolved(s.name)) return;
    const key = `${String(s.type)} ${String(s.name)}`;
    const first = seen.get(key);
    if (first !== undefined) {
      out.push(violation(at, `${String(s.type)} ${String(s.name)}`, `duplicates ${prop}[${first}] (one scope per type and path)`));
    } else {
      seen.set(key, i);
    }
  });
  return out;
}

/** One DNS label: 1-63 of a-z, A-Z, 0-9, "-", no "-" at either end. */
const DNS_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const HOSTNAME_RULE =
  'must be a hostname such as "myregistry.cr.de-fra.ionos.com", optionally with ":port" (1-65535): dot-separated DNS labels of 1-63 a-z, A-Z, 0-9 and "-" (not first or last), at most 253 characters; no scheme, no path';

/**
 * A registry hostname as Docker config keys it: a DNS hostname, optionally `:port`. It lands in a
 * Terraform expression, so nothing else (no `${`, `%{`, quotes, spaces) may pass.
 */
export function checkHostname(host: unknown, prop = 'registryHostname'): Violation[] {
  if (typeof host === 'string') {
    const m = /^([^:]*)(?::(\d{1,5}))?$/.exec(host);
    const port = m?.[2] === undefined ? undefined : Number(m[2]);
    const name = m?.[1] ?? '';
    if (m && name.length <= 253 && name.split('.').every((l) => DNS_LABEL.test(l)) && (port === undefined || (port >= 1 && port <= 65535))) return [];
  }
  return [violation(prop, host, HOSTNAME_RULE)];
}

/** 127.0.0.0/8, `localhost` and `::1` (a WHATWG URL's hostname, brackets or not): where plain http is allowed. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return h === 'localhost' || h === '[::1]' || h === '::1' || (v4 !== null && v4.slice(1).every((o) => Number(o) <= 255));
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Why `url` cannot be the IONOS API URL, in words; undefined when it can. The rule of the `apiUrl`
 * prop at synth and of every source (prop, IONOS_API_URL, config file) at apply: a plain http(s) URL
 * with a host (`https://` assumed without a scheme), no userinfo, query, fragment, template syntax or
 * whitespace, and https unless the host is loopback (the credentials travel with every request).
 */
export function apiUrlProblem(url: string): string | undefined {
  if (/[$%]\{/.test(url)) return 'must not contain "${" or "%{" (template syntax)';
  if (/\s/.test(url)) return 'must not contain whitespace';
  if (!/^[\x21-\x7e]+$/.test(url)) return 'may only contain printable ASCII characters (write a non-ASCII host in punycode)';
  if (/[@\\]/.test(url)) return 'must not contain "@" or "\\" (no user or password in the URL: credentials come from IONOS_TOKEN, IONOS_USERNAME and IONOS_PASSWORD)';
  if (/[?#]/.test(url)) return 'must not contain a query or a fragment';
  let parsed: URL;
  try {
    parsed = new URL(HAS_SCHEME.test(url) ? url : `https://${url}`);
  } catch {
    return 'must be a URL such as https://api.ionos.com';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an https:// URL';
  if (parsed.hostname === '') return 'must name a host';
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    return 'must use https:// (plain http:// only to a loopback host: 127.0.0.0/8, localhost, [::1])';
  }
  return undefined;
}

/** The `apiUrl` prop: unset or "" is the default host; anything else must pass {@link apiUrlProblem}. */
export function checkApiUrl(url: unknown, prop = 'apiUrl'): Violation[] {
  if (typeof url !== 'string') return [violation(prop, url, 'must be a string')];
  if (url === '') return [];
  const problem = apiUrlProblem(url);
  return problem ? [violation(prop, url, problem)] : [];
}

/** A whole number of at least `min` (retry attempts, time budgets). */
export function checkWholeNumber(value: unknown, prop: string, min: number): Violation[] {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return [];
  return [violation(prop, value, `must be a whole number of at least ${min}`)];
}

/** A token's props, loosely typed, as the construct's config, a step or a request body give them. */
export interface TokenPropsLike {
  readonly registryId?: unknown;
  readonly name?: unknown;
  readonly scopes?: unknown;
  readonly status?: unknown;
  readonly expiryDate?: unknown;
  readonly maxAttempts?: unknown;
  readonly totalTimeoutSeconds?: unknown;
  readonly adoptTokenId?: unknown;
  readonly registryHostname?: unknown;
  readonly lookupRegistryHostname?: unknown;
  readonly apiUrl?: unknown;
  readonly rotationTrigger?: unknown;
  readonly nodeExecutable?: unknown;
  readonly expiresAfterDays?: unknown;
  readonly rotateEveryDays?: unknown;
  readonly zeroDowntime?: unknown;
  readonly overlapDays?: unknown;
  readonly removalPolicy?: unknown;
  readonly expiryWarningDays?: unknown;
}

type Rule = (value: unknown, isUnresolved: IsUnresolved) => Violation[];

/**
 * The Node.js that runs the handler must be known at synth: the destroy steps run it too, and the
 * engine lets a destroy step reference nothing but its own resource.
 */
export function checkNodeExecutable(v: unknown, isUnresolved: IsUnresolved = NEVER_UNRESOLVED): Violation[] {
  if (isUnresolved(v)) return [violation('nodeExecutable', v, 'must be known at synth (the destroy steps run it, and a destroy step may reference nothing but its own resource)')];
  if (typeof v !== 'string' || v.trim() === '') return [violation('nodeExecutable', v, 'must be a non-empty string')];
  return [];
}

/**
 * The rule of each prop, in the order their errors are reported. A prop that is not set (undefined,
 * or null for "never expires") is not checked, except the two every token needs, `name` and `scopes`.
 * A value unresolved at synth is skipped (the scopes rule looks inside the list); the handler checks
 * it at apply with the same words. Only `nodeExecutable` must be known at synth (KNOWN_AT_SYNTH).
 */
const RULES: { readonly [K in keyof Required<TokenPropsLike>]: Rule } = {
  registryId: (v) => checkUuid(v, 'registryId'),
  name: (v) => checkName(v),
  scopes: (v, isUnresolved) => checkScopes(v, 'scopes', isUnresolved),
  status: (v) => checkStatus(v),
  expiryDate: (v) => checkExpiryFormat(v),
  maxAttempts: (v) => checkWholeNumber(v, 'maxAttempts', 1),
  totalTimeoutSeconds: (v) => checkWholeNumber(v, 'totalTimeoutSeconds', 1),
  adoptTokenId: (v) => checkUuid(v, 'adoptTokenId'),
  registryHostname: (v) => checkHostname(v),
  lookupRegistryHostname: (v, isUnresolved) => checkLookupHostname(v, isUnresolved),
  apiUrl: (v) => checkApiUrl(v),
  rotationTrigger: (v) => (typeof v === 'string' ? [] : [violation('rotationTrigger', v, 'must be a string')]),
  nodeExecutable: (v, isUnresolved) => checkNodeExecutable(v, isUnresolved),
  expiresAfterDays: (v, isUnresolved) => checkDays(v, 'expiresAfterDays', isUnresolved),
  rotateEveryDays: (v, isUnresolved) => checkDays(v, 'rotateEveryDays', isUnresolved),
  zeroDowntime: (v, isUnresolved) => checkKnownBoolean(v, 'zeroDowntime', 'it decides which tokens exist', isUnresolved),
  overlapDays: (v, isUnresolved) => checkDays(v, 'overlapDays', isUnresolved),
  removalPolicy: (v) => (v === 'destroy' || v === 'retain' ? [] : [violation('removalPolicy', v, 'must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN')]),
  expiryWarningDays: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 3650 ? [] : [violation('expiryWarningDays', v, 'must be a whole number of days from 0 (no warnings) to 3650')]),
};
const REQUIRED: ReadonlySet<string> = new Set(['name', 'scopes']);
/** Props whose rule sees unresolved values too, because they are needed at synth. */
const KNOWN_AT_SYNTH: ReadonlySet<string> = new Set(['nodeExecutable', 'lookupRegistryHostname', 'expiresAfterDays', 'rotateEveryDays', 'zeroDowntime', 'overlapDays', 'removalPolicy']);

/** A lifetime or rotation period in whole days (1 to 3650), known at synth: it decides the plan. */
export function checkDays(v: unknown, prop: string, isUnresolved: IsUnresolved = NEVER_UNRESOLVED): Violation[] {
  if (isUnresolved(v)) return [violation(prop, v, 'must be known at synth (it decides when the token is rotated)')];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 3650) return [];
  return [violation(prop, v, 'must be a whole number of days from 1 to 3650')];
}

/**
 * A rolling expiry replaces a fixed one, and a scheduled rotation must come before the token expires:
 * a period shorter than the lifetime (docs/design/scheduled-rotation.md). A warning window must be
 * shorter than the rotation period (docs/design/expiry-warnings.md).
 */
export function checkSchedule(p: Pick<TokenPropsLike, 'expiryDate' | 'expiresAfterDays' | 'rotateEveryDays' | 'expiryWarningDays'>): Violation[] {
  const out: Violation[] = [];
  if (p.expiresAfterDays !== undefined && p.expiryDate !== undefined && p.expiryDate !== null) {
    out.push(violation('expiresAfterDays', p.expiresAfterDays, 'must not be set with expiryDate (a rolling expiry, or a fixed one: remove one of them)'));
  }
  if (typeof p.rotateEveryDays === 'number' && typeof p.expiresAfterDays === 'number' && p.rotateEveryDays >= p.expiresAfterDays) {
    out.push(violation('rotateEveryDays', p.rotateEveryDays, `must be less than expiresAfterDays (${p.expiresAfterDays}): the token must be rotated before it expires`));
  }
  if (typeof p.rotateEveryDays === 'number' && typeof p.expiryWarningDays === 'number' && p.expiryWarningDays >= p.rotateEveryDays) {
    out.push(violation('expiryWarningDays', p.expiryWarningDays, `must be less than rotateEveryDays (${p.rotateEveryDays}): a longer window warns on every plan`));
  }
  return out;
}

/** A switch that decides which resources or tokens exist: a boolean known at synth. */
function checkKnownBoolean(v: unknown, prop: string, why: string, isUnresolved: IsUnresolved): Violation[] {
  if (isUnresolved(v)) return [violation(prop, v, `must be known at synth (${why})`)];
  if (typeof v !== 'boolean') return [violation(prop, v, 'must be true or false')];
  return [];
}

/** `lookupRegistryHostname` decides which resources a token has: a boolean known at synth. */
export function checkLookupHostname(v: unknown, isUnresolved: IsUnresolved = NEVER_UNRESOLVED): Violation[] {
  return checkKnownBoolean(v, 'lookupRegistryHostname', 'it decides which resources the token has', isUnresolved);
}

/**
 * Two credentials in alternation need a schedule, two free names (`-a`, `-b`), an overlap within a
 * period, a lifetime that outlasts period and overlap, and a retired one deleted, never kept
 * (docs/design/zero-downtime.md).
 */
export function checkZeroDowntime(p: TokenPropsLike): Violation[] {
  if (p.zeroDowntime !== true) {
    return p.overlapDays === undefined ? [] : [violation('overlapDays', p.overlapDays, 'must come with zeroDowntime: true (it is how long the previous credential stays live)')];
  }
  const on = (prop: string, rule: string) => [violation(prop, (p as Record<string, unknown>)[prop], rule)];
  if (typeof p.rotateEveryDays !== 'number') return on('zeroDowntime', 'needs rotateEveryDays (the period at which the two credentials alternate)');
  if (p.adoptTokenId !== undefined) return on('adoptTokenId', 'must not be set with zeroDowntime (the two credentials are made by the stack): adopt it first, then delete it once the slots are in use');
  if (p.rotationTrigger !== undefined) return on('rotationTrigger', 'must not be set with zeroDowntime (rotateEveryDays rotates the two credentials in turn)');
  if (typeof p.name === 'string' && p.name.length > NAME_MAX_LENGTH - 2) return on('name', `must be at most ${NAME_MAX_LENGTH - 2} characters with zeroDowntime (the credentials are named <name>-a and <name>-b)`);
  const overlap = typeof p.overlapDays === 'number' ? p.overlapDays : p.rotateEveryDays;
  if (overlap > p.rotateEveryDays) return on('overlapDays', `must be at most rotateEveryDays (${p.rotateEveryDays}): the previous credential is re-created at the end of the next period anyway`);
  if (typeof p.expiresAfterDays === 'number' && p.expiresAfterDays <= p.rotateEveryDays + overlap) {
    return on('expiresAfterDays', `must be more than rotateEveryDays + overlapDays (${p.rotateEveryDays + overlap}) with zeroDowntime: a credential must outlive its period and the overlap after it`);
  }
  if (p.removalPolicy === 'retain' && overlap < p.rotateEveryDays) {
    return on('removalPolicy', 'must not be RETAIN with an overlapDays shorter than rotateEveryDays: the previous credential is deleted when its overlap ends, by removal');
  }
  return [];
}

/** The hostname is given or looked up, not both. */
export function checkHostnameSource(registryHostname: unknown, lookup: unknown): Violation[] {
  if (lookup !== true || registryHostname === undefined) return [];
  return [violation('lookupRegistryHostname', lookup, 'must not be true when registryHostname is set (the hostname is given, or looked up at create, not both): remove one of them')];
}

/** A token declared earlier in the same stack, for {@link checkUniqueName}. */
export interface DeclaredToken {
  readonly path: string;
  readonly registryId: unknown;
  readonly name: unknown;
}

/** A second token with the same name in the same registry: the API would refuse it at apply (names are unique in a registry). */
export function checkUniqueName(
  declared: readonly DeclaredToken[],
  registryId: unknown,
  name: unknown,
  isUnresolved: IsUnresolved = NEVER_UNRESOLVED,
): Violation[] {
  const known = (t: { registryId: unknown; name: unknown }) => typeof t.registryId === 'string' && typeof t.name === 'string' && !isUnresolved(t.registryId) && !isUnresolved(t.name);
  if (!known({ registryId, name })) return [];
  const first = declared.find((t) => known(t) && (t.registryId as string).toLowerCase() === (registryId as string).toLowerCase() && t.name === name);
  if (!first) return [];
  return [violation('name', name, `is already declared by ${first.path} in registry ${registryId as string} (names are unique in a registry)`)];
}

export interface CheckOptions {
  /** Values not known yet (cdktf tokens at synth) are skipped. */
  readonly isUnresolved?: IsUnresolved;
  /** The tokens declared before this one in its stack: its name must not repeat one of theirs in the same registry. */
  readonly declared?: readonly DeclaredToken[];
  /** Check only the props given (a step's retry settings): `name` and `scopes` are not required. */
  readonly partial?: boolean;
}

/**
 * Every rule that can be checked without the API, from the table above; then, when they all hold,
 * that the name is not taken in the stack. The expiry's distance from now is apart
 * ({@link checkExpiryLead}): at synth it is only a warning, at apply an error.
 */
export function checkTokenProps(props: TokenPropsLike, options: CheckOptions = {}): Violation[] {
  const isUnresolved = options.isUnresolved ?? NEVER_UNRESOLVED;
  const out: Violation[] = [];
  for (const [prop, rule] of Object.entries(RULES) as [keyof TokenPropsLike, Rule][]) {
    const value = props[prop];
    const unset = value === undefined || (value === null && !REQUIRED.has(prop));
    if (unset ? options.partial || !REQUIRED.has(prop) : isUnresolved(value) && !KNOWN_AT_SYNTH.has(prop)) continue;
    out.push(...rule(value, isUnresolved));
  }
  out.push(...checkHostnameSource(props.registryHostname, props.lookupRegistryHostname));
  if (out.length === 0) out.push(...checkSchedule(props), ...checkZeroDowntime(props));
  if (out.length === 0 && options.declared) out.push(...checkUniqueName(options.declared, props.registryId, props.name, isUnresolved));
  return out;
}
