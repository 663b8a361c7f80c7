/* Starts one real PostgreSQL for the whole e2e run and prepares a migrated template database;
 * each test file clones it (test/support/database.ts). No aliases here: jest maps none for globalSetup. */
import { mkdtempSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/shared/database/embedded-postgres';
import { ensureAppRoleAndDatabase, migrateWithSecuredAudit } from '../../src/shared/database/bootstrap-database';

export const TEMPLATE_DB = 'echo_test_template';
export const TEST_ROLE = 'echo_test_app';

declare global {
   
  var __ECHO_TEST_PG__: EmbeddedPostgresHandle | undefined;
}

export default async function globalSetup(): Promise<void> {
  let superuserUrl = process.env.DATABASE_URL;
  if (!superuserUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echo-test-pg-'));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dataDir: dir });
    globalThis.__ECHO_TEST_PG__ = pg;
    superuserUrl = pg.superuserUrl;
  }
  const password = randomBytes(12).toString('hex');
  // Drop a template left by an earlier run against the same external server.
  const su = new Client({ connectionString: superuserUrl });
  await su.connect();
  await su.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await su.end();
  const appUrl = await ensureAppRoleAndDatabase(superuserUrl, { role: TEST_ROLE, password, database: TEMPLATE_DB });
  // the template's audit tables belong to echo_audit_owner, as in the embedded service; clones keep that
  await migrateWithSecuredAudit(superuserUrl, appUrl, TEST_ROLE, TEMPLATE_DB);
  process.env.ECHO_TEST_SUPERUSER_URL = superuserUrl;
  process.env.ECHO_TEST_APP_PASSWORD = password;
}
