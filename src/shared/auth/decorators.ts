import { SetMetadata, applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiPublic } from '../http/openapi';
import type { CurrentUser, Role } from './current-user';

export const IS_PUBLIC = 'auth:isPublic';
export const ROLES_KEY = 'auth:roles';

/** Opts a route out of authentication (and marks it public, `security: []`, in the OpenAPI document). Every other route needs a token and `@Roles`. */
export const Public = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiPublic());

/** Roles allowed on a route (or every route of a controller). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** The authenticated caller. */
export const User = createParamDecorator((_: unknown, ctx: ExecutionContext): CurrentUser => {
  const req = ctx.switchToHttp().getRequest<{ user: CurrentUser }>();
  return req.user;
});
