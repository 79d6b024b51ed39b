export * from './model';
export * from './registry-token';
export { uuidv5 } from './token-id';
export { RegistryTokenConfigError } from './errors';
