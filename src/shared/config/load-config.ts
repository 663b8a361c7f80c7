import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TEXT_LIMIT, type AppConfig, type TokenKeys } from './app-config';
import { ConfigError } from './config-error';

export type Env = Record<string, string | undefined>;

/** Values read from the environment before the database and secrets are resolved. */
export interface EnvSettings {
  nodeEnv: string;
  production: boolean;
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  tiktokSandbox: boolean;
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

function url(env: Env, name: string, def?: string): string | undefined {
  const raw = env[name]?.trim() || def;
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (!['http:', 'https:', 'postgres:', 'postgresql:'].includes(u.protocol)) throw new Error('protocol');
    return raw;
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
}

/** First pass: what is needed to decide about the database and sandbox mode. */
export function readEnvSettings(env: Env): EnvSettings {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  const production = nodeEnv === 'production';
  const databaseUrl = url(env, 'DATABASE_URL');
  const sandboxDefault = !env.TIKTOK_CLIENT_KEY && !production;
  const tiktokSandbox = bool(env, 'TIKTOK_SANDBOX', sandboxDefault);
  if (production && tiktokSandbox) throw new ConfigError('TIKTOK_SANDBOX', 'sandbox mode is not allowed in production');
  if (production && !databaseUrl) throw new ConfigError('DATABASE_URL', 'is required in production (the embedded database is for development)');
  return {
    nodeEnv,
    production,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR?.trim() || './.data'),
    databaseUrl,
    tiktokSandbox,
  };
}

function decodeKey(name: string, value: string): Buffer {
  const buf = Buffer.from(value.trim(), 'base64');
  if (buf.length !== 32) throw new ConfigError(name, 'must be base64 of exactly 32 bytes');
  return buf;
}

/** A key's id: stored beside each ciphertext so rotation knows which key to use. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function parseSigningKey(value: string): KeyObject {
  const v = value.trim();
  try {
    const key = v.includes('BEGIN')
      ? createPrivateKey(v.replace(/\\n/g, '\n'))
      : createPrivateKey({ key: Buffer.from(v, 'base64'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key;
  } catch {
    throw new ConfigError('AUDIT_SIGNING_KEY', 'must be an Ed25519 private key (PKCS#8 PEM, or base64 of its DER)');
  }
}

interface GeneratedSecrets {
  AUTH_JWT_SECRET: string;
  TOKEN_ENCRYPTION_KEY: string;
  AUDIT_SIGNING_KEY: string;
}

/**
 * Development secrets, generated once under DATA_DIR. Only with the embedded database and outside
 * production: anywhere else a missing secret is a start-up error.
 */
async function devSecrets(dataDir: string, warn: (msg: string) => void): Promise<GeneratedSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as GeneratedSecrets;
  } catch {
    const { privateKey } = generateKeyPairSync('ed25519');
    const secrets: GeneratedSecrets = {
      AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUDIT_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    };
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    warn(`generated development secrets in ${file}; set AUTH_JWT_SECRET, TOKEN_ENCRYPTION_KEY and AUDIT_SIGNING_KEY for anything real`);
    return secrets;
  }
}

export interface ResolveOptions {
  /** the app role's database URL, already resolved (embedded or DATABASE_URL) */
  databaseUrl: string;
  embeddedDatabase: boolean;
  /** filled in by sandbox mode: the simulator's URLs and app credentials */
  sandboxTikTok?: { apiBaseUrl: string; authUrl: string; clientKey: string; clientSecret: string; shortLinkBase?: string };
  warn?: (msg: string) => void;
}

