/**
 * One instance of the real app (createApp, as main.ts builds it) in this process, listening on a
 * loopback port, against the bench's database and the TikTok simulator. Logs go to a file per
 * instance (kept after the run) so that warnings can be counted.
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import jwt from 'jsonwebtoken';
import { createApp } from '../../src/bootstrap';
import { appEnvFor, type RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { resolveConfig } from '@shared/config/load-config';
import { freePort } from '@shared/database/embedded-postgres';
import { createRootLogger } from '@shared/operations/logger';

export interface Secrets {
  jwtSecret: string;
  tokenKey: string;
  signingKey: string;
}

export interface InstanceOptions {
  name: string;
  databaseUrl: string;
  sim: RunningSimulator;
  secrets: Secrets;
  logFile: string;
  workers: boolean;
  rateBudget: 'enforced' | 'off';
  /** set: TIKTOK_WEBHOOK_URL is this instance's own `POST /api/v1/webhooks/tiktok` */
  webhooks: boolean;
}

export interface Instance {
  name: string;
  app: NestFastifyApplication;
  url: string;
  logFile: string;
  token(tenant: string): string;
  close(): Promise<void>;
}

/** Starts an instance on a free port chosen first, so that its webhook URL is known before start-up. */
export async function startInstance(o: InstanceOptions): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    WORKERS: o.workers ? 'true' : 'false',
    AUTH_JWT_SECRET: o.secrets.jwtSecret,
    TOKEN_ENCRYPTION_KEY: o.secrets.tokenKey,
    AUDIT_SIGNING_KEY: o.secrets.signingKey,
    ...appEnvFor(o.sim, `${url}/api/v1/integrations/tiktok/callback`),
    TIKTOK_RATE_BUDGET: o.rateBudget,
    ADMIN_UI_URL: 'http://admin.bench',
    LOG_LEVEL: 'info',
  };
  if (o.webhooks) env.TIKTOK_WEBHOOK_URL = `${url}/api/v1/webhooks/tiktok`;
  const config = await resolveConfig(env, { databaseUrl: o.databaseUrl, embeddedDatabase: false });
  const stream: WriteStream = createWriteStream(o.logFile, { flags: 'a' });
  const app = await createApp(config, createRootLogger('info', stream));
  await app.listen({ port, host: '127.0.0.1' });
  return {
    name: o.name,
    app,
    url,
    logFile: o.logFile,
    token: (tenant) => jwt.sign({ sub: 'bench-admin', tenant, roles: ['admin'] }, o.secrets.jwtSecret, { algorithm: 'HS256', expiresIn: 3600 }),
    close: async () => {
      await app.close();
      await new Promise<void>((resolve) => stream.end(() => resolve()));
    },
  };
}

/**
 * Connects `openId` for `tenant` through the real OAuth flow (as test/factories/connect.ts does):
 * policies, connect (accepting them), the simulator's authorize page (preset to approve), our
 * callback with the nonce cookie. Returns the integration id.
 */
export async function connectAccount(i: Instance, sim: RunningSimulator, openId: string, tenant: string): Promise<string> {
  const auth = { authorization: `Bearer ${i.token(tenant)}` };
  const pol = await fetch(`${i.url}/api/v1/integrations/tiktok/policies`, { headers: auth });
  if (!pol.ok) throw new Error(`policies: ${pol.status} ${await pol.text()}`);
  const { policyVersion } = (await pol.json()) as { policyVersion: string };
  const res = await fetch(`${i.url}/api/v1/integrations/tiktok/connect`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'user-agent': 'freshness-bench/1.0' },
    body: JSON.stringify({ acceptPolicies: true, policyVersion }),
  });
  if (res.status !== 201) throw new Error(`connect: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { authorizeUrl } = (await res.json()) as { authorizeUrl: string };
  sim.control.setAuthorizeDecision({ mode: 'approve', openId });
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const back = page.headers.get('location');
  if (!back) throw new Error(`authorize page answered ${page.status} without a redirect`);
  const cb = await fetch(`${i.url}/api/v1/integrations/tiktok/callback?${new URL(back).searchParams.toString()}`, { headers: { cookie }, redirect: 'manual' });
  const location = cb.headers.get('location');
  if (cb.status !== 302 || !location) throw new Error(`callback answered ${cb.status}`);
  const id = new URL(location).searchParams.get('connected');
  if (!id) throw new Error(`not connected: ${location}`);
  return id;
}

/** The lines of an instance's log (none when it has not written one). */
function logLines(logFile: string): string[] {
  try {
    return readFileSync(logFile, 'utf8').split('\n');
  } catch {
    return [];
  }
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** Warnings and errors an instance logged (pino level ≥ 40, written as a number or a label), counted by message. */
export function warningsIn(logFile: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of logLines(logFile)) {
    if (!line.startsWith('{')) continue;
    try {
      const j = JSON.parse(line) as { level?: number | string; msg?: string };
      const level = typeof j.level === 'string' ? (LEVELS[j.level] ?? 0) : (j.level ?? 0);
      if (level >= 40) out[j.msg ?? '?'] = (out[j.msg ?? '?'] ?? 0) + 1;
    } catch {
      /* a partial line */
    }
  }
  return out;
}

/** Lines of the log whose `msg` is one of `msgs`, counted by message (info level too). */
export function messagesIn(logFile: string, msgs: string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(msgs.map((m) => [m, 0]));
  for (const line of logLines(logFile)) {
    for (const m of msgs) if (line.includes(`"msg":"${m}"`)) out[m] = (out[m] ?? 0) + 1;
  }
  return out;
}
