/**
 * Applies pending migrations as the app role and hands the audit tables to their own owner role,
 * so that the app role can append to the event log but never drop its guards (see
 * src/shared/database/audit-owner.ts). For an external database, after every deploy:
 *   DATABASE_URL=postgres://echo_app:…@host/echo SUPERUSER_URL=postgres://postgres:…@host/echo npm run db:secure-audit
 * The embedded database does this by itself at every start.
 */
import 'reflect-metadata';
import { migrateWithSecuredAudit } from '../src/shared/database/bootstrap-database';

async function main(): Promise<void> {
  const appUrl = process.env.DATABASE_URL?.trim();
  const superuserUrl = process.env.SUPERUSER_URL?.trim();
  if (!appUrl || !superuserUrl) throw new Error('set DATABASE_URL (the app role) and SUPERUSER_URL (a superuser of the same server)');
  const app = new URL(appUrl);
  const role = decodeURIComponent(app.username);
  const database = decodeURIComponent(app.pathname.replace(/^\//, ''));
  if (!role || !database) throw new Error('DATABASE_URL must name the role and the database');
  const applied = await migrateWithSecuredAudit(superuserUrl, appUrl, role, database);
  process.stdout.write(`migrations applied: ${applied.length ? applied.join(', ') : 'none'}; audit tables owned by echo_audit_owner, ${role} may append and seal only\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`db:secure-audit: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
