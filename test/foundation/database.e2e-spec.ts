import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MikroORM } from '@mikro-orm/core';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { assertRoleHonoursRls, resolveDatabase } from '@shared/database/bootstrap-database';
import { migrate, ormOptions } from '@shared/database/database.module';
import { migrationsList } from '@migrations/index';
import { EventLog } from '@shared/event-log/event-log';
import { Sealer } from '@shared/event-log/sealer';
import { startTestApp, type TestApp } from '../support/app';
import { asSuperuser, createTestDatabase } from '../support/database';
import { appendEvents, testEvent } from '../support/events';

const ROOT = path.resolve(__dirname, '..', '..');

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

async function roleFlags(url: string): Promise<{ rolsuper: boolean; rolbypassrls: boolean }> {
  return withClient(url, async (c) => {
    const r = await c.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      'select rolsuper, rolbypassrls from pg_roles where rolname = current_user',
    );
    return r.rows[0]!;
  });
}

/** The embedded database in a child process (see fixtures/embedded-db-child.ts). */
class EmbeddedDbChild {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];
  constructor(dataDir: string) {
    this.proc = spawn(process.execPath, ['-r', path.join(ROOT, 'test/support/ts-register.js'), path.join(__dirname, 'fixtures/embedded-db-child.ts'), dataDir], {
      cwd: ROOT,
    });
    let buf = '';
    this.proc.stdout.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.proc.on('exit', () => this.waiters.splice(0).forEach((w) => w()));
  }
  async next(): Promise<Record<string, unknown>> {
    while (this.lines.length === 0) {
      if (this.proc.exitCode !== null) throw new Error('embedded database child exited');
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const msg = JSON.parse(this.lines.shift()!) as Record<string, unknown>;
    if (msg.error) throw new Error(JSON.stringify(msg.error));
    return msg;
  }
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.stdin.write('stop\n');
    expect(await this.next()).toEqual({ stopped: true });
    await exited;
  }
  kill(): void {
    if (this.proc.exitCode === null) this.proc.stdin.write('stop\n');
  }
}

describe('embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'echo-db-spec-'));
  // reachable by the postgres user, so the cluster stays inside it and goes with the rmSync below
  // (a mode-700 folder moves it under the temp dir: any-folder.e2e-spec.ts)
  chmodSync(dataDir, 0o755);
  const children: EmbeddedDbChild[] = [];
  const start = async (): Promise<string> => {
    const child = new EmbeddedDbChild(dataDir);
    children.push(child);
    const msg = await child.next();
    expect(msg.embedded).toBe(true);
    return String(msg.url);
  };

  afterAll(async () => {
    for (const c of children) await c.stop().catch(() => c.kill());
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts a fresh cluster, migrates it from zero, keeps its data across a restart, and stops', async () => {
    const firstUrl = await start();
    expect(new URL(firstUrl).username).toBe('echo_app');
    expect(await roleFlags(firstUrl)).toEqual({ rolsuper: false, rolbypassrls: false });
    await assertRoleHonoursRls(firstUrl);

    // the start migrated the brand-new database from zero, as the app role
    const orm = await MikroORM.init(ormOptions(firstUrl));
    try {
      const done = await withClient(firstUrl, (c) => c.query<{ name: string }>('select name from schema_migrations order by id'));
      expect(done.rows.map((r) => r.name)).toEqual(migrationsList.map((m) => m.name));
      expect(await migrate(orm, firstUrl)).toEqual([]); // idempotent
    } finally {
      await orm.close(true);
    }
    const tables = await withClient(firstUrl, async (c) => {
      const r = await c.query<{ table_name: string; owner: string }>(
        `select c.relname as table_name, pg_get_userbyid(c.relowner) as owner from pg_class c
           join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by 1`,
      );
      await c.query(`create table spec_marker (v text)`);
      await c.query(`insert into spec_marker values ('kept')`);
      return r.rows;
    });
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['event_log', 'event_seal', 'event_checkpoint', 'event_pending', 'handled_event', 'consumer_checkpoint']),
    );
    // the append-only audit tables belong to their own role (audit-owner.ts), everything else to the app role
    const audit = ['event_log', 'event_pending', 'event_seal', 'event_chain_head', 'event_sealer_state', 'event_checkpoint'];
    for (const t of tables) expect([t.table_name, t.owner]).toEqual([t.table_name, audit.includes(t.table_name) ? 'echo_audit_owner' : 'echo_app']);

    await children[0]!.stop();
    await expect(withClient(firstUrl, (c) => c.query('select 1'))).rejects.toThrow();

    const secondUrl = await start();
    const kept = await withClient(secondUrl, (c) => c.query<{ v: string }>('select v from spec_marker'));
    expect(kept.rows).toEqual([{ v: 'kept' }]);
    const migrated = await withClient(secondUrl, (c) => c.query<{ name: string }>('select name from schema_migrations order by id'));
    expect(migrated.rows.map((r) => r.name)).toEqual(migrationsList.map((m) => m.name));
    await children[1]!.stop();
    await expect(withClient(secondUrl, (c) => c.query('select 1'))).rejects.toThrow();
  });
});

