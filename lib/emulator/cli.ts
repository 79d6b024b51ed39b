/**
 * `ionos-registry-emulator`: parses the flags, starts the server, prints one ready line on stdout
 * and serves until SIGINT/SIGTERM (then flushes the state file and exits 0).
 * Bad flags: one line on stderr (then the usage), exit 2; a refused configuration (a secret on the
 * command line, unusable credentials, default credentials off loopback): one line, exit 2.
 * A state file that cannot be loaded: one line, exit 1. `--help`, `--version`: stdout, exit 0.
 */
import { parseArgs } from 'node:util';
import { PACKAGE_VERSION } from '../client/version';
import { checkUuid, describeViolation } from '../validation';
import { isLoopbackHost } from './address';
import { BEARER_ENV, CredentialsError, loadCredentials, USERS_ENV } from './credentials';
import { DEFAULT_REGISTRY_ID } from './defaults';
import { defaultCredentialsRefusal, type EmulatorOptions } from './options';
import { EmulatorServer } from './server';

const NAME = 'ionos-registry-emulator';

export const USAGE =
  `usage: ${NAME} [--host 127.0.0.1] [--port 0] [--registry <uuid>]... [--users-file <path>] [--bearer-file <path>] ` +
  '[--state-file <path>] [--latency-ms <n>] [--help] [--version]';

export const HELP = `${USAGE}
A strict local emulator of the IONOS Cloud Container Registry token API (docs/emulator.md).
  --host <addr>          address to bind (default 127.0.0.1); any but 127.0.0.0/8, ::1 and localhost
                         needs credentials of your own
  --port <n>             port; 0 (the default) picks a free one: read it from the ready line
  --registry <uuid>      a registry to serve (repeatable; default ${DEFAULT_REGISTRY_ID})
  --users-file <path>    Basic credentials, one <name>:<password> a line (a regular file, at most 64 KiB)
  --bearer-file <path>   Bearer tokens, one a line
  --state-file <path>    keep registries, tokens (password hashes only) and the clock offset in this file
  --latency-ms <n>       every API call waits n ms
  --help, --version      this text; the version
environment:
  ${USERS_ENV}=<name>:<password>[,<name>:<password>]...
  ${BEARER_ENV}=<token>[,<token>]...
  (added to those of the files). Without any credentials: Basic emulator:emulator and Bearer emulator,
  on loopback only. Secrets are never taken from the command line (--user, --bearer are refused).
ready line (stdout): ${NAME} listening on <url> (registry <id>[, <id>]...) (hostname <hostname>[, <hostname>]...)
exit codes: 0 after SIGINT/SIGTERM; 1 cannot start; 2 bad flags or a refused configuration`;

/** A flag error: one line on stderr, then the usage unless `usage` is false; exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage = true,
  ) {
    super(message);
  }
}

function integer(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new UsageError(`--${flag} ${JSON.stringify(value)} must be an integer from 0 to ${max}`);
  return Number(value);
}

const ALTERNATIVE = {
  user: `${USERS_ENV}=<name>:<password>[,...] or --users-file <path>`,
  bearer: `${BEARER_ENV}=<token>[,...] or --bearer-file <path>`,
} as const;

/** Refuses `--user`/`--bearer` in any form before anything else reads argv; the value is never echoed. */
function refuseSecretsOnArgv(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    const m = /^--(user|bearer)(=|$)/.exec(arg);
    if (m) {
      const flag = m[1] as keyof typeof ALTERNATIVE;
      throw new UsageError(
        `--${flag} is refused: a secret on the command line is readable by every user of this machine (ps, /proc/<pid>/cmdline); ` +
          `give it in ${ALTERNATIVE[flag]}`,
        false,
      );
    }
  }
}

/**
 * The options the flags and the environment ask for; throws {@link UsageError} naming the bad flag
 * or variable. Credentials come from IONOS_EMULATOR_USERS / IONOS_EMULATOR_BEARER and the files.
 */
export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EmulatorOptions {
  refuseSecretsOnArgv(argv);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        registry: { type: 'string', multiple: true },
        'users-file': { type: 'string' },
        'bearer-file': { type: 'string' },
        'state-file': { type: 'string' },
        'latency-ms': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  const registryIds = values.registry ?? [];
  for (const id of registryIds) {
    const v = checkUuid(id, '--registry');
    if (v.length > 0) throw new UsageError(describeViolation(v[0]));
  }
  for (const flag of ['host', 'state-file', 'users-file', 'bearer-file'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} must not be empty`);
  }
  const port = integer('port', values.port, 65535);
  const latencyMs = integer('latency-ms', values['latency-ms'], 600000);
  let credentials;
  try {
    credentials = loadCredentials(env, { usersFile: values['users-file'], bearerFile: values['bearer-file'] });
  } catch (err) {
    if (err instanceof CredentialsError) throw new UsageError(err.message, false);
    throw err;
  }
  const host = values.host;
  const custom = credentials.users.length + credentials.bearerTokens.length > 0;
  // before any bind: the defaults never listen off loopback, not even for a moment
  if (host !== undefined && !custom && !isLoopbackHost(host)) throw new UsageError(defaultCredentialsRefusal(host), false);
  return {
    host,
    port,
    registryIds,
    users: credentials.users,
    bearerTokens: credentials.bearerTokens,
    stateFile: values['state-file'],
    latencyMs,
  };
}

/** `--help`/`-h` or `--version` before any `--`: what to print instead of running. */
function infoRequest(argv: readonly string[]): string | undefined {
  const end = argv.indexOf('--');
  const args = end < 0 ? argv : argv.slice(0, end);
  if (args.includes('--help') || args.includes('-h')) return `${HELP}\n`;
  if (args.includes('--version')) return `${PACKAGE_VERSION}\n`;
  return undefined;
}

/** The ready line: the base URL, the registry ids and their hostnames (in the same order). */
export function readyLine(server: Pick<EmulatorServer, 'url' | 'registryIds' | 'registryHostnames'>): string {
  return `${NAME} listening on ${server.url} (registry ${server.registryIds.join(', ')}) (hostname ${server.registryHostnames.join(', ')})\n`;
}

/** Runs the emulator until a signal; returns the exit code (the caller exits with it). */
export async function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const info = infoRequest(argv);
  if (info !== undefined) {
    process.stdout.write(info);
    return 0;
  }
  let options: EmulatorOptions;
  try {
    options = parseFlags(argv, env);
  } catch (err) {
    const usage = !(err instanceof UsageError) || err.usage ? `${USAGE}\n` : '';
    process.stderr.write(`${NAME}: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  // Handlers first: a signal during start-up or right after the ready line still exits cleanly.
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  let server: EmulatorServer;
  try {
    server = await EmulatorServer.start(options);
  } catch (err) {
    process.stderr.write(`${NAME}: ${(err as Error).message}\n`);
    return 1;
  }
  const custom = (options.users?.length ?? 0) + (options.bearerTokens?.length ?? 0) > 0;
  if (!custom) process.stderr.write(`${NAME}: accepting Basic emulator:emulator and Bearer emulator\n`);
  process.stdout.write(readyLine(server));

  const signal = await stopped;
  try {
    await server.close();
  } catch (err) {
    process.stderr.write(`${NAME}: ${signal}: could not flush the state: ${(err as Error).message}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
