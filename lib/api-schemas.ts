/**
 * JSON Schemas (draft-07, checked with ajv) of every request body and response of the IONOS Container
 * Registry token API, per the project's fact sheet (shared/ionos-token-api.md) and lib/api-types.ts.
 *
 * - Request schemas are strict: unknown fields are refused and values follow lib/validation.ts (the
 *   project's reading of the name rule, scope types and actions, statuses). The emulator checks
 *   bodies with them; the "scopes are required" rule is not here (the wire allows null), it is
 *   lib/validation.ts's `checkScopes`.
 * - Response schemas are tolerant of fields they do not know (a client must not break when the API
 *   adds one) and of values outside the request rules (a name the console allowed, `scopes: null`).
 *   Pass `{ exact: true }` to also refuse unknown fields: the emulator's tests do, so it cannot drift.
 *
 * No cdktf import: the API client, the handler bundle and the emulator all use this file.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  NAME_MAX_LENGTH,
  NAME_MIN_LENGTH,
  NAME_PATTERN,
  SCOPE_ACTIONS,
  SCOPE_TYPES,
  TOKEN_STATUSES,
  UUID_PATTERN,
} from './validation';
import type { ApiLinks, ApiRegistryResponse } from './api-types';

/** A JSON Schema as a plain object. */
export type JsonSchema = { readonly [key: string]: unknown };

const uuid = { type: 'string', pattern: UUID_PATTERN.source };
const dateTime = { type: 'string', format: 'date-time' };
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' };
const str = { type: 'string' };
const count = { type: 'integer', minimum: 0 };

// ---- requests ---------------------------------------------------------------------------------

const scopeInput = {
  type: 'object',
  required: ['type', 'name', 'actions'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: [...SCOPE_TYPES] },
    name: { type: 'string', minLength: 1 },
    actions: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...SCOPE_ACTIONS] } },
  },
};

const scopesInput = { type: ['array', 'null'], items: scopeInput };
const statusInput = { type: 'string', enum: [...TOKEN_STATUSES] };

/** PostTokenProperties: the properties of a create (POST) or create-or-replace (PUT). */
const postTokenProperties = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: NAME_MIN_LENGTH, maxLength: NAME_MAX_LENGTH, pattern: NAME_PATTERN.source },
    scopes: scopesInput,
    status: statusInput,
    expiryDate: nullableDateTime,
  },
};

const PostTokenInput = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'PostTokenInput',
  type: 'object',
  required: ['properties'],
  additionalProperties: false,
  properties: { properties: postTokenProperties },
};

const PutTokenInput = { ...PostTokenInput, title: 'PutTokenInput' };

const PatchTokenInput = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'PatchTokenInput',
  type: 'object',
  additionalProperties: false,
  properties: { expiryDate: nullableDateTime, status: statusInput, scopes: scopesInput },
};

// ---- responses --------------------------------------------------------------------------------

const scope = {
  type: 'object',
  required: ['type', 'name', 'actions'],
  properties: { type: str, name: str, actions: { type: 'array', items: str } },
};

const metadata = {
  type: 'object',
  required: ['createdBy', 'createdByUserId', 'createdDate', 'state'],
  properties: {
    createdBy: str,
    createdByUserId: str,
    createdDate: dateTime,
    state: str,
    lastModifiedBy: str,
    lastModifiedByUserId: str,
    lastModifiedDate: dateTime,
  },
};

const tokenProperties = {
  type: 'object',
  required: ['name', 'scopes', 'status', 'expiryDate', 'credentials'],
  properties: {
    name: str,
    scopes: { type: ['array', 'null'], items: scope },
    status: str,
    expiryDate: nullableDateTime,
    credentials: {
      type: 'object',
      required: ['username', 'password'],
      properties: { username: str, password: str },
    },
  },
};

const tokenResponse = {
  type: 'object',
  required: ['id', 'type', 'href', 'metadata', 'properties'],
  properties: { id: uuid, type: { const: 'token' }, href: str, metadata, properties: tokenProperties },
};

const links = { type: 'object', properties: { self: str, previous: str, next: str } };

const draft07 = { $schema: 'http://json-schema.org/draft-07/schema#' };

const TokenResponse = { ...draft07, title: 'TokenResponse', ...tokenResponse };

