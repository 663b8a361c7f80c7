import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as Pino } from 'pino';

/** Where the console is served: the same origin as /api/v1 (the OAuth state cookie needs it). */
export const CONSOLE_PREFIX = '/admin';

/**
 * The console's security headers. Everything comes from this origin (scripts only from files, no
 * inline script or style); images may come from TikTok's CDN (avatars, thumbnails), which is the
 * one exception. The page cannot be framed.
 */
export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https: http:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The built console (`vite build` into dist/web, recognised by its manifest), found from this file
 * both when the service runs from src/ (tests, ts-register) and from dist/src/ (npm start).
 */
export function findConsoleDir(from = __dirname): string | null {
  const candidates = [path.resolve(from, '../../../dist/web'), path.resolve(from, '../../../web')];
  return (
    candidates.find(
      (dir) =>
        existsSync(path.join(dir, '.vite', 'manifest.json')) &&
        existsSync(path.join(dir, 'index.html')),
    ) ?? null
  );
}

/**
 * Serves the console under /admin (public: the files hold no data). Hashed files under
 * /admin/assets/ are cached for a year; every other path under /admin/ answers index.html, never
 * cached, so that deep links (the OAuth return to /admin/integrations/tiktok) load the current
 * console. Unknown assets and unknown paths elsewhere stay the API's JSON 404. Only the files
 * present at start are served (a rebuild needs a restart), which also rules out path tricks.
 */
export async function registerConsole(
  app: NestFastifyApplication,
  logger: Pino,
  dir = findConsoleDir(),
): Promise<void> {
  if (!dir) {
    logger.warn(
      { context: 'console' },
      'the console is not built (npm run build): /admin answers 404',
    );
    return;
  }
  await app.register(fastifyStatic, { root: dir, serve: false });
  const assets = new Set(
    existsSync(path.join(dir, 'assets')) ? readdirSync(path.join(dir, 'assets')) : [],
  );
  const topFiles = new Set(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name),
  );
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('onSend', async (req, reply, payload) => {
    if (
      req.url === CONSOLE_PREFIX ||
      req.url.startsWith(`${CONSOLE_PREFIX}/`) ||
      req.url.startsWith(`${CONSOLE_PREFIX}?`)
    ) {
      void reply.headers(CONSOLE_SECURITY_HEADERS);
    }
    return payload;
  });

  const index = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  fastify.get(
    `${CONSOLE_PREFIX}/assets/*`,
    (req: FastifyRequest<{ Params: { '*': string } }>, reply) => {
      const name = req.params['*'];
      if (!assets.has(name)) return reply.callNotFound();
      return reply
        .header('cache-control', IMMUTABLE)
        .sendFile(`assets/${name}`, { cacheControl: false });
    },
  );
  fastify.get(CONSOLE_PREFIX, (_req, reply) => index(reply));
  fastify.get(`${CONSOLE_PREFIX}/*`, (req: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const name = req.params['*'];
    // a file beside index.html (favicon): not hashed, so revalidated like the page
    if (name !== 'index.html' && topFiles.has(name))
      return reply.header('cache-control', 'no-cache').sendFile(name, { cacheControl: false });
    return index(reply);
  });
}
