/**
 * Wire shapes of the IONOS Container Registry token API (OpenAPI "1.0", tag "Tokens"), shared by the
 * API client and the emulator so that both sides are checked against one definition.
 */

/** A scope as it travels on the wire. */
export interface ApiScope {
  type: string;
  name: string;
  actions: string[];
}

/** PostTokenProperties: the body of a create (POST) or create-or-replace (PUT). */
export interface ApiTokenInputProperties {
  name: string;
  scopes?: ApiScope[] | null;
  status?: string;
  expiryDate?: string | null;
}

/** PostTokenInput / PutTokenInput. */
export interface ApiTokenInput {
  properties: ApiTokenInputProperties;
}

/** PatchTokenInput: only the fields given are changed. */
export interface ApiTokenPatch {
  expiryDate?: string | null;
  status?: string;
  scopes?: ApiScope[] | null;
}

export interface ApiCredentials {
  username: string;
  /** The secret only in the response that created the token; `""` everywhere else. */
  password: string;
}

export interface ApiTokenProperties {
  name: string;
  scopes: ApiScope[] | null;
  status: string;
  expiryDate: string | null;
  credentials: ApiCredentials;
}

export interface ApiMetadata {
  createdBy: string;
  createdByUserId: string;
  createdDate: string;
  state: string;
  lastModifiedBy?: string;
  lastModifiedByUserId?: string;
  lastModifiedDate?: string;
}

/** TokenResponse, PostTokenOutput and PutTokenOutput. */
export interface ApiTokenResponse {
  id: string;
  type: 'token';
  href: string;
  metadata: ApiMetadata;
  properties: ApiTokenProperties;
}

export interface ApiLinks {
  self?: string;
  previous?: string;
  next?: string;
}

/** TokensResponse: one page of a registry's tokens. */
export interface ApiTokensResponse {
  id: string;
  type: 'collection';
  href: string;
  items: ApiTokenResponse[];
  offset: number;
  limit: number;
  /** Items in this page. */
  count: number;
  /** All tokens of the registry. */
  total: number;
  _links: ApiLinks;
}

export interface ApiErrorMessage {
  errorCode: string;
  message: string;
}

/** ApiErrorResponse: every error body. */
export interface ApiErrorResponse {
  httpStatus: number;
  messages: ApiErrorMessage[];
}

/** RegistryResponse: `GET /registries/{registryId}` (the create reads `properties.hostname` when asked to). */
export interface ApiRegistryResponse {
  id: string;
  type: 'registry';
  href: string;
  metadata: { createdBy: string; createdByUserId: string; createdDate: string; state: string };
  properties: { name: string; location: string; hostname: string };
}
