/**
 * The emulator's API credentials from the environment or from files, never from the command line:
 * argv is readable by every user of the machine (`ps`, /proc/<pid>/cmdline). Messages name the
 * source and the entry, never a secret.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { BasicUser } from './auth';

/** `name:password[,name:password]...` (a password may hold `:`, not `,`: use --users-file for that). */
export const USERS_ENV = 'IONOS_EMULATOR_USERS';
/** `token[,token]...` (bearer tokens never hold `,`). */
export const BEARER_ENV = 'IONOS_EMULATOR_BEARER';
/** A credentials file larger than this is refused (it is a few lines, not a data file). */
export const MAX_CREDENTIALS_FILE_BYTES = 64 * 1024;

export class CredentialsError extends Error {}

export interface Credentials {
  readonly users: BasicUser[];
  readonly bearerTokens: string[];
}

/** The text of a credentials file: a regular file of at most MAX_CREDENTIALS_FILE_BYTES. */
export function readCredentialsFile(path: string, flag: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not hang before fstat can refuse it
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new CredentialsError(`${flag} ${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new CredentialsError(`${flag} ${path}: not a regular file`);
    if (stat.size > MAX_CREDENTIALS_FILE_BYTES) throw new CredentialsError(`${flag} ${path}: larger than ${MAX_CREDENTIALS_FILE_BYTES} bytes`);
    const buffer = Buffer.alloc(MAX_CREDENTIALS_FILE_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_CREDENTIALS_FILE_BYTES) throw new CredentialsError(`${flag} ${path}: larger than ${MAX_CREDENTIALS_FILE_BYTES} bytes`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function user(entry: string, where: string): BasicUser {
  const colon = entry.indexOf(':');
  if (colon < 1) throw new CredentialsError(`${where} must be <name>:<password> with a non-empty name (the value is not shown)`);
  return { username: entry.slice(0, colon), password: entry.slice(colon + 1) };
}

function bearer(entry: string, where: string): string {
  if (entry === '' || /\s/.test(entry)) throw new CredentialsError(`${where} must be a non-empty token without spaces (the value is not shown)`);
  return entry;
}

/** `a,b,c` of a variable; set but empty is an error (an unset CI secret must not fall back to the defaults). */
function envEntries(env: NodeJS.ProcessEnv, name: string): string[] {
  const value = env[name];
  if (value === undefined) return [];
  if (value === '') throw new CredentialsError(`${name} is set but empty: give credentials or unset it`);
  return value.split(',');
}

/** One entry a line; empty lines (and a final newline, CRLF too) are skipped. */
function fileEntries(path: string, flag: string): { entry: string; line: number }[] {
  const entries = readCredentialsFile(path, flag)
    .split('\n')
    .map((text, i) => ({ entry: text.endsWith('\r') ? text.slice(0, -1) : text, line: i + 1 }))
    .filter((e) => e.entry !== '');
  if (entries.length === 0) throw new CredentialsError(`${flag} ${path}: holds no credentials (one per line)`);
  return entries;
}

/** The users and tokens of IONOS_EMULATOR_USERS, IONOS_EMULATOR_BEARER, --users-file and --bearer-file, together. */
export function loadCredentials(env: NodeJS.ProcessEnv, files: { usersFile?: string; bearerFile?: string }): Credentials {
  const users = envEntries(env, USERS_ENV).map((e, i) => user(e, `${USERS_ENV} entry ${i + 1}`));
  const bearerTokens = envEntries(env, BEARER_ENV).map((e, i) => bearer(e, `${BEARER_ENV} entry ${i + 1}`));
  if (files.usersFile !== undefined) {
    for (const { entry, line } of fileEntries(files.usersFile, '--users-file')) users.push(user(entry, `--users-file ${files.usersFile} line ${line}`));
  }
  if (files.bearerFile !== undefined) {
    for (const { entry, line } of fileEntries(files.bearerFile, '--bearer-file')) bearerTokens.push(bearer(entry, `--bearer-file ${files.bearerFile} line ${line}`));
  }
  return { users, bearerTokens };
}
