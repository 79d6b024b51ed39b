export * from './model';
export * from './registry-token';
export { uuidv5 } from './token-id';
export { RegistryTokenErrors } from './errors';
