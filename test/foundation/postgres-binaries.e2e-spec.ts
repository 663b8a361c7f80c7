import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresBinaries } from '@shared/database/postgres-binaries';

const asRoot = process.getuid?.() === 0;

/** The version line of `postgres --version`, run as the postgres user when we are root (as the server runs). */
function versionAsServerUser(postgres: string): string {
  return asRoot
    ? execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', '"$0" --version', postgres]).toString()
    : execFileSync(postgres, ['--version']).toString();
}

describe('the PostgreSQL binaries run from a copy under the temp dir', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'echo-pg-bin-spec-'));
  chmodSync(tmp, 0o755); // stands for the temp dir, which every user can enter
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('two processes starting at once get one complete copy that the postgres user can run; later starts reuse it', async () => {
    const [a, b] = await Promise.all([postgresBinaries(tmp), postgresBinaries(tmp)]);
    expect(b.dir).toBe(a.dir);
    expect(path.dirname(a.dir)).toBe(tmp);
    expect(path.basename(a.dir)).toMatch(
      new RegExp(
        `^echo-postgres-${a.version.replace(/\./g, '\\.')}-[0-9a-f]{12}-${process.getuid?.() ?? 0}$`,
      ),
    );
    expect(readdirSync(tmp)).toEqual([path.basename(a.dir)]); // the loser's staging copy is gone
    expect(statSync(a.dir).mode & 0o777).toBe(0o755);
    expect(versionAsServerUser(a.postgres)).toMatch(/^postgres \(PostgreSQL\) 17\./);
    const inode = statSync(a.postgres).ino;
    const again = await postgresBinaries(tmp);
    expect(again.dir).toBe(a.dir);
    expect(statSync(again.postgres).ino).toBe(inode); // not copied again
  });

  it('a damaged copy (a file cut short, as a temp cleaner or a crash leaves it) is replaced', async () => {
    const first = await postgresBinaries(tmp);
    truncateSync(first.postgres, 10);
    const next = await postgresBinaries(tmp);
    expect(next.dir).toBe(first.dir);
    expect(versionAsServerUser(next.postgres)).toMatch(/^postgres \(PostgreSQL\) 17\./);
    expect(readdirSync(tmp)).toEqual([path.basename(first.dir)]);
  });

  (asRoot ? it : it.skip)(
    'a copy someone else owns at that name is never run: this process runs its own',
    async () => {
      const shared = await postgresBinaries(tmp);
      const pgUid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      chownSync(shared.dir, pgUid, pgUid);
      const own = await postgresBinaries(tmp);
      expect(own.dir).not.toBe(shared.dir);
      expect(statSync(own.dir).uid).toBe(0);
      expect(statSync(shared.dir).uid).toBe(pgUid); // left alone
      expect(versionAsServerUser(own.postgres)).toMatch(/^postgres \(PostgreSQL\) 17\./);
    },
  );
});
