/** The state file and the command line, against the real emulator process. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEmulator, startEmulator } from '../helper/emulator';
import { call, createToken, inSeconds } from './support';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-state-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('state file', () => {
  test('round trip: stop, restart with the same file, the token is there and its password works', async () => {
    // GIVEN an emulator with a state file and a token
    const file = join(dir, 'state.json');
    const first = await startEmulator(['--state-file', file]);
    const t = await createToken(first, 'survivor', { expiryDate: inSeconds(30 * 86400) });
    await first.advanceClock(3600);
    // WHEN it stops and starts again on the same file
    expect(await first.stop()).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(t.properties.credentials.password);
    expect(text).toMatch(/"passwordHash": "hmac-sha256\$/);
    const second = await startEmulator(['--state-file', file]);
    try {
      // THEN
      expect(second.registryId).toBe(first.registryId);
      const got = await call(second, 'GET', `/registries/${second.registryId}/tokens/${t.id}`);
      expect(got.status).toBe(200);
      expect(got.body.properties).toMatchObject({ name: 'survivor', expiryDate: t.properties.expiryDate });
      expect(await second.login(second.registryId, 'survivor', t.properties.credentials.password)).toBe(true);
      expect(((await (await fetch(`${second.url}/__emulator/clock`)).json()) as { offsetSeconds: number }).offsetSeconds).toBe(3600);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  test('the file is written after each change, not only at exit (a kill -9 keeps the token)', async () => {
    const file = join(dir, 'state.json');
    const emu = await startEmulator(['--state-file', file]);
    await createToken(emu, 'written');
    emu.child.kill('SIGKILL');
    await emu.stop();
    expect(JSON.parse(readFileSync(file, 'utf8')).tokens.map((t: { name: string }) => t.name)).toEqual(['written']);
  });

  test('a new file is created with mode 0600 at start', async () => {
    const file = join(dir, 'new.json');
    const emu = await startEmulator(['--state-file', file]);
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, tokens: [] });
    } finally {
      await emu.stop();
    }
  });

  test('registries of the file are kept, and --registry adds more', async () => {
    const file = join(dir, 'state.json');
    const first = await startEmulator(['--state-file', file]);
    await first.stop();
    const extra = '11111111-2222-4333-8444-555555555555';
    const second = await startEmulator(['--state-file', file, '--registry', extra]);
    try {
      expect(second.registryIds).toEqual([extra, first.registryId]);
    } finally {
      await second.stop();
    }
  });

  test.each([
    ['not JSON', '{"version": 1,', /not valid JSON/],
    ['empty', '', /not valid JSON/],
    ['the wrong shape', '{"version": 2, "tokens": []}', /not an emulator state file/],
    [
      'a token of an unknown registry',
      JSON.stringify({
        version: 1,
        clockOffsetMs: 0,
        registries: [],
        tokens: [
          {
            id: '11111111-2222-4333-8444-555555555555',
            registryId: '11111111-2222-4333-8444-555555555556',
            name: 'x',
            scopes: null,
            status: 'enabled',
            expiryDate: null,
            passwordHash: 'scrypt$16384$8$1$abc$def',
            createdBy: 'a',
            createdByUserId: 'b',
            createdDate: 'c',
          },
        ],
      }),
      /which the file does not list/,
    ],
  ])('a state file that is %s: exit 1 with one clear line, the file untouched', async (_, content, reason) => {
    const file = join(dir, 'state.json');
    writeFileSync(file, content);
    const run = await runEmulator(['--port', '0', '--state-file', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^ionos-registry-emulator: cannot load state file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(lines[0]).toMatch(reason);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  test('an unreadable state file (a directory) is an error too', async () => {
    const file = join(dir, 'state.json');
    mkdirSync(file);
    const run = await runEmulator(['--port', '0', '--state-file', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot load state file .*: unreadable \(EISDIR\)/);
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? test.skip : test)('an unreadable state file (mode 000) is an error too', async () => {
    const file = join(dir, 'state.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0);
    const run = await runEmulator(['--port', '0', '--state-file', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unreadable \(EACCES\)/);
  });
});

describe('command line', () => {
  test('prints one ready line with the URL, the default registry and its hostname; SIGTERM exits 0', async () => {
    const emu = await startEmulator();
    expect(emu.stdout).toBe(
      `ionos-registry-emulator listening on ${emu.url} (registry 5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a) (hostname registry-5b2a4e1c.cr.de-fra.ionos.com)\n`,
    );
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await emu.stop()).toBe(0);
  });

  test('the ready line gives the hostname of each registry, the one GET /registries/{id} answers, in the order of the ids', async () => {
    const extra = '11111111-2222-4333-8444-555555555555';
    const emu = await startEmulator(['--registry', extra, '--registry', '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a']);
    try {
      expect(emu.registryIds).toEqual([extra, '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a']); // the helper's parser still reads the ids
      const ready = /listening on (http:\/\/\S+) \(registry ([^)]*)\) \(hostname ([^)]*)\)/.exec(emu.stdout); // as docs/emulator.md says
      expect(ready?.[2].split(', ')).toEqual(emu.registryIds);
      const hostnames = ready?.[3].split(', ');
      expect(hostnames).toEqual(['registry-11111111.cr.de-fra.ionos.com', 'registry-5b2a4e1c.cr.de-fra.ionos.com']);
      for (const [i, id] of emu.registryIds.entries()) {
        expect((await call(emu, 'GET', `/registries/${id}`)).body.properties.hostname).toBe(hostnames?.[i]);
      }
    } finally {
      expect(await emu.stop()).toBe(0);
    }
  });

  test('--help prints the usage and the flags on stdout, exit 0, nothing served', async () => {
    for (const flag of ['--help', '-h']) {
      const run = await runEmulator([flag]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^usage: ionos-registry-emulator \[--host 127\.0\.0\.1\]/);
      for (const word of ['--users-file', '--bearer-file', 'IONOS_EMULATOR_USERS', 'IONOS_EMULATOR_BEARER', 'exit codes']) expect(run.stdout).toContain(word);
      expect(run.stdout).not.toMatch(/listening on http/); // no ready line: it did not start
    }
  });

  test('--version prints the package version, exit 0', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(await runEmulator(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  test('SIGINT exits 0 too', async () => {
    const emu = await startEmulator();
    emu.child.kill('SIGINT');
    expect(await emu.stop()).toBe(0);
  });

  test.each([
    ['an unknown flag', ['--verbose']],
    ['a bad port', ['--port', 'http']],
    ['a port too large', ['--port', '70000']],
    ['a bad registry id', ['--registry', 'my-registry']],
    ['an empty --users-file', ['--users-file', '']],
    ['a negative latency', ['--latency-ms', '-5']],
    ['a positional argument', ['serve']],
  ])('%s: exit 2 with a one-line error and the usage', async (_, args) => {
    const run = await runEmulator(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [error, usage, ...rest] = run.stderr.trim().split('\n');
    expect(error).toMatch(/^ionos-registry-emulator: /);
    expect(usage).toMatch(/^usage: ionos-registry-emulator/);
    expect(rest).toEqual([]);
  });

  test('a port in use: exit 1', async () => {
    const emu = await startEmulator();
    try {
      const port = new URL(emu.url).port;
      const run = await runEmulator(['--port', port]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('EADDRINUSE');
    } finally {
      await emu.stop();
    }
  });
});
