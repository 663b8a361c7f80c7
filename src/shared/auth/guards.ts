import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../errors/domain-error';
import type { CurrentUser, Role } from './current-user';
import { IS_PUBLIC, ROLES_KEY } from './decorators';
import { SlidingWindowLimiter } from './sliding-window-limiter';

/** Global: every route needs a valid token unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(ctx: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    return super.canActivate(ctx);
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err || !user) throw new UnauthorizedError();
    return user;
  }
}

/**
 * Global: a non-public route must name its roles; a route that names none is refused (a
 * forgotten `@Roles` fails closed, and the router-walking test catches it).
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [ctx.getHandler(), ctx.getClass()]);
    const user = ctx.switchToHttp().getRequest<{ user?: CurrentUser }>().user;
    if (!user) throw new UnauthorizedError();
    if (!roles || !roles.some((r) => user.roles.includes(r))) throw new ForbiddenError();
    return true;
  }
}

/** Global: per-user request budget (sliding minute). Answers 429 with Retry-After. */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  private readonly limiter: SlidingWindowLimiter;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limiter = new SlidingWindowLimiter(config.http.rateLimitPerMinute, 60_000);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const user = ctx.switchToHttp().getRequest<{ user?: CurrentUser }>().user;
    if (!user) return true;
    const wait = this.limiter.take(`${user.tenant}\u0000${user.id}`, Date.now());
    if (wait > 0) throw new RateLimitedError(Math.ceil(wait / 1000));
    return true;
  }
}
