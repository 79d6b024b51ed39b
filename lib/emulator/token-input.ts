/**
 * Request checks of the token endpoints: the body's shape (lib/api-schemas.ts) and the rules
 * (lib/validation.ts), reported together as one 400 with one message per problem. When a rule and
 * the schema complain about the same field, the rule's words win (they name the value and the fix).
 */
import type { ApiScope, ApiTokenInputProperties, ApiTokenPatch } from '../api-types';
import { shapeValidator, describeAjvErrors, type SchemaName } from '../api-schemas';
import { isRecord } from '../is-record';
import {
  checkExpiryLead,
  checkName,
  checkScopes,
  checkStatus,
  checkUuid,
  describeViolation,
  type Violation,
} from '../validation';
import { invalidRequest } from './errors';

/** `properties.scopes[0].actions` → `/properties/scopes/0/actions`. */
export function propToPointer(prop: string): string {
  return `/${prop.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}`;
}

function shapeMessages(schema: SchemaName, body: unknown, covered: readonly string[]): string[] {
  const validate = shapeValidator(schema);
  if (validate(body)) return [];
  const errors = (validate.errors ?? []).filter(
    (e) => !covered.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`)),
  );
  return describeAjvErrors(errors);
}

function fail(schema: SchemaName, body: unknown, violations: Violation[]): void {
  const covered = violations.map((v) => propToPointer(v.prop));
  const messages = [...violations.map(describeViolation), ...shapeMessages(schema, body, covered)];
  if (messages.length > 0) throw invalidRequest(messages);
}


/** Checks path ids; the 400 names each bad one. */
export function checkPathIds(ids: Record<string, string>): void {
  const violations = Object.entries(ids).flatMap(([prop, value]) => checkUuid(value, prop));
  if (violations.length > 0) throw invalidRequest(violations.map(describeViolation));
}

/** An expiry that is set must be an hour ahead of `now`, unless it is the token's current expiry unchanged. */
function expiryViolations(expiryDate: unknown, now: Date, current: string | null | undefined, prop: string): Violation[] {
  if (typeof expiryDate !== 'string') return [];
  if (current && new Date(current).getTime() === new Date(expiryDate).getTime()) return [];
  return checkExpiryLead(expiryDate, now, prop);
}

/**
 * The properties of a POST or PUT body, checked. `currentExpiry` is the expiry of the token a PUT
 * replaces (an unchanged expiry is not held to the one-hour rule again).
 */
export function checkTokenInput(
  schema: 'PostTokenInput' | 'PutTokenInput',
  body: unknown,
  now: Date,
  currentExpiry?: string | null,
): ApiTokenInputProperties {
  const props = isRecord(body) && isRecord(body.properties) ? body.properties : undefined;
  const violations: Violation[] = [];
  if (props) {
    if (props.name !== undefined) violations.push(...checkName(props.name, 'properties.name'));
    // Absent or null scopes are allowed: the OpenAPI description has them nullable and optional,
    // and the official CLI (`ionosctl container-registry token create`) creates tokens without
    // scopes, adding them later with `token scopes add`. A list that is given follows every rule,
    // including "at least one" (an explicit empty list is a mistake, not "no scopes yet").
    if (props.scopes !== undefined && props.scopes !== null) violations.push(...checkScopes(props.scopes, 'properties.scopes'));
    if (props.status !== undefined) violations.push(...checkStatus(props.status, 'properties.status'));
    violations.push(...expiryViolations(props.expiryDate, now, currentExpiry, 'properties.expiryDate'));
  }
  fail(schema, body, violations);
  return props as unknown as ApiTokenInputProperties;
}

/** A PATCH body, checked: only the fields given; scopes, when given, follow the same rules as on create. */
export function checkTokenPatch(body: unknown, now: Date, currentExpiry: string | null): ApiTokenPatch {
  const violations: Violation[] = [];
  if (isRecord(body)) {
    if ('scopes' in body) violations.push(...checkScopes(body.scopes, 'scopes'));
    if (body.status !== undefined) violations.push(...checkStatus(body.status, 'status'));
    violations.push(...expiryViolations(body.expiryDate, now, currentExpiry, 'expiryDate'));
  }
  fail('PatchTokenInput', body, violations);
  return body as ApiTokenPatch;
}

/** Copies scopes so that stored records share nothing with request bodies. */
export function copyScopes(scopes: ApiScope[] | null | undefined): ApiScope[] | null {
  return scopes ? scopes.map((s) => ({ type: s.type, name: s.name, actions: [...s.actions] })) : null;
}
