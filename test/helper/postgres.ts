/**
 * A real PostgreSQL server for the integration tests (Terraform's `pg` backend), started from the
 * installed server binaries in a temp dir of its own and stopped (and removed) by `stop()`:
 *
 *     const pg = await startPostgres();
 *     await pg.createDatabase('state_a');
 *     new PgBackend(stack, { connStr: pg.connStr('state_a') });
 *     ...
 *     await pg.stop();
 *
 * It listens on a free loopback port only (listen_addresses=127.0.0.1), with its unix socket in the
 * temp dir, trust authentication (initdb -A trust) and durability off (fsync=off: a test server).
 * PostgreSQL refuses to run as root: as root it runs as the `postgres` system user (spawned with its
 * uid/gid; the temp dir is chowned to it); as anyone else it runs as that user.
 *
 * Binaries are looked up in $PG_BINDIR, /usr/lib/postgresql/<newest>/bin (Debian/Ubuntu),
 * `pg_config --bindir`, then PATH. When one is missing, {@link startPostgres} throws an Error that
 * names it and the install command (apt-get install -y postgresql); the tests that need it then fail.
 */
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunningPostgres {
  /** The loopback TCP port. */
  readonly port: number;
  /** The temp dir (data, socket, log); removed by stop(). */
  readonly dir: string;
  /** The server's bin directory. */
  readonly binDir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<db>?sslmode=disable` (the `pg` backend's connStr). @default db = "postgres" */
  connStr(db?: string): string;
  /** CREATE DATABASE (name: letters, digits and "_", starting with a letter or "_"). */
  createDatabase(name: string): Promise<void>;
  /** Runs SQL with psql (-At: unaligned, tuples only) in a database; resolves its stdout. @default db = "postgres" */
  sql(query: string, db?: string): Promise<string>;
  /** `pg_ctl stop -m immediate`, then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres'] as const;
const CLIENT_BINARIES = ['psql'] as const;
const INSTALL_HINT =
  'install PostgreSQL (server and client): apt-get install -y postgresql (Debian/Ubuntu; as root, or with sudo), ' +
  'or set PG_BINDIR to a directory holding initdb, pg_ctl, postgres and psql';

/** Where a binary lives: PG_BINDIR, the newest Debian server dir, pg_config --bindir, then PATH. */
function findBinaries(): { binDir: string; bin: Record<string, string> } {
  const dirs: string[] = [];
  if (process.env.PG_BINDIR) dirs.push(process.env.PG_BINDIR);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => fs.existsSync(path.join(debian, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  try {
    dirs.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no pg_config
  }
  dirs.push(...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean));
  const executable = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const bin: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of [...SERVER_BINARIES, ...CLIENT_BINARIES, 'pg_isready']) {
    const dir = dirs.find((d) => executable(path.join(d, name)));
    if (dir) bin[name] = path.join(dir, name);
    else if (name !== 'pg_isready') missing.push(name);
  }
  if (missing.length) {
    throw new Error(
      `PostgreSQL is not installed: ${missing.join(', ')} not found (looked in PG_BINDIR, /usr/lib/postgresql/*/bin, pg_config --bindir and PATH); ` +
        `the remote-state (pg backend) tests need a real PostgreSQL server: ${INSTALL_HINT}`,
    );
  }
  return { binDir: path.dirname(fs.realpathSync(bin.postgres)), bin };
}

/** The uid/gid to run the server as: ourselves, or the `postgres` system user when we are root. */
function serverUser(): { uid: number; gid: number; name: string } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8') : '';
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  let uid: number;
  let gid: number;
  if (line) {
    const f = line.split(':');
    uid = Number(f[2]);
    gid = Number(f[3]);
  } else {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
      throw new Error(
        'PostgreSQL refuses to run as root and there is no "postgres" system user to run it as: ' +
          `${INSTALL_HINT} (the package creates that user), or run the tests as a non-root user`,
      );
    }
  }
  if (!Number.isInteger(uid) || uid === 0) throw new Error(`the "postgres" user has uid ${uid}; PostgreSQL cannot run as root`);
  return { uid, gid, name: 'postgres' };
}

interface Ran {
  code: number;
  out: string;
}

function runBin(file: string, args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), out });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(false));
  });
}

/** os.tmpdir(), unless the postgres user cannot reach it (a TMPDIR below /root): then /tmp. */
function tempBaseFor(): string {
  const base = os.tmpdir();
  for (let d = path.resolve(base); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return fs.existsSync('/tmp') ? '/tmp' : base;
    if (d === path.dirname(d)) return base;
  }
}

