/**
 * The rules of lib/validation.ts for props unresolved at synth, as Terraform preconditions: a value
 * the plan knows (a variable, say) is refused by the plan, before any step runs or any token is
 * touched, in the construct's own words. Values known only at apply are left to the handler.
 */
import type { Precondition } from 'cdktf';
import { Core, isUnresolved } from './core';
import type { TokenScope } from './model';
import { literal } from './provisioner';
import { checkApiUrl, checkHostname, checkScopes, checkStatus, checkUuid, checkWholeNumber, checkExpiryFormat, describeViolation, NAME_PATTERN, UUID_PATTERN, Violation } from './validation';

/** The props a precondition can check; each is skipped when known at synth (validation did it). */
export interface CheckedProps {
  readonly registryId: string;
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  readonly status: string;
  readonly expiryDate?: string;
  readonly adoptTokenId?: string;
  readonly registryHostname?: string;
  readonly apiUrl?: string;
  readonly maxAttempts?: number;
  readonly totalTimeoutSeconds?: number;
}

const NAME_RULE = 'must be 3-63 characters of a-z, A-Z, 0-9 and "-", start with a letter a-z and end with a letter or a digit';

/** Regular expressions as Terraform's RE2 reads them (no backslashes: cdktf would double them). */
const UUID_RE = UUID_PATTERN.source;
const NAME_RE = NAME_PATTERN.source;
const SCOPE_PATH_RE = '^[a-z0-9._/*-]+$';
const HOST_RE = '^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?([.][A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*(:[0-9]{1,5})?$';
const LOOPBACK_HTTP_RE = '^http://(localhost|127[.][0-9]+[.][0-9]+[.][0-9]+|[[]::1[]])([:/]|$)';

/** One rule: the condition on the value, and the rule's words (from a value it refuses). */
interface Check {
  readonly prop: string;
  readonly value: unknown;
  readonly condition: (cdk: Core, v: any) => unknown;
  readonly refused: Violation[];
}

const matches = (re: string) => ({ Fn }: Core, v: any) => Fn.can(Fn.regex(re, v));

function checks(p: CheckedProps): Check[] {
  const out: Check[] = [
    { prop: 'registryId', value: p.registryId, condition: matches(UUID_RE), refused: checkUuid('x', 'registryId') },
    { prop: 'adoptTokenId', value: p.adoptTokenId, condition: matches(UUID_RE), refused: checkUuid('x', 'adoptTokenId') },
    // The plan cannot tell which part of the pattern failed: the whole rule.
    { prop: 'name', value: p.name, condition: matches(NAME_RE), refused: [{ prop: 'name', value: '', rule: NAME_RULE }] },
    { prop: 'status', value: p.status, condition: ({ Fn }, v) => Fn.contains(['enabled', 'disabled'], v), refused: checkStatus('x') },
    {
      prop: 'expiryDate',
      value: p.expiryDate,
      // null or "" (no expiry): compact() drops both. (cdktf's operators render a literal "" or 0 as `undefined`.)
      condition: ({ Fn, Op }, v) => Op.or(Op.lt(Fn.lengthOf(Fn.compact([v])), 1), Fn.can(Fn.formatdate('YYYY', v))),
      refused: checkExpiryFormat('x'),
    },
    { prop: 'registryHostname', value: p.registryHostname, condition: matches(HOST_RE), refused: checkHostname('$') },
    {
      prop: 'apiUrl',
      value: p.apiUrl,
      condition: ({ Fn, Op }, v) => Op.or(Op.not(Fn.startswith(Fn.lower(v), 'http://')), Fn.can(Fn.regex(LOOPBACK_HTTP_RE, Fn.lower(v)))),
      refused: checkApiUrl('http://example.com'),
    },
    { prop: 'maxAttempts', value: p.maxAttempts, condition: wholeAtLeast(1), refused: checkWholeNumber(0, 'maxAttempts', 1) },
    { prop: 'totalTimeoutSeconds', value: p.totalTimeoutSeconds, condition: wholeAtLeast(1), refused: checkWholeNumber(0, 'totalTimeoutSeconds', 1) },
  ];
  p.scopes.forEach((s, i) => {
    out.push({ prop: `scopes[${i}].name`, value: s.name, condition: matches(SCOPE_PATH_RE), refused: checkScopes([{ type: 'registry', name: '$', actions: ['pull'] }]) });
  });
  return out;
}

function wholeAtLeast(min: number) {
  return ({ Fn, Op }: Core, v: any) => Op.and(Op.gte(v, min), Op.eq(Fn.floor(v), v));
}

/** The preconditions of a token's props that are unresolved at synth; `path` names the construct. */
export function preconditionsFor(cdk: Core, path: string, props: CheckedProps): Precondition[] {
  return checks(props)
    .filter((c) => c.value !== undefined && isUnresolved(c.value))
    .map((c) => {
      // "<path>: <prop> "<value>" <rule>", as the construct says it at synth.
      const rule = describeViolation(c.refused[0]).replace(/^\S+ ".*?" /, '');
      return {
        condition: c.condition(cdk, c.value),
        errorMessage: `${literal(`${path}: ${c.prop} "`)}${c.value as string}${literal(`" ${rule}`)}`,
      };
    });
}
