import type { KeyObject } from 'node:crypto';

/** Token encryption keys: the current one encrypts, old ones only decrypt. */
export interface TokenKeys {
  current: { id: string; key: Buffer };
  old: { id: string; key: Buffer }[];
}

/** The validated, resolved configuration every part of the service reads. */
export interface AppConfig {
  nodeEnv: string;
  production: boolean;
  port: number;
  host: string;
  dataDir: string;
  /** the app role's URL (never a superuser) */
  databaseUrl: string;
  embeddedDatabase: boolean;
  /** `generatedSecret`: the JWT secret is the development one generated under DATA_DIR (never in production). */
  auth: { jwtSecret: string; issuer?: string; audience?: string; generatedSecret: boolean };
  tokenKeys: TokenKeys;
  audit: { signingKey: KeyObject; publicKeySpkiBase64: string; checkpointIntervalMs: number; sealIntervalMs: number };
  tiktok: {
    clientKey: string;
    clientSecret: string;
    redirectUri: string;
    apiBaseUrl: string;
    authUrl: string;
    webhookUrl?: string;
    webhookToleranceSeconds: number;
    sandbox: boolean;
    /** tests only: where TikTok short-link hosts are fetched from instead of the real host */
    shortLinkBase?: string;
    requestTimeoutMs: number;
    /** `TIKTOK_TEXT_LIMIT` (default `DEFAULT_TEXT_LIMIT`): the most code points of a comment or reply (TikTok's 1,200 since 2026-08-07) */
    textLimit: number;
    /**
     * `enforced` (always in production): every call takes a slot of the PostgreSQL rate budget
     * and the sync plans its runs inside TikTok's limits. `off`: neither, for benchmarks and
     * simulators whose limits are off too (`TIKTOK_RATE_BUDGET=off`, refused in production).
     */
    rateBudget: 'enforced' | 'off';
  };
  syncIntervalSeconds: number;
  adminUiUrl: string;
  corsOrigins: string[];
  logLevel: string;
  http: { rateLimitPerMinute: number; bodyLimitBytes: number };
  /** background loops (sealer, checkpointer, consumers, schedulers); tests may turn them off */
  workers: boolean;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** TikTok's comment and reply text limit since 2026-08-07, in code points: `TIKTOK_TEXT_LIMIT`'s default, and what the OpenAPI document states. */
export const DEFAULT_TEXT_LIMIT = 1200;
