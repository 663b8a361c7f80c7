import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ConfigError } from './config-error';
import { resolveConfig, type Env } from './load-config';

const signingKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

/** Everything a production start needs, so that each case changes one variable. */
const production: Env = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db/echo',
  AUTH_JWT_SECRET: 'x'.repeat(40),
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  AUDIT_SIGNING_KEY: signingKey,
  TIKTOK_CLIENT_KEY: 'key',
  TIKTOK_CLIENT_SECRET: 'secret',
  TIKTOK_REDIRECT_URI: 'https://echo.example/api/v1/integrations/tiktok/callback',
  ADMIN_UI_URL: 'https://echo.example',
};
const opts = { databaseUrl: 'postgres://app@db/echo', embeddedDatabase: false };

describe('resolveConfig: TIKTOK_RATE_BUDGET', () => {
  it('is enforced by default', async () => {
    expect((await resolveConfig(production, opts)).tiktok.rateBudget).toBe('enforced');
  });

  it('may be off outside production only', async () => {
    const dev = { ...production, NODE_ENV: 'development' };
    expect((await resolveConfig({ ...dev, TIKTOK_RATE_BUDGET: 'off' }, opts)).tiktok.rateBudget).toBe('off');
    await expect(resolveConfig({ ...production, TIKTOK_RATE_BUDGET: 'off' }, opts)).rejects.toThrow(ConfigError);
    await expect(resolveConfig({ ...production, TIKTOK_RATE_BUDGET: 'off' }, opts)).rejects.toThrow(/TIKTOK_RATE_BUDGET/);
  });

  it('refuses anything but enforced or off, naming the variable', async () => {
    await expect(resolveConfig({ ...production, TIKTOK_RATE_BUDGET: 'unlimited' }, opts)).rejects.toThrow(/TIKTOK_RATE_BUDGET/);
  });
});
