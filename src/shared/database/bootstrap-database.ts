import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MikroORM } from '@mikro-orm/core';
import { releaseAuditSql, runAsSuperuser, secureAuditSql } from './audit-owner';
import { migrate, ormOptions } from './database.module';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';

export const APP_ROLE = 'echo_app';
export const APP_DATABASE = 'echo';

/**
 * Makes sure a plain role (no SUPERUSER, no BYPASSRLS: both ignore row-level security) owns the
 * app's database, and returns its connection URL. Run with the embedded cluster's superuser.
 */
export async function ensureAppRoleAndDatabase(
  superuserUrl: string,
  opts: { role: string; password: string; database: string },
): Promise<string> {
  const su = new Client({ connectionString: superuserUrl });
  await su.connect();
  try {
    const role = su.escapeIdentifier(opts.role);
    const pw = su.escapeLiteral(opts.password);
    const found = await su.query('select 1 from pg_roles where rolname = $1', [opts.role]);
    if (found.rowCount === 0) {
      await su.query(`create role ${role} login password ${pw} nosuperuser nobypassrls nocreaterole nocreatedb`);
    } else {
      await su.query(`alter role ${role} login password ${pw} nosuperuser nobypassrls`);
    }
    const db = await su.query('select 1 from pg_database where datname = $1', [opts.database]);
    if (db.rowCount === 0) {
      await su.query(`create database ${su.escapeIdentifier(opts.database)} owner ${role} encoding 'UTF8' template template0`);
    }
  } finally {
    await su.end();
  }
  await markIlikeLeakproof(superuserUrl, opts.database);
  const u = new URL(superuserUrl);
  u.username = opts.role;
  u.password = opts.password;
  u.pathname = `/${opts.database}`;
  return u.toString();
}

/**
 * Under row-level security PostgreSQL uses an index for a condition only when its function is
 * LEAKPROOF; `ilike` (texticlike) is not marked so, which keeps the inbox's `q` search off its
 * trigram index and scanning every row of the tenant. It leaks nothing about rows (its only
 * error is about the pattern, which is ours), so the superuser marks it, in the app's database
 * only. With an external DATABASE_URL an operator runs the same statement (README, docker initdb).
 */
export const LEAKPROOF_ILIKE_SQL = 'alter function pg_catalog.texticlike(text, text) leakproof';

async function markIlikeLeakproof(superuserUrl: string, database: string): Promise<void> {
  const u = new URL(superuserUrl);
  u.pathname = `/${database}`;
  const c = new Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(LEAKPROOF_ILIKE_SQL);
  } finally {
    await c.end();
  }
}

/** Refuses a role that would silently ignore row-level security. */
export async function assertRoleHonoursRls(databaseUrl: string): Promise<void> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ rolsuper: boolean; rolbypassrls: boolean; rolname: string }>(
      'select rolname, rolsuper, rolbypassrls from pg_roles where rolname = current_user',
    );
    const row = r.rows[0];
    if (!row) throw new Error('DATABASE_URL: cannot read the current role');
    if (row.rolsuper || row.rolbypassrls) {
      throw new Error(
        `DATABASE_URL: role "${row.rolname}" is a superuser or has BYPASSRLS; row-level security would not apply. Use a plain role that owns the database.`,
      );
    }
  } finally {
    await c.end();
  }
}

export interface ResolvedDatabase {
  url: string;
  embedded: EmbeddedPostgresHandle | null;
}

/**
 * With `DATABASE_URL` unset: starts the embedded cluster under `dataDir/postgres`, creates the app
 * role and database on first start, and returns the app role's URL. With it set: checks the role.
 */
export async function resolveDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  onLog?: (line: string) => void;
}): Promise<ResolvedDatabase> {
  if (opts.databaseUrl) {
    await assertRoleHonoursRls(opts.databaseUrl);
    return { url: opts.databaseUrl, embedded: null };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(opts.dataDir, 'postgres'), onLog: opts.onLog });
  try {
    const pwFile = path.join(opts.dataDir, 'app-db-password');
    let password: string;
    try {
      password = (await fs.readFile(pwFile, 'utf8')).trim();
    } catch {
      password = randomBytes(18).toString('base64url');
      await fs.mkdir(opts.dataDir, { recursive: true });
      await fs.writeFile(pwFile, password, { mode: 0o600 });
    }
    const url = await ensureAppRoleAndDatabase(embedded.superuserUrl, {
      role: APP_ROLE,
      password,
      database: APP_DATABASE,
    });
    await migrateWithSecuredAudit(embedded.superuserUrl, url, APP_ROLE, APP_DATABASE);
    return { url, embedded };
  } catch (err) {
    await embedded.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Migrates as the app role, then hands the audit tables to their own owner (audit-owner.ts).
 * While a migration is pending they are first given back to the app role, which runs the
 * migrations and so must own what they alter. Needs the server's superuser: the embedded
 * database, the e2e template, or an operator's `npm run db:secure-audit`.
 */
export async function migrateWithSecuredAudit(superuserUrl: string, appUrl: string, appRole: string, database: string): Promise<string[]> {
  const orm = await MikroORM.init(ormOptions(appUrl));
  let applied: string[];
  try {
    const pending = await orm.getMigrator().getPendingMigrations();
    const [log] = await orm.em.getConnection().execute<{ exists: boolean }[]>(`select to_regclass('event_log') is not null as exists`);
    if (pending.length > 0 && log?.exists) await runAsSuperuser(superuserUrl, database, releaseAuditSql(appRole));
    applied = await migrate(orm, appUrl);
  } finally {
    await orm.close(true);
  }
  await runAsSuperuser(superuserUrl, database, secureAuditSql(appRole));
  return applied;
}
