import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send application/json' },
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_URL', message: 'The URL holds a malformed percent-escape' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URI_TOO_LONG', message: 'A path parameter is longer than 100 characters' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'BAD_REQUEST', message: 'The request was refused' },
};

/** Errors of Node's HTTP parser (no request object exists yet) by code. */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', message: 'The request line and headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request took too long to arrive' },
  ERR_HTTP_HEADERS_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request took too long to arrive' },
};

/**
 * Fastify's `frameworkErrors`: the router's own refusals (a malformed percent-escape, a path
 * parameter over the length limit), which happen before any route, get the contract's body too.
 */
export function answerFrameworkError(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(err, String(req.id));
  void reply.status(status).header('x-request-id', String(req.id)).header('content-type', 'application/json; charset=utf-8').send(body);
}

/**
 * The server's `clientError`: Node's HTTP parser refused the bytes (headers over the limit, a
 * malformed request line or header), so there is no request to answer through Fastify. Writes a
 * minimal, valid HTTP response with the contract's body and a fresh request id, then closes.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (err.code && CLIENT_ERRORS[err.code]) || { status: 400, code: 'BAD_REQUEST', message: 'The request is not valid HTTP' };
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: known.code, message: known.message, requestId } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_TEXT[known.status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

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
