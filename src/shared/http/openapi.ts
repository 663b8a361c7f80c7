import { applyDecorators, type INestApplication, type Type } from '@nestjs/common';
import {
  ApiExtension,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSchema,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import type {
  OperationObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/*
 * The OpenAPI document's building blocks: the error shape, list envelopes, the error responses a
 * route can give, and the finishing pass that adds what every route shares (the bearer scheme
 * and its 401/403/429, the body errors of routes that read one). Describes; changes no answer.
 */

/** The security scheme's name in the document (`addBearerAuth()`'s default). */
export const BEARER = 'bearer';

/** Set by `@Public()` on its operations; the finishing pass turns it into `security: []`. */
export const PUBLIC_EXTENSION = 'x-echo-public';

/** Marks the operations of a method or controller as public (no bearer) in the document. */
export const ApiPublic = (): MethodDecorator & ClassDecorator =>
  ApiExtension(PUBLIC_EXTENSION, true) as MethodDecorator & ClassDecorator;

/** The optional `Idempotency-Key` header of the routes that post to TikTok. */
export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Scoped to (tenant, user, route), kept 24 hours: the same key and body answer the first status with the current state; ' +
    'another body is 409 IDEMPOTENCY_KEY_REUSED; while the first request runs, 409 IDEMPOTENCY_KEY_IN_PROGRESS.',
  schema: {
    type: 'string',
    pattern: '^[\\x21-\\x7e]{1,200}$',
    description: '1 to 200 printable ASCII characters',
  },
  example: '4b9f6a1e-reply-1',
};

@ApiSchema({ name: 'ErrorDetail' })
export class ErrorDetailDto {
  @ApiProperty({
    type: String,
    description: 'the request field (or header) at fault',
    example: 'text',
  })
  field!: string;

  @ApiProperty({ type: String, example: 'text is required' })
  message!: string;
}

@ApiSchema({ name: 'ErrorBody' })
export class ErrorBodyDto {
  @ApiProperty({
    type: String,
    description: 'stable code clients switch on',
    example: 'VALIDATION_FAILED',
  })
  code!: string;

  @ApiProperty({
    type: String,
    description: 'human text; never a stack trace, SQL or secret',
    example: 'The request is not valid',
  })
  message!: string;

  @ApiPropertyOptional({
    type: [ErrorDetailDto],
    description: 'one entry per bad field (VALIDATION_FAILED)',
  })
  details?: ErrorDetailDto[];

  @ApiProperty({
    type: String,
    description: 'the request id (also the x-request-id header)',
    example: '6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  })
  requestId!: string;
}

/** Every 4xx/5xx body (API.md "Errors"). */
@ApiSchema({ name: 'ErrorResponse' })
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorBodyDto })
  error!: ErrorBodyDto;
}

/** `{items, nextCursor}` of `item`, named `name` in the document (API.md "Lists and pagination"). */
export function pageOf<T>(
  item: Type<T>,
  name: string,
  oneWholePage = false,
): Type<{ items: T[]; nextCursor: string | null }> {
  @ApiSchema({ name })
  class Page {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({
      type: String,
      nullable: true,
      description: oneWholePage
        ? 'always null: the list comes in one page'
        : 'pass as `cursor` for the next page; null on the last page',
    })
    nextCursor!: string | null;
  }
  return Page;
}

function errorResponse(status: number, codes: string): ResponseObject {
  return {
    description: codes,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
    ...(status === 429
      ? {
          headers: {
            'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } },
          },
        }
      : {}),
  };
}

/**
 * The error answers of a route beyond the shared ones the finishing pass adds: status → the codes
 * (and when), e.g. `{ 404: 'NOT_FOUND: no such comment, or not visible to the caller' }`.
 */
export function ApiErrors(
  errors: Partial<Record<number, string>>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(errors).map(([status, codes]) => {
      const r = errorResponse(Number(status), codes!);
      return ApiResponse({
        status: Number(status),
        description: r.description,
        type: ErrorResponseDto,
        headers: r.headers as never,
      });
    }),
  );
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Adds `codes` to an operation's answer for `status`, or the whole answer when it has none. */
function addError(op: OperationObject, status: number, codes: string): void {
  const existing = op.responses[status] as ResponseObject | undefined;
  if (!existing) op.responses[status] = errorResponse(status, codes);
  else if (!existing.description.includes(codes)) existing.description += `; ${codes}`;
}

/**
 * The finishing pass over the generated document: every operation's security (bearer unless its
 * route is `@Public()`), the answers every protected route can give (401, 403, 429), and those of
 * every route that reads a body (a malformed or oversized body, a wrong content type), and a 500
 * where no other 5xx is described.
 */
export function finishOpenApiDocument(doc: OpenAPIObject): OpenAPIObject {
  doc.security = [{ [BEARER]: [] }];
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op: (OperationObject & { [PUBLIC_EXTENSION]?: boolean }) | undefined = item[method];
      if (!op) continue;
      const isPublic = op[PUBLIC_EXTENSION] === true;
      delete op[PUBLIC_EXTENSION];
      op.security = isPublic ? [] : [{ [BEARER]: [] }];
      if (['post', 'put', 'patch'].includes(method)) {
        addError(op, 400, 'MALFORMED_JSON: the body is not JSON');
        addError(op, 413, 'PAYLOAD_TOO_LARGE: the body is over the size limit');
        addError(op, 415, 'UNSUPPORTED_MEDIA_TYPE: send application/json');
      }
      // an unexpected failure: logged with the request id, answered without its cause
      if (!Object.keys(op.responses).some((st) => st.startsWith('5'))) {
        addError(
          op,
          500,
          'INTERNAL: an unexpected error (logged with the request id; the answer says no more)',
        );
      }
      if (!isPublic) {
        addError(
          op,
          401,
          'UNAUTHORIZED: the bearer token is missing, malformed, expired, badly signed or has no tenant',
        );
        addError(op, 403, 'FORBIDDEN: the token’s roles do not allow this route');
        addError(op, 429, 'RATE_LIMITED: too many requests from this user (see Retry-After)');
      }
    }
  }
  return doc;
}

/** The document served at /api/docs-json and committed as openapi/openapi.json. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Echo TikTok integration')
    .setDescription(
      'REST contract v1: connect TikTok accounts, sync and answer comments, audit the event log. ' +
        'Every 4xx/5xx body is an ErrorResponse. TikTok ids are strings; Echo ids are UUIDs.',
    )
    .setVersion('1.0')
    .addServer('/', 'this service')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'HS256 JWT with sub, tenant and roles',
      },
      BEARER,
    )
    .build();
  config.info.license = { name: 'UNLICENSED (Echo internal)' };
  const doc = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto],
  });
  return finishOpenApiDocument(doc);
}
