import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { unstorableString } from '../http/storable';
import { ROLES, TENANT_PATTERN, type CurrentUser, type Role } from './current-user';

interface JwtClaims {
  sub?: unknown;
  tenant?: unknown;
  roles?: unknown;
  name?: unknown;
}

/** HS256 bearer tokens; `iss`/`aud` checked when configured; `tenant` required. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
    });
  }

  validate(claims: JwtClaims): CurrentUser | false {
    const { sub, tenant, roles, name } = claims;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) return false;
    // the user id is stored (events, presence, directory): one PostgreSQL cannot store is no user
    if (unstorableString(sub) || (typeof name === 'string' && unstorableString(name))) return false;
    if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) return false;
    const list = Array.isArray(roles) ? roles.filter((r): r is Role => ROLES.includes(r as Role)) : [];
    return { id: sub, tenant, roles: list, name: typeof name === 'string' ? name.slice(0, 200) : undefined };
  }
}
