/**
 * Plays the user who pastes a printed command into a shell: runs it with the real sh, in a fresh
 * directory, with a stub engine (terraform, tofu) first on PATH that only records the argv it got.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Pasted {
  /** The engine's (or CDK CLI's) arguments as sh passed them, or undefined when sh never ran one. */
  readonly argv?: string[];
  /** The program sh ran: terraform, tofu, cdktf or cdktn. */
  readonly program?: string;
  /** TF_CLI_ARGS_apply as that program got it (the engine's extra arguments under a CDK CLI). */
  readonly cliArgs?: string;
  /** IONOS_REGISTRY_TOKEN_TAKE_OVER as that program got it. */
  readonly takeOver?: string;
  /** Files the command left in its directory besides the stub's own: anything here was made by an injected command. */
  readonly leftovers: string[];
  readonly status: number | null;
  readonly stderr: string;
}

const STUB = '#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done > "$STUB_ARGV"\nprintf \'%s\' "${0##*/}" > "$STUB_ARGV.program"\n[ -n "${TF_CLI_ARGS_apply+x}" ] && printf \'%s\' "$TF_CLI_ARGS_apply" > "$STUB_ARGV.env"\n[ -n "${IONOS_REGISTRY_TOKEN_TAKE_OVER+x}" ] && printf \'%s\' "$IONOS_REGISTRY_TOKEN_TAKE_OVER" > "$STUB_ARGV.take-over"\nexit 0\n';

/** Runs `command` with `shell` (default sh) in a new temp dir; the dir is removed afterwards. */
export function paste(command: string, shell = 'sh'): Pasted {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-paste-'));
  try {
    const bin = path.join(dir, '.stub-bin');
    fs.mkdirSync(bin);
    for (const engine of ['terraform', 'tofu', 'cdktf', 'cdktn']) fs.writeFileSync(path.join(bin, engine), STUB, { mode: 0o755 });
    const argvFile = path.join(dir, '.stub-argv');
    const res = spawnSync(shell, ['-c', command], {
      cwd: dir,
      env: { PATH: `${bin}:${process.env.PATH}`, STUB_ARGV: argvFile, HOME: dir },
      encoding: 'utf8',
      timeout: 10_000,
    });
    const argv = fs.existsSync(argvFile) ? fs.readFileSync(argvFile, 'utf8').split('\0').slice(0, -1) : undefined;
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
    const leftovers = fs.readdirSync(dir).filter((f) => !f.startsWith('.stub-'));
    return { argv, program: read(`${argvFile}.program`), cliArgs: read(`${argvFile}.env`), takeOver: read(`${argvFile}.take-over`), leftovers, status: res.status, stderr: res.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Values a stack name or construct path may hold that a shell would run or split (no "/": a construct id has none). */
export const HOSTILE = [
  'x$(touch pwned)',
  'x`touch pwned`',
  "it's; touch pwned",
  'a b"$(touch pwned)"',
  "'$(touch pwned)'",
  'x&&touch pwned',
  'x|tee pwned',
  'x>pwned',
  '$HOME*?[a]{b,c}~\\',
];
