export * from './model';
export * from './registry-token';
export { RegistryTokenConfigError } from './errors';
