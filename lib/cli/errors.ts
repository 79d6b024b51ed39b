/** A failure the user can act on: printed as one line, `registry-token: <message>`, exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes of every command (documented in docs/operations.md). */
export const EXIT = {
  /** Done; for `drift`: no drift (or everything drifted was fixed). */
  OK: 0,
  /** An error: bad arguments, unreadable input, missing credentials, an API failure. */
  ERROR: 1,
  /** `drift` only: drift found (or, with --fix, drift that cannot be fixed: gone or renamed tokens). */
  DRIFT: 2,
  /**
   * `plan-summary --fail-on-forget` only: the plan removes a token from the code that stays live and
   * was not retained on purpose (the stack's last token, or a record from before 0.4).
   */
  FORGET: 3,
} as const;
