/**
 * The tokens whose password never reached the state the engine last wrote: an untainted `create`
 * with no `password` resource, or one holding "". A take-over's one command for the stack also
 * re-creates them, so that a fresh runner after a kill needs one action, never two
 * (docs/design/recovery-commands.md).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRecord } from '../is-record';
import { unwrapDynamic } from '../cli/dynamic-value';
import { identityInput, readLayout } from '../cli/resources';
import { rawResources } from '../cli/state';

/** How long `state pull` may take before the take-over line goes without the re-create targets. */
const PULL_TIMEOUT_MS = 30_000;

/**
 * The resource names to `-replace` (each `create`, and its `password` when there is one) for every
 * token of a raw state whose password is missing. A tainted `create` runs again by itself; an
 * adopted token's password is "" by design; a token `triedHere` (this disk's journal records a create
 * of it: this run's, whose password is on its way, or one the journal recovers) is left to its steps.
 */
export function uncapturedTargets(doc: unknown, triedHere: (tokenId: string) => boolean = () => false): string[] {
  if (!isRecord(doc) || !Array.isArray(doc.resources)) return [];
  const root = rawResources(doc).filter((r) => r.moduleAddress === '');
  const layout = readLayout(root.map((r) => ({ name: r.name, module: '', resource: r })));
  return layout.tokens.flatMap(({ parts }) => {
    const { create, password } = parts;
    if (!create || create.tainted) return [];
    const attributes = (r: { values: unknown }) => (isRecord(r.values) ? r.values : {});
    const triggers = unwrapDynamic(attributes(create).triggers_replace);
    if (!isRecord(triggers) || 'registry_id' in triggers) return []; // adopted (adoptTokenId)
    if (typeof triggers.token_id === 'string' && triedHere(triggers.token_id)) return [];
    if (!password) return [create.name];
    if (identityInput(attributes(password).input)?.adopt === 'true') return [];
    const held = unwrapDynamic(attributes(password).triggers_replace);
    return typeof held === 'string' && held === '' ? [create.name, password.name] : [];
  });
}

/**
 * Each `create` resource's `password` partner, by the synthesized configuration in `dir` (cdk.tf.json):
 * a `password` replaced by its `create`. The state may not hold the `password` yet (the run that
 * pulled it makes it), and a `-replace` must name both (docs/design/recovery-commands.md).
 */
export function passwordPartners(dir: string): Map<string, string> {
  const partners = new Map<string, string>();
  try {
    const doc: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
    const data = isRecord(doc) && isRecord(doc.resource) && isRecord(doc.resource.terraform_data) ? doc.resource.terraform_data : {};
    for (const [name, r] of Object.entries(data)) {
      const by = isRecord(r) && isRecord(r.lifecycle) && Array.isArray(r.lifecycle.replace_triggered_by) ? r.lifecycle.replace_triggered_by : [];
      const create = /^terraform_data\.(.+_create_[0-9A-F]{8})$/.exec(String(by[0] ?? ''))?.[1];
      if (create && /_password_[0-9A-F]{8}$/.test(name)) partners.set(create, name);
    }
  } catch {
    // no configuration here: the creates alone
  }
  return partners;
}

/** The engine binary of a running engine process, where /proc says; else `fallback`. */
function engineBinary(enginePid: number | undefined, fallback: string): string {
  try {
    return enginePid === undefined ? fallback : fs.readlinkSync(`/proc/${enginePid}/exe`);
  } catch {
    return fallback;
  }
}

/**
 * {@link uncapturedTargets} of the state the engine last wrote, read with `<engine> state pull` in
 * the working directory (any backend; it takes no lock). [] when it cannot be read.
 */
export function pulledUncapturedTargets(
  enginePid: number | undefined,
  engine: string,
  env: NodeJS.ProcessEnv,
  triedHere: (tokenId: string) => boolean,
  cwd = process.cwd(),
): string[] {
  const res = spawnSync(engineBinary(enginePid, engine), ['state', 'pull'], {
    cwd,
    env: { ...env, TF_LOG: '', TF_LOG_CORE: '' },
    encoding: 'utf8',
    timeout: PULL_TIMEOUT_MS,
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (res.status !== 0 || !res.stdout) return [];
  let targets: string[];
  try {
    targets = uncapturedTargets(JSON.parse(res.stdout), triedHere);
  } catch {
    return [];
  }
  const partners = passwordPartners(cwd);
  return targets.flatMap((t) => (partners.has(t) && !targets.includes(partners.get(t)!) ? [t, partners.get(t)!] : [t]));
}
