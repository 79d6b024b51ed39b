/**
 * Error factories for what users get wrong at synth. Each message says what happened, the value,
 * the rule and where: `ci/push-token: name "1abc" must start with a letter a-z (...)`.
 */
import { setImmediate } from 'node:timers';
import { describeViolation, Violation } from './validation';

/**
 * How to recognise this library's errors from any language. The errors themselves are plain `Error`s
 * with a `name` (jsii cannot export an `Error` subclass): in TypeScript test `name`, or call
 * `isConfigError`; in Python, Java, Go and C# they arrive as the jsii runtime's error
 * (`RuntimeError`, `JsiiException`, a Go panic, `JsiiException`) whose message is the same one line.
 */
export class RegistryTokenErrors {
  /** The `name` of the error a `RegistryToken` throws at synth for a configuration it refuses. */
  public static readonly CONFIG_ERROR_NAME: string = 'RegistryTokenConfigError';

  /**
   * True when `value` is the configuration error a `RegistryToken` throws at synth: one line per
   * broken rule, each naming the construct path, the prop, the value and the rule.
   */
  public static isConfigError(value: any): boolean {
    return value instanceof Error && value.name === RegistryTokenErrors.CONFIG_ERROR_NAME;
  }

  private constructor() {}
}

/** A configuration error: printed by Node as its message alone, without a stack trace. */
class RegistryTokenConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = RegistryTokenErrors.CONFIG_ERROR_NAME;
    // An uncaught error prints its `stack`; a user error is its message, not a trace into our code.
    this.stack = `${this.name}: ${message}`;
    printAloneIfUncaught();
  }
}

let listening = false;

/**
 * A configuration error that the app does not catch ends it with our lines alone, as a CLI's error
 * would: the message on stderr, exit code 1. Node would print the throw site's file:line, its source
 * line and a caret above it, the error in brackets, and its own version below, and `cdktf synth` and
 * `cdktn synth` show all of that. The listener is there from the error's creation until the event
 * loop moves on (an error the app catches leaves nothing behind), and it stands aside when the app
 * listens for uncaught exceptions itself; any other error is thrown again for Node to report as usual.
 */
function printAloneIfUncaught(): void {
  if (listening || typeof process === 'undefined' || typeof process.on !== 'function') return;
  listening = true;
  const stop = (): void => {
    process.removeListener('uncaughtException', onUncaught);
    listening = false;
  };
  const onUncaught = (thrown: unknown): void => {
    stop();
    if (process.listenerCount('uncaughtException') > 0) return; // the app's own listeners have it
    if (RegistryTokenErrors.isConfigError(thrown)) {
      process.stderr.write(`${(thrown as Error).message}\n`);
      process.exit(1);
    }
    // Thrown again for Node's own report; the comment keeps Node from pointing at this line.
    process.nextTick(() => {
      throw thrown; // node-do-not-add-exception-line
    });
  };
  process.on('uncaughtException', onUncaught);
  setImmediate(stop).unref();
}

/** One line per broken rule, each naming the construct path. */
export function invalidConfig(path: string, violations: readonly Violation[]): Error {
  return new RegistryTokenConfigError(violations.map((v) => `${path}: ${describeViolation(v)}`).join('\n'));
}

export function handlerBundleMissing(looked: string): Error {
  return new RegistryTokenConfigError(
    `the RegistryToken handler bundle is missing at ${looked}: run "npm run build" in cdktf-ionos-registry-token (or reinstall the package)`,
  );
}

export function outsideStack(path: string, loaded: string): Error {
  return new RegistryTokenConfigError(`${path}: a RegistryToken must be inside a TerraformStack of cdktf or cdktn (loaded: ${loaded})`);
}
