import jwt from 'jsonwebtoken';
import type { Role } from './current-user';

/** What a token says about its holder (API.md: `sub`, `tenant`, `roles`, optional `name`). */
export interface TokenClaims {
  sub: string;
  tenant: string;
  roles: Role[] | string[];
  name?: string;
}

/** How tokens are signed: HS256 with the service's secret; `iss`/`aud` when the service checks them. */
export interface TokenSigning {
  jwtSecret: string;
  issuer?: string;
  audience?: string;
}

/**
 * Signs a bearer token the service accepts. Shared by `npm run token` and the console's
 * development sign-in route, so both make exactly what `JwtStrategy` verifies.
 */
export function signToken(claims: TokenClaims, signing: TokenSigning, ttlSeconds: number): string {
  const opts: jwt.SignOptions = { algorithm: 'HS256', expiresIn: ttlSeconds };
  if (signing.issuer) opts.issuer = signing.issuer;
  if (signing.audience) opts.audience = signing.audience;
  const body: Record<string, unknown> = {
    sub: claims.sub,
    tenant: claims.tenant,
    roles: claims.roles,
  };
  if (claims.name !== undefined) body.name = claims.name;
  return jwt.sign(body, signing.jwtSecret, opts);
}