/** Second pass: every value validated, secrets resolved. Throws ConfigError naming the variable. */
export async function resolveConfig(env: Env, opts: ResolveOptions): Promise<AppConfig> {
  const s = readEnvSettings(env);
  const warn = opts.warn ?? (() => undefined);
  const mayGenerate = opts.embeddedDatabase && !s.production;
  const needed = ['AUTH_JWT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY'] as const;
  const missing = needed.filter((n) => !env[n]?.trim());
  let generated: GeneratedSecrets | undefined;
  if (missing.length > 0) {
    if (!mayGenerate) throw new ConfigError(missing[0], 'is required (secrets are generated only with the embedded database outside production)');
    generated = await devSecrets(s.dataDir, warn);
  }
  const secret = (n: (typeof needed)[number]): string => env[n]?.trim() || generated![n];

  const jwtSecret = secret('AUTH_JWT_SECRET');
  if (jwtSecret.length < 32) throw new ConfigError('AUTH_JWT_SECRET', 'must be at least 32 characters');
  if (env.AUTH_JWKS_URL?.trim()) throw new ConfigError('AUTH_JWKS_URL', 'RS256 via JWKS is not supported by this version; use AUTH_JWT_SECRET (HS256)');

  const current = decodeKey('TOKEN_ENCRYPTION_KEY', secret('TOKEN_ENCRYPTION_KEY'));
  const old = (env.TOKEN_ENCRYPTION_OLD_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => decodeKey('TOKEN_ENCRYPTION_OLD_KEYS', k));
  const tokenKeys: TokenKeys = {
    current: { id: keyId(current), key: current },
    old: old.map((key) => ({ id: keyId(key), key })),
  };

  const signingKey = parseSigningKey(secret('AUDIT_SIGNING_KEY'));
  const publicKeySpkiBase64 = createPublicKey(signingKey).export({ format: 'der', type: 'spki' }).toString('base64');

  const sandbox = s.tiktokSandbox ? opts.sandboxTikTok : undefined;
  if (s.tiktokSandbox && !sandbox) throw new ConfigError('TIKTOK_SANDBOX', 'sandbox mode is on but the simulator did not start');
  const clientKey = sandbox?.clientKey ?? env.TIKTOK_CLIENT_KEY?.trim();
  const clientSecret = sandbox?.clientSecret ?? env.TIKTOK_CLIENT_SECRET?.trim();
  if (!clientKey) throw new ConfigError('TIKTOK_CLIENT_KEY', 'is required unless TIKTOK_SANDBOX is on');
  if (!clientSecret) throw new ConfigError('TIKTOK_CLIENT_SECRET', 'is required unless TIKTOK_SANDBOX is on');
  const publicBase = `http://localhost:${s.port}`;
  const redirectUri = url(env, 'TIKTOK_REDIRECT_URI', s.production ? undefined : `${publicBase}/api/v1/integrations/tiktok/callback`);
  if (!redirectUri) throw new ConfigError('TIKTOK_REDIRECT_URI', 'is required');
  const adminUiUrl = url(env, 'ADMIN_UI_URL', s.production ? undefined : publicBase);
  if (!adminUiUrl) throw new ConfigError('ADMIN_UI_URL', 'is required');
  const apiBaseUrl = sandbox?.apiBaseUrl ?? url(env, 'TIKTOK_API_BASE_URL', 'https://business-api.tiktok.com/open_api/v1.3/')!;
  if (!apiBaseUrl.endsWith('/')) throw new ConfigError('TIKTOK_API_BASE_URL', 'must end with "/"');
  const rateBudget = env.TIKTOK_RATE_BUDGET?.trim() || 'enforced';
  if (rateBudget !== 'enforced' && rateBudget !== 'off') throw new ConfigError('TIKTOK_RATE_BUDGET', 'must be "enforced" or "off"');
  if (rateBudget === 'off' && s.production) throw new ConfigError('TIKTOK_RATE_BUDGET', '"off" is not allowed in production');

  // Browsers send `Origin: https://host[:port]`, never a path or a trailing slash: keep only the
  // origin of each entry, or `https://ui.example.com/` would never match.
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      try {
        const u = new URL(o);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
        return u.origin;
      } catch {
        throw new ConfigError('CORS_ORIGINS', `"${o}" is not an origin URL`);
      }
    });
  const logLevel = env.LOG_LEVEL?.trim() || (s.nodeEnv === 'test' ? 'warn' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of fatal, error, warn, info, debug, trace, silent`);
  }

  return {
    nodeEnv: s.nodeEnv,
    production: s.production,
    port: s.port,
    host: s.host,
    dataDir: s.dataDir,
    databaseUrl: opts.databaseUrl,
    embeddedDatabase: opts.embeddedDatabase,
    auth: {
      jwtSecret,
      issuer: env.AUTH_JWT_ISSUER?.trim() || undefined,
      audience: env.AUTH_JWT_AUDIENCE?.trim() || undefined,
      generatedSecret: !env.AUTH_JWT_SECRET?.trim(),
    },
    tokenKeys,
    audit: {
      signingKey,
      publicKeySpkiBase64,
      checkpointIntervalMs: int(env, 'AUDIT_CHECKPOINT_INTERVAL_SECONDS', 30, 1, 60) * 1000,
      sealIntervalMs: int(env, 'EVENT_SEAL_INTERVAL_MS', 50, 5, 10_000),
    },
    tiktok: {
      clientKey,
      clientSecret,
      redirectUri,
      apiBaseUrl,
      authUrl: sandbox?.authUrl ?? url(env, 'TIKTOK_AUTH_URL', 'https://www.tiktok.com/v2/auth/authorize/')!,
      webhookUrl: url(env, 'TIKTOK_WEBHOOK_URL'),
      webhookToleranceSeconds: int(env, 'TIKTOK_WEBHOOK_TOLERANCE_SECONDS', 300, 1, 86_400),
      sandbox: s.tiktokSandbox,
      shortLinkBase: sandbox?.shortLinkBase,
      requestTimeoutMs: int(env, 'TIKTOK_REQUEST_TIMEOUT_MS', 10_000, 100, 120_000),
      textLimit: int(env, 'TIKTOK_TEXT_LIMIT', DEFAULT_TEXT_LIMIT, 1, 100_000),
      rateBudget,
    },
    syncIntervalSeconds: int(env, 'SYNC_INTERVAL_SECONDS', 30, 1, 86_400),
    adminUiUrl: adminUiUrl.replace(/\/$/, ''),
    corsOrigins,
    logLevel,
    http: {
      rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 10_000_000),
      bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    },
    workers: bool(env, 'WORKERS', true),
  };
}
