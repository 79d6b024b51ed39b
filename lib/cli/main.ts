/**
 * The `registry-token` command (package bin): day-2 operations on the tokens of cdktf stacks.
 *
 *   registry-token plan-summary <plan.json|-> [--format text|markdown|json] [--fail-on-forget]
 *   registry-token drift [--stack <dir> | --state <file|->] [--fix] [--expiring-within <days>] [--format ...]
 *
 * Exit codes: 0 done / no drift; 1 error (one line on stderr); 2 drift or expiring (drift only); 3 a token would
 * stay live after its removal from the code (plan-summary --fail-on-forget only).
 * See docs/operations.md.
 */
import { cliOfProject } from '../handler/runner';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { PACKAGE_VERSION } from '../client/version';
import { checkDrift, driftExitCode, renderDrift } from './drift';
import { CliError, EXIT } from './errors';
import { Format, readPlanSummary, unmanagedForgets } from './plan-summary';
import { redact, sensitiveStrings } from './secrets';
import { LoadedState, readStackDir, readStateFile } from './state';

export const USAGE = `usage:
  registry-token plan-summary <plan.json|-> [--format text|markdown|json] [--fail-on-forget]
      what a plan does to each token and which API calls it makes
      (plan.json = terraform show -json <planfile>; "-" reads stdin)
      --fail-on-forget: exit 3 when a token removed from the code would stay live without
      removalPolicy RETAIN (the stack's last token, or one recorded before 0.4); the summary is printed
  registry-token drift [--stack <dir> | --state <file|->] [--fix] [--expiring-within <days>] [--format text|markdown|json]
      compares each token of the state with the live token (one GET each);
      --stack <dir>: a cdktf project dir (reads terraform.<stack>.tfstate) or a synthesized
      stack dir cdktf.out/stacks/<stack> (runs "terraform show -json"; any backend); default: --stack .
      --state <file|->: a .tfstate or "terraform show -json" output ("-" reads stdin)
      --fix re-applies the declared status, expiry and scopes (PATCH or PUT); gone tokens are reported only
      every token with an expiry is listed with its days left; --expiring-within <days> marks those
      that expire within that many days ("expiring" in JSON) and exits 2 when there is one
  registry-token --help | --version
exit codes: 0 ok / no drift, 1 error, 2 drift or expiring (drift only), 3 a token stays live (--fail-on-forget only)
credentials (drift): IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD; IONOS_API_URL`;

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => string;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => fs.readFileSync(0, 'utf8'),
};

function format(value: string | undefined): Format {
  const f = value ?? 'text';
  if (f !== 'text' && f !== 'markdown' && f !== 'json') throw new CliError(`--format "${f}" must be text, markdown or json`);
  return f;
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  format: { type: 'string', short: 'f' },
  stack: { type: 'string' },
  state: { type: 'string' },
  fix: { type: 'boolean' },
  'expiring-within': { type: 'string' },
  'fail-on-forget': { type: 'boolean' },
} as const;

type Option = keyof typeof OPTIONS;

/** parseArgs with the options a command accepts; anything else is a one-line error. */
function parse(args: string[], accepted: readonly Option[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message.split('\n')[0]} (registry-token --help)`);
  }
  for (const key of Object.keys(parsed.values) as Option[]) {
    if (key !== 'help' && !accepted.includes(key)) throw new CliError(`--${key} is not an option of this command (registry-token --help)`);
  }
  return parsed;
}

async function planSummary(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, ['format', 'fail-on-forget']);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliError(`plan-summary takes one plan JSON file (or "-"), got ${positionals.length}`);
  const file = positionals[0];
  const fmt = format(values.format);
  let text: string;
  try {
    text = file === '-' ? io.readStdin() : fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { summary, text: out, secrets } = readPlanSummary(text, fmt);
  io.stdout(out);
  const live = unmanagedForgets(summary);
  if (values['fail-on-forget'] && live.length > 0) {
    const names = redact(live.map((t) => t.name).join(', '), secrets);
    io.stderr(`registry-token: ${live.length} token${live.length === 1 ? '' : 's'} removed from the code would stay live without removalPolicy RETAIN: ${names} (--fail-on-forget)\n`);
    return EXIT.FORGET;
  }
  return EXIT.OK;
}

async function drift(args: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const { values, positionals } = parse(args, ['stack', 'state', 'fix', 'format', 'expiring-within']);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new CliError(`drift takes no positional arguments (got "${positionals[0]}"); use --stack <dir> or --state <file>`);
  if (values.stack !== undefined && values.state !== undefined) throw new CliError('give --stack or --state, not both');
  const fmt = format(values.format);
  const loaded: LoadedState =
    values.state !== undefined
      ? readStateFile(values.state, io.readStdin)
      : readStackDir(values.stack ?? '.', env);
  const within = values['expiring-within'];
  if (within !== undefined && !/^\d{1,5}$/.test(within)) throw new CliError(`--expiring-within "${within}" must be a whole number of days`);
  const results = await checkDrift(loaded.tokens, {
    fix: values.fix === true,
    env,
    stackDir: loaded.stackDir,
    cli: cliOfProject('.'),
    ...(within !== undefined ? { expiringWithinDays: Number(within) } : {}),
  });
  const secrets = loaded.documents.flatMap((d) => sensitiveStrings(d));
  io.stdout(redact(renderDrift(results, fmt), secrets));
  return driftExitCode(results);
}

/** Runs the command; resolves the exit code. Never throws. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'plan-summary':
        return await planSummary(rest, io);
      case 'drift':
        return await drift(rest, env, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(`${USAGE}\n`);
        return command === undefined ? EXIT.ERROR : EXIT.OK;
      case '--version':
        io.stdout(`${PACKAGE_VERSION}\n`);
        return EXIT.OK;
      default:
        throw new CliError(`unknown command "${command}": use plan-summary or drift (registry-token --help)`);
    }
  } catch (e) {
    const message = e instanceof CliError ? e.message : `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
    io.stderr(`registry-token: ${message.split('\n').join('; ')}\n`);
    if (env.IONOS_REGISTRY_TOKEN_DEBUG && e instanceof Error && !(e instanceof CliError)) io.stderr(`${e.stack ?? ''}\n`);
    return e instanceof CliError ? e.exitCode : EXIT.ERROR;
  }
}
