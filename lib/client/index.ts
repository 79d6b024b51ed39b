/** The IONOS Container Registry token API client (axios and Node built-ins only). */
export * from './api-error';
export * from './client';
export * from './config';
export { REDACTED, bodySnippet, makeRedactor, redactPatterns } from './redact';
export * from './retry';
export * from './version';
