/**
 * Moves every stored TikTok token to the current TOKEN_ENCRYPTION_KEY:
 *   TOKEN_ENCRYPTION_KEY=<new> TOKEN_ENCRYPTION_OLD_KEYS=<old> npm run reencrypt-tokens
 * Uses the same database resolution as the service (embedded under DATA_DIR unless DATABASE_URL).
 * Safe to run while the service runs: each row is re-encrypted under its row lock.
 */
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { readEnvSettings, resolveConfig } from '../src/shared/config/load-config';
import { resolveDatabase } from '../src/shared/database/bootstrap-database';
import { ormOptions, migrate } from '../src/shared/database/database.module';
import { Database } from '../src/shared/database/database';
import { TokenCipher } from '../src/shared/crypto/token-cipher';
import { reencryptTokens } from '../src/modules/integrations/application/reencrypt-tokens';

async function main(): Promise<void> {
  const settings = readEnvSettings(process.env);
  const db = await resolveDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  try {
    const config = await resolveConfig(
      { ...process.env, TIKTOK_SANDBOX: 'false', TIKTOK_CLIENT_KEY: process.env.TIKTOK_CLIENT_KEY ?? 'unused', TIKTOK_CLIENT_SECRET: process.env.TIKTOK_CLIENT_SECRET ?? 'unused' },
      { databaseUrl: db.url, embeddedDatabase: db.embedded !== null },
    );
    const orm = await MikroORM.init(ormOptions(db.url));
    try {
      await migrate(orm, db.url);
      const moved = await reencryptTokens(new Database(orm), new TokenCipher(config));
      process.stdout.write(`re-encrypted ${moved} token row(s) to key ${config.tokenKeys.current.id}\n`);
    } finally {
      await orm.close(true);
    }
  } finally {
    await db.embedded?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`reencrypt-tokens: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
