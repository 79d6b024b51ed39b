/**
 * Error factories for what users get wrong at synth. Each message says what happened, the value,
 * the rule and where: `ci/push-token: name "1abc" must start with a letter a-z (...)`.
 */
import { describeViolation, Violation } from './validation';

/** A configuration error: printed by Node as its message alone, without a stack trace. */
export class RegistryTokenConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryTokenConfigError';
    // An uncaught error prints its `stack`; a user error is its message, not a trace into our code.
    this.stack = `${this.name}: ${message}`;
  }
}

/** One line per broken rule, each naming the construct path. */
export function invalidConfig(path: string, violations: readonly Violation[]): RegistryTokenConfigError {
  return new RegistryTokenConfigError(violations.map((v) => `${path}: ${describeViolation(v)}`).join('\n'));
}

export function handlerBundleMissing(looked: string): RegistryTokenConfigError {
  return new RegistryTokenConfigError(
    `the RegistryToken handler bundle is missing at ${looked}: run "npm run build" in cdktf-ionos-registry-token (or reinstall the package)`,
  );
}

export function outsideStack(path: string, loaded: string): RegistryTokenConfigError {
  return new RegistryTokenConfigError(`${path}: a RegistryToken must be inside a TerraformStack of cdktf or cdktn (loaded: ${loaded})`);
}