describe('database roles', () => {
  it('the app role of the test database is neither superuser nor BYPASSRLS, and passes the start-up check', async () => {
    const db = await createTestDatabase();
    try {
      expect(await roleFlags(db.url)).toEqual({ rolsuper: false, rolbypassrls: false });
      await expect(assertRoleHonoursRls(db.url)).resolves.toBeUndefined();
    } finally {
      await db.drop();
    }
  });

  it('assertRoleHonoursRls refuses a superuser and a BYPASSRLS role, and resolveDatabase refuses them as DATABASE_URL', async () => {
    const db = await createTestDatabase();
    const role = `bypass_${Date.now().toString(36)}`;
    try {
      expect((await roleFlags(db.superuserUrl)).rolsuper).toBe(true);
      await expect(assertRoleHonoursRls(db.superuserUrl)).rejects.toThrow(/superuser or has BYPASSRLS/);
      await expect(resolveDatabase({ databaseUrl: db.superuserUrl, dataDir: '/nonexistent' })).rejects.toThrow(/superuser or has BYPASSRLS/);
      await asSuperuser(db, (c) => c.query(`create role ${role} login password 'pw' nosuperuser bypassrls`));
      const u = new URL(db.superuserUrl);
      u.username = role;
      u.password = 'pw';
      await expect(assertRoleHonoursRls(u.toString())).rejects.toThrow(/BYPASSRLS/);
    } finally {
      await db.drop();
      await asSuperuser(db, (c) => c.query(`drop role if exists ${role}`)).catch(() => undefined);
    }
  });
});

describe('row-level security', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false' } });
    const log = t.app.get(EventLog);
    await appendEvents(t.db, log, 't1', [testEvent(1), testEvent(2)]);
    await appendEvents(t.db, log, 't2', [testEvent(3), testEvent(4), testEvent(5)]);
    await t.app.get(Sealer).drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('hides another tenant’s rows even from a query without any tenant filter', async () => {
    for (const table of ['event_log', 'event_seal', 'event_chain_head']) {
      const t1 = await t.db.inTenant('t1', (tx) => tx.query<{ tenant_id: string }>(`select * from ${table}`));
      const t2 = await t.db.inTenant('t2', (tx) => tx.query<{ tenant_id: string }>(`select * from ${table}`));
      expect(t1.length).toBeGreaterThan(0);
      expect(t1.every((r) => r.tenant_id === 't1')).toBe(true);
      expect(t2.every((r) => r.tenant_id === 't2')).toBe(true);
    }
    const rows = await t.db.inTenant('t1', (tx) => tx.query<{ tenant_id: string; data: { n: number } }>('select * from event_log'));
    expect(rows.map((r) => r.data.n).sort()).toEqual([1, 2]);
    const none = await t.db.inTenant('t3', (tx) => tx.query('select * from event_log'));
    expect(none).toEqual([]);
    // the superuser sees both tenants: the rows are there, RLS hid them
    const all = await asSuperuser(t.testDb, (c) => c.query('select tenant_id from event_log'));
    expect(all.rowCount).toBe(5);
  });

  it('readInTenant (one round trip): the tenant’s rows only, UUID values only, and the connection goes back clean', async () => {
    const [one] = await t.db.inTenant('t1', (tx) => tx.query<{ id: string }>('select id from event_log limit 1'));
    const sql = 'select id, tenant_id, recorded_at from event_log where id = $1 or true';
    const t1 = await t.db.readInTenant<{ id: string; tenant_id: string; recorded_at: Date }>('t1', sql, [one.id]);
    expect(t1.map((r) => r.tenant_id)).toEqual(['t1', 't1']);
    expect(t1[0].recorded_at).toBeInstanceOf(Date);
    expect(await t.db.readInTenant('t3', sql, [one.id])).toEqual([]);
    await expect(t.db.readInTenant('t1', sql, ["x' or '1'='1"])).rejects.toThrow(/UUIDs only/);
    await expect(t.db.readInTenant('T1; drop', sql, [one.id])).rejects.toThrow(/invalid tenant/);
    // a failing statement rolls back; the pooled connections keep working in their own scope
    await expect(t.db.readInTenant('t1', 'select 1/0 where $1::uuid is not null', [one.id])).rejects.toThrow(/division by zero/);
    for (let i = 0; i < 25; i++) {
      const rows = await t.db.inTenant('t2', (tx) => tx.query<{ tenant_id: string }>('select tenant_id from event_log'));
      expect(rows.every((r) => r.tenant_id === 't2')).toBe(true);
    }
  });

  it('a connection of the app role that sets no tenant sees nothing (FORCE RLS applies to the owner)', async () => {
    const r = await withClient(t.testDb.url, (c) => c.query('select * from event_log'));
    expect(r.rowCount).toBe(0);
    // a tenant set for one transaction does not leak into the next one on the same connection
    const leaked = await withClient(t.testDb.url, async (c) => {
      await c.query('begin');
      await c.query(`select set_config('app.tenant_id', 't1', true)`);
      const inside = await c.query('select * from event_log');
      await c.query('commit');
      const after = await c.query('select * from event_log');
      return { inside: inside.rowCount, after: after.rowCount };
    });
    expect(leaked).toEqual({ inside: 2, after: 0 });
  });

  it('refuses to write a row for another tenant', async () => {
    await expect(
      t.db.inTenant('t1', (tx) =>
        tx.run(
          `insert into event_log (id, tenant_id, type, occurred_at, actor, subject, data, data_digest)
           values (gen_random_uuid(), 't2', 'x', now(), '{}', '{}', '{}', 'd')`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});
