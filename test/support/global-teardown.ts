import { rmSync } from 'node:fs';
import path from 'node:path';

export default async function globalTeardown(): Promise<void> {
  const pg = globalThis.__ECHO_TEST_PG__;
  if (!pg) return;
  await pg.stop();
  // the run's cluster lives in its own temp folder (global-setup.ts): not left behind in /tmp
  rmSync(path.dirname(pg.dataDir), { recursive: true, force: true });
}
