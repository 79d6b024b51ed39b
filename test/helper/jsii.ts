/**
 * jsii-pacmak, as the binding tests run it: the language packages of this repository's assembly
 * (.jsii, built by `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from './workspace';

/**
 * Keeps the jsii runtime quiet about Node 20 (it warns on stderr at every start; the value is the
 * major version to keep quiet about), in pacmak and in the Node process behind a Python package.
 */
export const QUIET_NODE = { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' };

/** Runs jsii-pacmak with `args` (e.g. `--targets python`, `--outdir <dir>`); throws its output's tail on failure. */
export function pacmak(args: string[]): void {
  const res = spawnSync(path.join(REPO, 'node_modules', '.bin', 'jsii-pacmak'), args, { cwd: REPO, env: { ...process.env, ...QUIET_NODE }, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`jsii-pacmak ${args.join(' ')} failed (${res.status}):\n${(res.stdout + res.stderr).slice(-3000)}`);
}