const running = new Set<() => void>();
process.once('exit', () => running.forEach((stopNow) => stopNow()));

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** initdb + pg_ctl start in a fresh temp dir; resolves once the server answers queries on its TCP port. */
export async function startPostgres(options: { timeoutMs?: number } = {}): Promise<RunningPostgres> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const { binDir, bin } = findBinaries();
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(user ? tempBaseFor() : os.tmpdir(), 'rt-pg-'));
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  const log = path.join(dir, 'server.log');
  fs.mkdirSync(sock, { mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(sock, user.uid, user.gid);
  }
  // The server's own processes: as the postgres user when we are root, with a HOME it may use.
  const serverEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
  const asServer: SpawnOptions = { cwd: dir, env: serverEnv, ...(user ? { uid: user.uid, gid: user.gid } : {}) };
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  const fail = (what: string, ran: Ran): never => {
    const serverLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '';
    removeDir();
    throw new Error(`${what} failed (exit ${ran.code}): ${ran.out.trim().slice(-2000)}${serverLog ? `\nserver log:\n${serverLog}` : ''}`);
  };

  const init = await runBin(bin.initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], asServer);
  if (init.code !== 0) fail(`initdb${user ? ' (as the postgres user)' : ''}`, init);

  let port = 0;
  let stopped = false;
  const pgCtlStopSync = () => {
    if (stopped) return;
    try {
      execFileSync(bin.pg_ctl, ['-D', data, 'stop', '-m', 'immediate', '-w', '-t', '10'], { ...asServer, stdio: 'ignore', timeout: 15_000 } as any);
    } catch {
      // not running
    }
    try {
      removeDir();
    } catch {
      // best effort at exit
    }
  };
  // A free port can be taken between the probe and the server's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const opts = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-c unix_socket_directories='${sock}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=50',
      '-c shared_buffers=32MB',
    ].join(' ');
    const start = await runBin(bin.pg_ctl, ['-D', data, '-l', log, '-o', opts, '-w', '-t', String(Math.ceil(timeoutMs / 1000)), 'start'], {
      ...asServer,
      timeoutMs: timeoutMs + 5000,
    });
    if (start.code === 0) break;
    const serverLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    if (attempt < 3 && /could not bind|Address already in use/i.test(serverLog)) {
      await runBin(bin.pg_ctl, ['-D', data, 'stop', '-m', 'immediate', '-w'], asServer);
      fs.writeFileSync(log, '');
      continue;
    }
    const log2 = serverLog;
    await runBin(bin.pg_ctl, ['-D', data, 'stop', '-m', 'immediate', '-w'], asServer); // in case it came up late
    fs.writeFileSync(log, log2);
    fail('pg_ctl start', start);
  }
  running.add(pgCtlStopSync);

  const connStr = (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}?sslmode=disable`;
  const psqlEnv: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '5', PGSSLMODE: 'disable', PGUSER: 'postgres' };
  const sql = async (query: string, db = 'postgres'): Promise<string> => {
    const res = await runBin(bin.psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', query], {
      env: psqlEnv,
      timeoutMs: 30_000,
    });
    if (res.code !== 0) throw new Error(`psql ${JSON.stringify(query)} on ${db} failed (exit ${res.code}): ${res.out.trim()}`);
    return res.out;
  };

  // Ready: the port accepts connections (pg_isready when there is one) and a query answers.
  const until = Date.now() + timeoutMs;
  for (let lastError = '';;) {
    let ready = await tcpOpen(port);
    if (ready && bin.pg_isready) {
      const r = await runBin(bin.pg_isready, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-t', '2'], { env: psqlEnv, timeoutMs: 10_000 });
      ready = r.code === 0;
      lastError = r.out.trim();
    }
    if (ready) {
      try {
        if ((await sql('SELECT 1')).trim() === '1') break;
      } catch (e) {
        lastError = (e as Error).message;
      }
    }
    if (Date.now() > until) {
      pgCtlStopSync();
      running.delete(pgCtlStopSync);
      throw new Error(`PostgreSQL on 127.0.0.1:${port} was not ready within ${timeoutMs} ms: ${lastError}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    port,
    dir,
    binDir,
    connStr,
    sql,
    createDatabase: async (name: string) => {
      if (!IDENT.test(name)) throw new Error(`createDatabase: ${JSON.stringify(name)} is not a plain identifier (letters, digits, "_")`);
      await sql(`CREATE DATABASE "${name}"`);
    },
    stop: async () => {
      if (stopped) return;
      running.delete(pgCtlStopSync);
      const res = await runBin(bin.pg_ctl, ['-D', data, 'stop', '-m', 'immediate', '-w', '-t', '30'], { ...asServer, timeoutMs: 40_000 });
      if (res.code !== 0 && fs.existsSync(path.join(data, 'postmaster.pid'))) {
        // pg_ctl could not stop it: kill the postmaster itself (its children exit with it).
        const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      stopped = true;
      removeDir();
    },
  };
}
