import { Body, Controller, Inject, Module, Post, type DynamicModule } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '@shared/http/openapi';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ROLES, TENANT_PATTERN, type Role } from '../current-user';
import { Public } from '../decorators';
import { signToken } from '../sign-token';

/** A development token lives a working day; the console asks for a new one after that. */
const DEV_TOKEN_TTL_SECONDS = 8 * 3600;

/**
 * The console's "Sign in as" exists only where nobody can be impersonated: outside production and
 * while the JWT secret is the development one generated under DATA_DIR. A configured
 * AUTH_JWT_SECRET means tokens come from a real identity provider, so the route is not even
 * registered (a 404, as for any unknown path).
 */
export function devSignInAllowed(config: Pick<AppConfig, 'production' | 'auth'>): boolean {
  return !config.production && config.auth.generatedSecret;
}

export class DevTokenRequestDto {
  @ApiProperty({ example: 'acme', pattern: TENANT_PATTERN.source })
  @IsString()
  @Matches(TENANT_PATTERN, {
    message:
      'tenant must be lowercase letters, digits and dashes (1–63), starting with a letter or digit',
  })
  tenant!: string;

  @ApiProperty({ example: 'ada', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  sub!: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['admin'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` })
  roles!: Role[];

  @ApiPropertyOptional({ example: 'Ada Lovelace', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

export class DevTokenDto {
  @ApiProperty({ description: 'HS256 bearer token, valid for 8 hours' })
  token!: string;
}

/** `POST /api/v1/dev/token`: the console's development sign-in (public; registered only when allowed). */
@ApiTags('development')
@Controller('dev')
export class DevSignInController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Public()
  @Post('token')
  @ApiOperation({
    operationId: 'devSignIn',
    summary:
      'Development only: a token for any tenant, user and roles (the console\'s "Sign in as")',
    description:
      'Exists only outside production while the JWT secret is the generated development one; elsewhere this path is a 404 like any unknown route.',
  })
  @ApiCreatedResponse({ type: DevTokenDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED: a bad tenant, user id, role or name' })
  token(@Body() body: DevTokenRequestDto): DevTokenDto {
    const claims = {
      sub: body.sub,
      tenant: body.tenant,
      roles: body.roles,
      name: body.name ?? body.sub,
    };
    return { token: signToken(claims, this.config.auth, DEV_TOKEN_TTL_SECONDS) };
  }
}

@Module({})
export class DevSignInModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DevSignInModule,
      controllers: devSignInAllowed(config) ? [DevSignInController] : [],
    };
  }
}
