/**
 * The fixed choices of the IONOS Container Registry token API, as jsii-friendly enums.
 * Their values are the API's wire values, so they can be sent as they are.
 */

/** What a scope grants access to. */
export enum ScopeType {
  /** Listing the registry's repositories. */
  REGISTRY = 'registry',
  /** The contents of the repositories whose names match the scope's path. */
  REPOSITORY = 'repository',
}

/** What a scope allows on its path. `PUSH` requires `PULL`; `DELETE` is the console's "Admin". */
export enum ScopeAction {
  PULL = 'pull',
  PUSH = 'push',
  DELETE = 'delete',
}

/** Whether a token may log in to the registry. */
export enum TokenStatus {
  ENABLED = 'enabled',
  DISABLED = 'disabled',
}

/** One grant of a token: a scope type, a path (with `*` wildcards) and the actions allowed on it. */
export interface TokenScope {
  /** What the scope grants access to. */
  readonly type: ScopeType;
  /** The repository path; `*` matches any characters, and `*` alone matches every repository. */
  readonly name: string;
  /** At least one action, no duplicates; `PUSH` requires `PULL`. */
  readonly actions: ScopeAction[];
}

/** What happens to the live token when its `RegistryToken` is removed from the code. */
export enum RemovalPolicy {
  /** Delete it at the next deploy (one DELETE; already gone is fine). */
  DESTROY = 'destroy',
  /** Keep it live and forget it: no API call; the stack no longer manages it. */
  RETAIN = 'retain',
}