const TokensResponse = {
  ...draft07,
  title: 'TokensResponse',
  type: 'object',
  required: ['id', 'type', 'href', 'items', 'offset', 'limit', 'count', 'total', '_links'],
  properties: {
    id: str,
    type: { const: 'collection' },
    href: str,
    items: { type: 'array', items: tokenResponse },
    offset: count,
    limit: count,
    count,
    total: count,
    _links: links,
  },
};

const ApiErrorResponse = {
  ...draft07,
  title: 'ApiErrorResponse',
  type: 'object',
  required: ['httpStatus', 'messages'],
  properties: {
    httpStatus: { type: 'integer' },
    messages: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['errorCode', 'message'], properties: { errorCode: str, message: str } },
    },
  },
};

const registryResponse = {
  type: 'object',
  required: ['id', 'type', 'href', 'metadata', 'properties'],
  properties: {
    id: uuid,
    type: { const: 'registry' },
    href: str,
    metadata,
    properties: {
      type: 'object',
      required: ['name', 'location', 'hostname'],
      properties: { name: str, location: str, hostname: str },
    },
  },
};

const RegistryResponse = { ...draft07, title: 'RegistryResponse', ...registryResponse };

const RegistriesResponse = {
  ...draft07,
  title: 'RegistriesResponse',
  type: 'object',
  required: ['id', 'type', 'href', 'items'],
  properties: { id: str, type: { const: 'collection' }, href: str, items: { type: 'array', items: registryResponse } },
};

/** Every schema by its OpenAPI name. */
export const API_SCHEMAS = {
  PostTokenInput,
  PutTokenInput,
  PatchTokenInput,
  TokenResponse,
  PostTokenOutput: { ...TokenResponse, title: 'PostTokenOutput' },
  PutTokenOutput: { ...TokenResponse, title: 'PutTokenOutput' },
  TokensResponse,
  ApiErrorResponse,
  RegistryResponse,
  RegistriesResponse,
} as const satisfies Record<string, JsonSchema>;

export type SchemaName = keyof typeof API_SCHEMAS;

/** `GET /registries`. */
export interface ApiRegistriesResponse {
  id: string;
  type: 'collection';
  href: string;
  items: ApiRegistryResponse[];
}

export type { ApiLinks, ApiRegistryResponse };

// ---- validation -------------------------------------------------------------------------------

/** The outcome of {@link validateShape}: `errors` holds one line per problem, e.g. `/properties/name must be string`. */
export interface ShapeResult {
  readonly valid: boolean;
  readonly errors: string[];
}

export interface ValidateShapeOptions {
  /** Also refuse fields the schema does not name (response schemas allow them otherwise). @default false */
  readonly exact?: boolean;
}

/** The same schema with `additionalProperties: false` on every object that names its properties. */
export function exactSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(exactSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, exactSchema(s)])) : exactSchema(v);
  }
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** A fresh ajv with the options these schemas need (formats, union types, every error). */
export function createAjv(): Ajv {
  const instance = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true });
  addFormats(instance);
  return instance;
}

/** The compiled validator of one schema (compiled once, then cached). */
export function shapeValidator(name: SchemaName, options: ValidateShapeOptions = {}): ValidateFunction {
  const key = `${name}${options.exact ? ':exact' : ''}`;
  let fn = compiled.get(key);
  if (!fn) {
    ajv ??= createAjv();
    const schema = options.exact ? exactSchema(API_SCHEMAS[name]) : API_SCHEMAS[name];
    fn = ajv.compile(schema as object);
    compiled.set(key, fn);
  }
  return fn;
}

/** Renders ajv errors as lines like `/properties/name must match pattern "…"` (`(root)` for the top). */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(root)';
    if (e.keyword === 'additionalProperties') {
      return `${where} must not have property "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
    }
    if (e.keyword === 'enum') return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    return `${where} ${e.message ?? 'is invalid'}`;
  });
}

/** Checks a value against one of {@link API_SCHEMAS}. */
export function validateShape(name: SchemaName, value: unknown, options: ValidateShapeOptions = {}): ShapeResult {
  const fn = shapeValidator(name, options);
  const valid = fn(value);
  return { valid, errors: valid ? [] : describeAjvErrors(fn.errors) };
}
