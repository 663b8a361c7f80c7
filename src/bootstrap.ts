import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import fastifyCookie from '@fastify/cookie';
import { randomUUID } from 'node:crypto';
import type { Logger as Pino } from 'pino';
import type { FastifyRequest } from 'fastify';
import { AppModule } from './app.module';
import type { AppConfig } from '@shared/config/app-config';
import { createValidationPipe } from '@shared/http/validation';
import { buildOpenApiDocument } from '@shared/http/openapi';
import { answerClientError, answerFrameworkError } from '@shared/http/error-filter';
import { parseJsonBody } from '@shared/http/json-body';
import { StorableInputPipe } from '@shared/http/storable-input.pipe';
import { UnknownQueryInterceptor } from '@shared/http/unknown-query.interceptor';
import { registerConsole } from '@shared/http/console-static';
import { Metrics } from '@shared/operations/metrics';
import { PinoNestLogger } from '@shared/operations/logger';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Routes served at the root; everything else is under /api/v1. */
export const ROOT_ROUTES = ['health', 'health/ready', 'metrics'];

/**
 * Builds the HTTP application (not listening yet). Shared by `main.ts` and the e2e tests, so the
 * tests exercise exactly what runs.
 */
export async function createApp(config: AppConfig, logger: Pino): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    // TikTok's redirect may arrive as /callback/ (its docs want redirect URIs to end in '/').
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: true,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    logger: false,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // what the router and Node's HTTP parser refuse before any route still gets API.md's error body
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    rawBody: true,
    // JSON only, through parseJsonBody (registered below); other media types are a 415
    bodyParser: false,
  });
  app.setGlobalPrefix('api/v1', { exclude: ROOT_ROUTES });
  app.useGlobalPipes(createValidationPipe(), new StorableInputPipe());
  app.useGlobalInterceptors(new UnknownQueryInterceptor());
  app.enableCors({
    origin: [...new Set([...config.corsOrigins, new URL(config.adminUiUrl).origin])],
    credentials: true,
    exposedHeaders: ['x-request-id', 'retry-after'],
    // an OPTIONS without the preflight headers is a plain OPTIONS: answered (204, the allowed
    // methods), not refused with the plugin's text/plain 400 outside the contract's error shape
    strictPreflight: false,
  });
  await app.register(fastifyCookie);
  // the console under /admin: public static files, outside Nest's guards (they hold no data)
  await registerConsole(app, logger);

  const fastify = app.getHttpAdapter().getInstance();
  // Fastify parses text/plain by default; the API takes JSON only (a text body would reach the DTOs as a string)
  fastify.removeContentTypeParser('text/plain');
  const defaultJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: config.http.bodyLimitBytes }, (req, body, done) => {
    try {
      const parsed = parseJsonBody(req.headers['content-type'], body, (text) => {
        let value: unknown;
        void defaultJson(req as FastifyRequest, text, (err, v) => {
          if (err) throw err;
          value = v;
        });
        return value;
      });
      done(null, parsed);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  const metrics = app.get(Metrics);
  // Errors raised by Fastify itself (body parsing, size limit) reach GlobalErrorFilter through
  // Nest's own Fastify error handler, mapped to HttpExceptions with Fastify's status.
  fastify.addHook('onSend', async (req, reply, payload) => {
    void reply.header('x-request-id', req.id);
    return payload;
  });
  fastify.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: req.method, route }, seconds);
    const user = (req as FastifyRequest & { user?: { id: string; tenant: string } }).user;
    // The path without its query: OAuth codes and states travel in query strings.
    logger.info(
      {
        requestId: req.id,
        method: req.method,
        route,
        path: req.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        tenant: user?.tenant,
        user: user?.id,
      },
      'request',
    );
  });

  const doc = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json', useGlobalPrefix: false });
  return app;
}
