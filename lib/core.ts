/**
 * The CDK core a construct lives in: CDK for Terraform (`cdktf`, archived upstream in December 2025)
 * or its community fork CDK Terrain (`cdktn`). The two share their API and their symbol markers, but
 * not their internals: a resource of one core in a stack of the other breaks at synth. So every
 * cdktf class this library instantiates comes from the core of the stack it is put in, found here;
 * one package serves both (docs/design/both-cores.md).
 *
 * Only types are imported from `cdktf` (erased at build): the public API references nothing but
 * `constructs`, and neither core is a dependency of the package (the app brings its own).
 */
import type * as cdktf from 'cdktf';
import type { IConstruct } from 'constructs';
import { outsideStack } from './errors';

/** The module of a core: `cdktf` and `cdktn` have the same exports. */
export type Core = typeof cdktf;

/** The cores this library knows, in the order they are tried. */
export const CORE_MODULES: readonly string[] = ['cdktf', 'cdktn'];

const loaded = new Map<string, Core | null>();

function load(name: string): Core | undefined {
  if (!loaded.has(name)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      loaded.set(name, require(name) as Core);
    } catch {
      loaded.set(name, null);
    }
  }
  return loaded.get(name) ?? undefined;
}

const byRoot = new WeakMap<object, Core>();
/** The cores that hold a stack of ours: only these are asked whether a value is a token. */
const inUse = new Set<Core>();

/**
 * The core whose `TerraformStack` holds `scope`. A user error (one line) when no known core's stack
 * holds it, e.g. a RegistryToken created outside a stack.
 */
export function coreOf(scope: IConstruct): Core {
  const root = scope.node.root;
  const known = byRoot.get(root);
  if (known) return known;
  for (const name of CORE_MODULES) {
    const core = load(name);
    if (core && scope.node.scopes.some((s) => s instanceof core.TerraformStack)) {
      byRoot.set(root, core);
      inUse.add(core);
      return core;
    }
  }
  const tried = CORE_MODULES.filter((n) => load(n)).join(' or ') || 'none (neither cdktf nor cdktn can be loaded)';
  throw outsideStack(scope.node.path || 'a construct', tried);
}

/** True when `v` is a value a core in use has only as a token (unresolved at synth). */
export function isUnresolved(v: unknown): boolean {
  for (const core of inUse.size ? inUse : CORE_MODULES.map(load)) if (core?.Token.isUnresolved(v)) return true;
  return false;
}
