/**
 * `ionos-registry-emulator`: parses the flags, starts the server, prints one ready line on stdout
 * and serves until SIGINT/SIGTERM (then flushes the state file and exits 0).
 * Bad flags: one line on stderr, exit 2. A state file that cannot be loaded: one line, exit 1.
 */
import { parseArgs } from 'node:util';
import { checkUuid, describeViolation } from '../validation';
import type { BasicUser } from './auth';
import type { EmulatorOptions } from './options';
import { EmulatorServer } from './server';

const NAME = 'ionos-registry-emulator';

export const USAGE =
  `usage: ${NAME} [--host 127.0.0.1] [--port 0] [--registry <uuid>]... [--user <name>:<password>]... ` +
  '[--bearer <token>]... [--state-file <path>] [--latency-ms <n>]';

export class UsageError extends Error {}

function integer(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new UsageError(`--${flag} ${JSON.stringify(value)} must be an integer from 0 to ${max}`);
  return Number(value);
}

/** The options the flags ask for; throws {@link UsageError} naming the bad flag. */
export function parseFlags(argv: readonly string[]): EmulatorOptions {
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
        user: { type: 'string', multiple: true },
        bearer: { type: 'string', multiple: true },
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
  const users: BasicUser[] = (values.user ?? []).map((spec) => {
    const colon = spec.indexOf(':');
    if (colon < 1) throw new UsageError(`--user ${JSON.stringify(spec)} must be <name>:<password> with a non-empty name`);
    return { username: spec.slice(0, colon), password: spec.slice(colon + 1) };
  });
  const bearerTokens = values.bearer ?? [];
  if (bearerTokens.some((t) => t === '')) throw new UsageError('--bearer must not be empty');
  if (values.host === '') throw new UsageError('--host must not be empty');
  if (values['state-file'] === '') throw new UsageError('--state-file must not be empty');
  return {
    host: values.host,
    port: integer('port', values.port, 65535),
    registryIds,
    users,
    bearerTokens,
    stateFile: values['state-file'],
    latencyMs: integer('latency-ms', values['latency-ms'], 600000),
  };
}

/** Runs the emulator until a signal; returns the exit code (the caller exits with it). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let options: EmulatorOptions;
  try {
    options = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`${NAME}: ${(err as Error).message}\n${USAGE}\n`);
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
  process.stdout.write(`${NAME} listening on ${server.url} (registry ${server.registryIds.join(', ')})\n`);

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
