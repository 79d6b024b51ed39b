/** Fixed values of the emulator that tests, docs and users rely on. */

/** The registry seeded when no `--registry` is given (and the state file holds none). */
export const DEFAULT_REGISTRY_ID = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';

/** Basic credentials accepted when no `--user`/`--bearer` is given. */
export const DEFAULT_USERNAME = 'emulator';
export const DEFAULT_PASSWORD = 'emulator';
/** Bearer token accepted when no `--user`/`--bearer` is given. */
export const DEFAULT_BEARER_TOKEN = 'emulator';

/** Every API path starts with this (IONOS clients append it to `IONOS_API_URL`). */
export const API_PREFIX = '/containerregistries';
/** Control endpoints (no auth, loopback only). */
export const CONTROL_PREFIX = '/__emulator';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_LIMIT = 100;
/** The largest `limit` the list accepts (the real maximum is not documented). */
export const MAX_LIMIT = 1000;
/** The largest request body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Where registries live, and their hostname suffix (`<name>.cr.de-fra.ionos.com`). */
export const REGISTRY_LOCATION = 'de/fra';
export const REGISTRY_HOST_SUFFIX = 'cr.de-fra.ionos.com';
