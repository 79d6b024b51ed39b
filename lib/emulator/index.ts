/** The emulator's public API (re-exports only). */
export { EmulatorServer, newRegistry } from './server';
export type { EmulatorOptions } from './options';
export type { BasicUser } from './auth';
export type { FaultSpec, Fault } from './faults';
export type { RequestLogEntry } from './request-log';
export { StateFileError } from './state-file';
export type { EmulatorStore, RegistryRecord, TokenRecord, StoreSnapshot } from './store';
export { InMemoryStore } from './store';
export {
  DEFAULT_REGISTRY_ID,
  DEFAULT_USERNAME,
  DEFAULT_PASSWORD,
  DEFAULT_BEARER_TOKEN,
  API_PREFIX,
  CONTROL_PREFIX,
  DEFAULT_LIMIT,
  MAX_LIMIT,
} from './defaults';
export { main, parseFlags, readyLine, HELP, USAGE } from './cli';
export { USERS_ENV, BEARER_ENV } from './credentials';
export { isLoopbackHost } from './address';
