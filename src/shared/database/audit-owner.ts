import { Client } from 'pg';

/**
 * Who owns the audit tables. The guard triggers that make the event log append-only bind every
 * role except a table's owner (and its schema's owner), which may drop or disable them, replace their functions, or
 * TRUNCATE. So the log's tables and guard functions belong to a role nobody logs in as, and the
 * app role holds only the privileges it uses: it can add to the log and seal it, never rewrite it.
 *
 * Changing an owner needs a superuser (or a member of both roles). The embedded database does it
 * at every start (`MigrationRunner`: ownership back to the app role only while a migration runs,
 * then secured again); the e2e template database is secured once; with an external
 * `DATABASE_URL` an operator runs `npm run db:secure-audit` (with `SUPERUSER_URL`) after migrations,
 * and the service warns at start-up while the app role still owns them.
 */
export const AUDIT_OWNER_ROLE = 'echo_audit_owner';

/** Append-only tables, and what the app role may do with each. */
export const AUDIT_TABLE_GRANTS: Record<string, string> = {
  event_log: 'select, insert, update (data)', // update: a redaction only, which the guard checks
  event_pending: 'select, insert, delete',
  event_seal: 'select, insert',
  event_chain_head: 'select, insert, update',
  event_sealer_state: 'select, insert, update',
  event_checkpoint: 'select, insert',
};

/** The trigger functions of those tables (owners could replace them). */
export const AUDIT_FUNCTIONS = ['event_log_enqueue()', 'event_log_guard()', 'append_only_guard()'];

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Statements that hand the audit tables to `AUDIT_OWNER_ROLE` and grant `appRole` its share. Idempotent. */
export function secureAuditSql(appRole: string): string[] {
  const app = ident(appRole);
  const owner = ident(AUDIT_OWNER_ROLE);
  const sql = [
    `do $$ begin
       if not exists (select 1 from pg_roles where rolname = '${AUDIT_OWNER_ROLE}') then
         create role ${owner} nologin nosuperuser nobypassrls nocreaterole nocreatedb;
       end if;
     end $$`,
  ];
  for (const [table, privileges] of Object.entries(AUDIT_TABLE_GRANTS)) {
    sql.push(`alter table ${table} owner to ${owner}`);
    sql.push(`revoke all on ${table} from ${app}`);
    sql.push(`grant ${privileges} on ${table} to ${app}`);
  }
  for (const fn of AUDIT_FUNCTIONS) sql.push(`alter function ${fn} owner to ${owner}`);
  // A schema's owner may drop anything in it, and `public` belongs to the database owner (the app
  // role): it goes to the audit owner too, the app role keeping the right to create in it.
  sql.push(`alter schema public owner to ${owner}`, `grant usage, create on schema public to ${app}`);
  // serial columns' sequences moved with their tables
  sql.push(`grant usage, select on sequence event_pending_n_seq, event_checkpoint_id_seq to ${app}`);
  return sql;
}

/** Gives the audit tables back to `appRole` so that a migration may alter them. Idempotent. */
export function releaseAuditSql(appRole: string): string[] {
  const app = ident(appRole);
  return [
    ...Object.keys(AUDIT_TABLE_GRANTS).map((t) => `alter table ${t} owner to ${app}`),
    ...AUDIT_FUNCTIONS.map((fn) => `alter function ${fn} owner to ${app}`),
  ];
}

/** Runs `statements` in one transaction as the superuser of `databaseUrl`'s server, in that database. */
export async function runAsSuperuser(superuserUrl: string, database: string, statements: string[]): Promise<void> {
  const u = new URL(superuserUrl);
  u.pathname = `/${database}`;
  const c = new Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query('begin');
    for (const s of statements) await c.query(s);
    await c.query('commit');
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await c.end();
  }
}

/** One row, `owns`: whether the connected role owns `event_log` (the audit tables are not secured). */
export const OWNS_AUDIT_TABLES_SQL = `select pg_get_userbyid(relowner) = current_user as owns from pg_class where oid = 'event_log'::regclass`;
