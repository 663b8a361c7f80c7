import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Observable } from 'rxjs';
import { ValidationFailedError } from '../errors/domain-error';

/**
 * Global: a route without a query DTO takes no query parameters. The DTOs forbid unknown
 * parameters themselves (`forbidNonWhitelisted`); this covers the routes that declare none, so
 * that every route answers a stray parameter the same way: 400, "x is not a known parameter".
 */
@Injectable()
export class UnknownQueryInterceptor implements NestInterceptor {
  private readonly takesQuery = new WeakMap<object, boolean>();

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() === 'http') {
      const handler = ctx.getHandler();
      let takes = this.takesQuery.get(handler);
      if (takes === undefined) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctx.getClass(), handler.name) ??
          {}) as Record<string, unknown>;
        takes = Object.keys(args).some((k) => k.split(':')[0] === String(RouteParamtypes.QUERY));
        this.takesQuery.set(handler, takes);
      }
      const query =
        ctx.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query ?? {};
      const keys = Object.keys(query);
      if (!takes && keys.length > 0) {
        throw new ValidationFailedError(
          keys.map((k) => ({ field: k, message: `${k} is not a known parameter` })),
        );
      }
    }
    return next.handle();
  }
}
