import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, RateLimitedError, type FieldError } from '../errors/domain-error';

interface ErrorBody {
  error: { code: string; message: string; details?: FieldError[]; requestId: string };
}

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Fastify's own errors (body parsing, limits) by code: never a 500. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send application/json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'Invalid content length' },
};

/**
 * The one place errors become HTTP answers, in API.md's shape. Unknown errors are logged with the
 * request id and answered as a bare 500: no stack, SQL or secret ever reaches the client.
 */
@Catch()
export class GlobalErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const requestId = String(req?.id ?? '');
    const { status, body, retryAfter } = toErrorResponse(exception, requestId);
    if (status >= 500) {
      this.log.error({ msg: 'request failed', requestId, err: describe(exception) });
    }
    if (reply.sent || reply.raw.headersSent) return;
    if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

}

/** Maps anything thrown to API.md's error answer. Shared by the Nest filter and Fastify's own error handler. */
export function toErrorResponse(e: unknown, requestId: string): { status: number; body: ErrorBody; retryAfter?: number } {
  {
    const body = (code: string, message: string, details?: FieldError[]): ErrorBody => ({
      error: { code, message, ...(details?.length ? { details } : {}), requestId },
    });
    if (e instanceof DomainError) {
      return {
        status: e.status,
        body: body(e.code, e.message, e.details),
        retryAfter: e instanceof RateLimitedError ? e.retryAfterSeconds : undefined,
      };
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      // Fastify's JSON parser failures arrive here as 400s (FST_ERR_CTP_INVALID_JSON_BODY and friends).
      if (status === 400 && /JSON/i.test(e.message)) return { status, body: body('MALFORMED_JSON', 'The request body is not valid JSON') };
      const code = STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
      const message = status === 404 ? 'No such route' : status >= 500 ? 'Internal error' : e.message;
      return { status, body: body(code, message) };
    }
    const fe = e as { code?: string; statusCode?: number };
    if (fe && typeof fe.code === 'string' && FASTIFY_ERRORS[fe.code]) {
      const m = FASTIFY_ERRORS[fe.code];
      return { status: m.status, body: body(m.code, m.message) };
    }
    if (e instanceof SyntaxError || (fe && fe.statusCode === 400)) {
      return { status: 400, body: body('MALFORMED_JSON', 'The request body is not valid JSON') };
    }
    if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return { status: fe.statusCode, body: body(STATUS_CODES[fe.statusCode] ?? 'BAD_REQUEST', 'The request was refused') };
    }
    return { status: 500, body: body('INTERNAL', 'Internal error') };
  }
}

function describe(e: unknown): { name?: string; message?: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { message: String(e) };
}
