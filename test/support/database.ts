import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const TEMPLATE_DB = 'echo_test_template';
const TEST_ROLE = 'echo_test_app';

export interface TestDatabase {
  /** the app role (no superuser, no BYPASSRLS): what the service uses */
  url: string;
  /** superuser on the same database: for tests that tamper behind the service's back */
  superuserUrl: string;
  name: string;
  drop(): Promise<void>;
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} unset: run the e2e tests through jest (global setup starts PostgreSQL)`);
  return v;
}

/** A fresh, migrated database for one test file, cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const su = env('ECHO_TEST_SUPERUSER_URL');
  const name = `echo_t_${randomBytes(5).toString('hex')}`;
  const c = new Client({ connectionString: su });
  await c.connect();
  try {
    await c.query(`create database ${name} template ${TEMPLATE_DB} owner ${TEST_ROLE}`);
  } finally {
    await c.end();
  }
  const url = new URL(su);
  url.username = TEST_ROLE;
  url.password = env('ECHO_TEST_APP_PASSWORD');
  url.pathname = `/${name}`;
  const suUrl = new URL(su);
  suUrl.pathname = `/${name}`;
  return {
    url: url.toString(),
    superuserUrl: suUrl.toString(),
    name,
    drop: async () => {
      const d = new Client({ connectionString: su });
      await d.connect();
      try {
        await d.query(`drop database if exists ${name} with (force)`);
      } finally {
        await d.end();
      }
    },
  };
}

/** Runs SQL as superuser on a test database (tampering tests, assertions that must see every tenant). */
export async function asSuperuser<T>(db: TestDatabase, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: db.superuserUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}
