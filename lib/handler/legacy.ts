/**
 * The create provisioners of stacks synthesized by 0.1 and 0.2 gave the handler its settings as
 * IONOS_RT_* environment variables (0.1 ran `node index.js create`, 0.2 sourced run.sh with RT_OP).
 *
 * No real deploy runs them with this handler: a synthesized stack runs the handler bundle it was
 * synthesized with (its own asset folder), and Terraform runs only the provisioners of the current
 * configuration. The upgrade test does (test/integ/upgrade.test.ts): it applies the 0.1 and 0.2
 * layouts with today's bundle in their asset folders, to make the state those versions left. So this
 * turns such a create into today's step, and refuses every other step of theirs with one line. It
 * goes once that test brings the handlers of the versions it upgrades from.
 *
 * Their specs being in normal form (scopes sorted), the marker today's create leaves is the one their
 * own spec resources look for (the digest of the same text).
 */
import { Operation } from './consts';
import { legacyStepUnsupported, unreadableStep } from './errors';
import type { CreateStep } from './step';

/** The variables those provisioners set (and the only place that still names them). */
const LEGACY_ENV = {
  REGISTRY_ID: 'IONOS_RT_REGISTRY_ID',
  TOKEN_ID: 'IONOS_RT_TOKEN_ID',
  NAME: 'IONOS_RT_NAME',
  PATH: 'IONOS_RT_PATH',
  SPEC: 'IONOS_RT_SPEC',
  CREATE_ID: 'IONOS_RT_CREATE_ID',
  API_URL: 'IONOS_RT_API_URL',
  ADOPT: 'IONOS_RT_ADOPT',
} as const;

/** True when the handler was started by a provisioner of 0.1 or 0.2. */
export function isLegacy(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env[LEGACY_ENV.TOKEN_ID]);
}

/** The step text of a 0.1 or 0.2 provisioner, from its environment. */
export function legacyStepText(op: string, env: NodeJS.ProcessEnv): string {
  if (!isLegacy(env)) throw unreadableStep('no step on stdin');
  if (op !== Operation.CREATE) throw legacyStepUnsupported(op);
  let spec: unknown;
  try {
    spec = JSON.parse(env[LEGACY_ENV.SPEC] || '{}');
  } catch {
    throw unreadableStep(`${LEGACY_ENV.SPEC} is not JSON`);
  }
  const name = env[LEGACY_ENV.NAME] ?? '';
  const step: CreateStep = {
    op: Operation.CREATE,
    path: env[LEGACY_ENV.PATH] || name,
    registryId: env[LEGACY_ENV.REGISTRY_ID] ?? '',
    tokenId: env[LEGACY_ENV.TOKEN_ID] ?? '',
    apiUrl: env[LEGACY_ENV.API_URL] ?? '',
    spec: { name, scopes: [], status: 'enabled', expiryDate: null, ...(spec as object) },
    createId: env[LEGACY_ENV.CREATE_ID] ?? '',
    adopt: env[LEGACY_ENV.ADOPT] === 'true',
  };
  return JSON.stringify(step);
}
