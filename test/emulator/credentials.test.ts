/**
 * Credentials: from the environment or files, never argv; the well-known defaults never off loopback.
 * Each test plays the one who should not get in: another user reading the process list, a typo
 * that would leave the defaults open, a flag that would bind them to every interface.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../../lib/emulator';
import { MAX_CREDENTIALS_FILE_BYTES } from '../../lib/emulator/credentials';
import { DEFAULT_AUTH, runEmulator, startEmulator } from '../helper/emulator';
import { call } from './support';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const CREDENTIAL_VARS = ['IONOS_EMULATOR_USERS', 'IONOS_EMULATOR_BEARER'];

/** Runs the bin to its exit with exactly this environment's credential variables (none unless given). */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CREDENTIAL_VARS.includes(k)));
  return runEmulator(args, 10_000, { ...base, ...env });
}

/** A port held on 127.0.0.1 by the test: an emulator that tried to bind it anywhere would fail with EADDRINUSE (exit 1). */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-credentials-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets never on the command line', () => {
  const secret = 'Sup3r-s3cret,value-42';

  test('credentials in the environment work, and the process list does not show them', async () => {
    const emu = await startEmulator([], { env: { IONOS_EMULATOR_USERS: 'ci:pa:ss', IONOS_EMULATOR_BEARER: `tok-${process.pid}` } });
    try {
      // the attacker: another local user reads the emulator's command line (ps does the same)
      const cmdline = readFileSync(`/proc/${emu.child.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('ionos-registry-emulator');
      expect(cmdline).not.toContain('pa:ss');
      expect(cmdline).not.toContain(`tok-${process.pid}`);
      expect((await call(emu, 'GET', '/registries', { auth: basic('ci', 'pa:ss') })).status).toBe(200);
      expect((await call(emu, 'GET', '/registries', { auth: `Bearer tok-${process.pid}` })).status).toBe(200);
      expect((await call(emu, 'GET', '/registries', { auth: DEFAULT_AUTH.basic })).status).toBe(401);
      expect((await call(emu, 'GET', '/registries', { auth: DEFAULT_AUTH.bearer })).status).toBe(401);
      expect(emu.stderr).toBe('');
    } finally {
      expect(await emu.stop()).toBe(0);
    }
  });

  test.each([
    ['--bearer <token>', ['--bearer', secret], 'IONOS_EMULATOR_BEARER=<token>[,...] or --bearer-file <path>'],
    ['--bearer=<token>', [`--bearer=${secret}`], 'IONOS_EMULATOR_BEARER=<token>[,...] or --bearer-file <path>'],
    ['--user <name>:<password>', ['--user', `ci:${secret}`], 'IONOS_EMULATOR_USERS=<name>:<password>[,...] or --users-file <path>'],
    ['--user=<name>:<password>', [`--user=ci:${secret}`], 'IONOS_EMULATOR_USERS=<name>:<password>[,...] or --users-file <path>'],
    ['--user without a value', ['--port', '0', '--user'], 'IONOS_EMULATOR_USERS=<name>:<password>[,...] or --users-file <path>'],
  ])('%s is refused: exit 2, one line naming the alternative, the secret not echoed, nothing served', async (_, args, alternative) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ionos-registry-emulator: --(user|bearer) is refused: a secret on the command line is readable by every user/);
    expect(lines[0]).toContain(`give it in ${alternative}`);
    expect(r.stderr).not.toContain('s3cret');
  });
});

describe('credentials files', () => {
  test('--users-file and --bearer-file: one entry a line (CRLF and blank lines too), added to the environment', async () => {
    const users = join(dir, 'users');
    const bearer = join(dir, 'bearer');
    writeFileSync(users, 'ci:pass,with,commas\r\n\nother:x\n', { mode: 0o600 });
    writeFileSync(bearer, 'file-token\n', { mode: 0o600 });
    const emu = await startEmulator(['--users-file', users, '--bearer-file', bearer], { env: { IONOS_EMULATOR_BEARER: 'env-token' } });
    try {
      for (const auth of [basic('ci', 'pass,with,commas'), basic('other', 'x'), 'Bearer file-token', 'Bearer env-token']) {
        expect((await call(emu, 'GET', '/registries', { auth })).status).toBe(200);
      }
      expect((await call(emu, 'GET', '/registries', { auth: basic('ci', 'pass,with,commas\r') })).status).toBe(401);
      expect((await call(emu, 'GET', '/registries', { auth: DEFAULT_AUTH.basic })).status).toBe(401);
    } finally {
      expect(await emu.stop()).toBe(0);
    }
  });

  test.each([
    ['missing', (p: string) => p, /: cannot open \(ENOENT\)$/],
    ['a directory', (p: string) => (mkdirSync(p), p), /: not a regular file$/],
    ['a FIFO (would block a reader)', (p: string) => (execFileSync('mkfifo', [p]), p), /: not a regular file$/],
    ['a character device', () => '/dev/zero', /: not a regular file$/],
    ['too large', (p: string) => (writeFileSync(p, `a:${'b'.repeat(MAX_CREDENTIALS_FILE_BYTES)}\n`), p), /: larger than 65536 bytes$/],
    ['empty', (p: string) => (writeFileSync(p, '\n\n'), p), /: holds no credentials \(one per line\)$/],
  ])('a --users-file that is %s: exit 2 with one line, nothing served', async (_, make, reason) => {
    const file = make(join(dir, 'users'));
    const r = await run(['--users-file', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^ionos-registry-emulator: --users-file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(lines[0]).toMatch(reason);
  });

  test('a malformed line is named by its number, its content is not shown', async () => {
    const file = join(dir, 'users');
    writeFileSync(file, 'ci:ok\nno-colon-secret-XYZ\n');
    const r = await run(['--users-file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`ionos-registry-emulator: --users-file ${file} line 2 must be <name>:<password> with a non-empty name (the value is not shown)\n`);
  });
});

describe('credentials in the environment', () => {
  test.each([
    ['a user without a password separator', { IONOS_EMULATOR_USERS: 'ok:1,secretXYZ' }, 'IONOS_EMULATOR_USERS entry 2 must be <name>:<password>'],
    ['a user without a name', { IONOS_EMULATOR_USERS: ':secretXYZ' }, 'IONOS_EMULATOR_USERS entry 1 must be <name>:<password>'],
    ['an empty bearer entry', { IONOS_EMULATOR_BEARER: 'secretXYZ,' }, 'IONOS_EMULATOR_BEARER entry 2 must be a non-empty token'],
    ['a bearer with a space', { IONOS_EMULATOR_BEARER: 'secret XYZ' }, 'IONOS_EMULATOR_BEARER entry 1 must be a non-empty token without spaces'],
    // an unset CI secret expands to "": it must not fall back to the well-known defaults
    ['a set but empty variable', { IONOS_EMULATOR_BEARER: '' }, 'IONOS_EMULATOR_BEARER is set but empty: give credentials or unset it'],
  ])('%s: exit 2 with one line naming the variable, never its value', async (_, env, message) => {
    const r = await run([], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`ionos-registry-emulator: ${message}`);
    expect(r.stderr).not.toMatch(/secret ?XYZ/);
  });
});

describe('the default credentials stay on loopback', () => {
  test('--host 0.0.0.0 without credentials: exit 2 with one line saying why and what to do, before binding', async () => {
    // the attacker: anyone on the network, who knows emulator:emulator from the docs
    const held = await holdPort();
    try {
      for (const host of ['0.0.0.0', '::', '192.0.2.10', 'example.com']) {
        const r = await run(['--host', host, '--port', String(held.port)]);
        expect(r.code).toBe(2); // a bind would have met EADDRINUSE (or EADDRNOTAVAIL) and exited 1
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(
          `ionos-registry-emulator: --host ${host} is not a loopback address: refusing to serve the well-known default credentials ` +
            '(Basic emulator:emulator, Bearer emulator) beyond this machine; ' +
            'give your own in IONOS_EMULATOR_USERS / IONOS_EMULATOR_BEARER or --users-file / --bearer-file\n',
        );
      }
    } finally {
      held.server.close();
    }
  });

  test('with credentials of your own a non-loopback host is accepted (parsed only: the tests bind loopback only)', () => {
    expect(parseFlags(['--host', '0.0.0.0'], { IONOS_EMULATOR_BEARER: 'mine' })).toMatchObject({ host: '0.0.0.0', bearerTokens: ['mine'], users: [] });
    expect(() => parseFlags(['--host', '0.0.0.0'], {})).toThrow(/^--host 0\.0\.0\.0 is not a loopback address/);
  });

  test.each([['127.0.0.1'], ['127.0.0.2'], ['localhost']])('--host %s keeps the defaults', async (host) => {
    const emu = await startEmulator(['--host', host]);
    try {
      expect((await call(emu, 'GET', '/registries', { auth: DEFAULT_AUTH.basic })).status).toBe(200);
      expect(emu.stderr).toContain('accepting Basic emulator:emulator and Bearer emulator');
    } finally {
      expect(await emu.stop()).toBe(0);
    }
  });
});
