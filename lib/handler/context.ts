/**
 * One token's StepContext, from what its step says and the runtime (the engine's environment, the
 * work dir, the output). Every network call goes through the client built here, on first use: a
 * delete of a never-created token or a specs step with nothing to update makes no call, and loading
 * axios is a third of a step's start-up time.
 */
import type { RegistryApiClient } from '../client/client';
import { apiEndpointNotice, clientConfigFromEnv, resolveApiEndpoint, type ClientConfig } from '../client/config';
import type { DesiredToken } from '../token-spec';
import { DEBUG_ENV, TAKE_OVER_ENV } from './consts';
import { runnerOf, takeOverCommand } from './runner';
import { pulledUncapturedTargets } from './unfinished';
import { PREFIX } from './errors';
import { Journal } from './journal';
import type { StepContext, StepRuntime, TokenApi } from './lifecycle';
import type { RetrySettings } from './step';

/** What a step says about the token it acts on. */
export interface TokenTarget extends RetrySettings {
  readonly path: string;
  readonly registryId: string;
  readonly tokenId: string;
  /** The prop `apiUrl`, or "". */
  readonly apiUrl: string;
  readonly desired: DesiredToken;
  readonly createId?: string;
  readonly replaceHint?: string;
  readonly adopt?: boolean;
  readonly lookupHostname?: boolean;
}

/** Origins this process has named already: the deploy says which host it talks to, once. */
const announced = new Set<string>();

/** The API client for one token's calls, with its retry settings (the props win over the environment). */
function lazyApi(env: NodeJS.ProcessEnv, target: TokenTarget, say: (line: string) => void, signal?: AbortSignal): TokenApi {
  let config: ClientConfig | undefined;
  const settings = (): ClientConfig =>
    (config ??= clientConfigFromEnv(env, {
      apiUrl: target.apiUrl || undefined,
      maxAttempts: target.maxAttempts,
      totalTimeoutMs: target.totalTimeoutSeconds === undefined ? undefined : target.totalTimeoutSeconds * 1000,
    }));
  let client: RegistryApiClient | undefined;
  const api = (): RegistryApiClient => {
    if (!client) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { RegistryApiClient: Client } = require('../client/client') as typeof import('../client/client');
      client = new Client({ ...settings(), signal });
    }
    return client;
  };
  return {
    preflight: () => {
      const endpoint = resolveApiEndpoint(env, target.apiUrl);
      const notice = apiEndpointNotice(endpoint);
      if (notice && !announced.has(endpoint.origin)) say(notice);
      announced.add(endpoint.origin);
    },
    maxAttempts: () => settings().maxAttempts,
    getToken: (registryId, tokenId) => api().getToken(registryId, tokenId),
    putToken: (registryId, tokenId, props, options) => api().putToken(registryId, tokenId, props, options),
    patchToken: (registryId, tokenId, patch) => api().patchToken(registryId, tokenId, patch),
    deleteToken: (registryId, tokenId) => api().deleteToken(registryId, tokenId),
    getRegistry: (registryId) => api().getRegistry(registryId),
    serverNow: () => client?.serverNow(),
  };
}

/** The stack's take-over, once per process and engine run: the state is pulled once for all the tokens refused. */
const takeOvers = new Map<string, { command: string; recreate: number }>();

function stackTakeOver(rt: StepRuntime, stack: string): { command: string; recreate: number } {
  const key = `${rt.enginePid ?? ''}|${stack}`;
  let found = takeOvers.get(key);
  if (!found) {
    const runner = runnerOf(rt.enginePid, rt.env);
    const journal = new Journal(rt.workDir);
    const targets = pulledUncapturedTargets(rt.enginePid, runner.engine, rt.env, (id) => journal.read(id) !== undefined);
    found = { command: takeOverCommand(stack, runner, targets), recreate: targets.filter((t) => /_create_/.test(t)).length };
    takeOvers.set(key, found);
  }
  return found;
}

export function stepContext(rt: StepRuntime, target: TokenTarget): StepContext {
  const say = (line: string) => rt.output.out(`${PREFIX} ${line}`);
  return {
    api: lazyApi(rt.env, target, (line) => rt.output.out(line), rt.signal),
    journal: new Journal(rt.workDir),
    registryId: target.registryId,
    tokenId: target.tokenId,
    desired: target.desired,
    path: target.path,
    createId: target.createId,
    takeOver: rt.env[TAKE_OVER_ENV] || undefined,
    takeOverCommand: () => stackTakeOver(rt, target.path.split('/')[0]),
    replaceHint: target.replaceHint,
    adopt: target.adopt,
    lookupHostname: target.lookupHostname,
    now: () => new Date(),
    log: say,
    ...(rt.env[DEBUG_ENV] ? { debug: say } : {}),
  };
}
