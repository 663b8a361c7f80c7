import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, Roles, User } from '@shared/auth/decorators';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import type { CurrentUser } from '@shared/auth/current-user';
import { NotFoundError } from '@shared/errors/domain-error';
import type { Page } from '@shared/http/cursor';
import { ConnectService, STATE_TTL_MS, nonceCookieName } from '../application/connect.service';
import { IntegrationsService, type IntegrationView } from '../application/integrations.service';

export class ConnectDto {
  /** must be exactly `true` */
  @IsOptional()
  acceptPolicies?: unknown;

  @IsString()
  @MaxLength(100)
  policyVersion!: string;
}

export class CallbackQueryDto {
  @IsOptional() @IsString() @MaxLength(2000) code?: string;
  @IsOptional() @IsString() @MaxLength(2000) auth_code?: string;
  @IsOptional() @IsString() @MaxLength(500) state?: string;
  @IsOptional() @IsString() @MaxLength(2000) scopes?: string;
  @IsOptional() @IsString() @MaxLength(500) error?: string;
  @IsOptional() @IsString() @MaxLength(2000) error_description?: string;
}

const integrationId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Integration') });

@ApiTags('integrations')
@ApiBearerAuth()
@Controller('integrations/tiktok')
export class IntegrationsController {
  constructor(
    private readonly connect: ConnectService,
    private readonly integrations: IntegrationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('policies')
  @Roles('admin')
  policies() {
    const c = this.connect.catalog;
    return { policies: c.policies, policyVersion: c.policyVersion, scopes: c.scopes, textLimit: this.config.tiktok.textLimit };
  }

  /** Records the acceptance and returns TikTok's authorize URL; sets the browser-binding cookie. */
  @Post('connect')
  @Roles('admin')
  async start(@User() user: CurrentUser, @Body() body: ConnectDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const started = await this.connect.start(user, {
      acceptPolicies: body.acceptPolicies,
      policyVersion: body.policyVersion,
      ip: req.ip,
      userAgent: String(req.headers['user-agent'] ?? ''),
    });
    void reply.setCookie(nonceCookieName(started.state), started.nonce, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.connect.secureCookies,
      path: '/api/v1/integrations/tiktok/callback',
      maxAge: STATE_TTL_MS / 1000,
    });
    void reply.status(201);
    return { authorizeUrl: started.authorizeUrl, state: started.state, expiresAt: started.expiresAt };
  }

  /** TikTok sends the browser here; no bearer. Always ends on the admin page. */
  @Get('callback') // also with a trailing slash: the adapter ignores trailing slashes
  @Public()
  @ApiExcludeEndpoint(false)
  async callback(@Query() q: CallbackQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const target = await this.connect.callback({
      code: q.code ?? q.auth_code,
      state: q.state,
      error: q.error,
      cookies: req.cookies ?? {},
    });
    if (q.state) void reply.clearCookie(nonceCookieName(q.state), { path: '/api/v1/integrations/tiktok/callback' });
    void reply.header('cache-control', 'no-store').redirect(target, 302);
  }

  @Get()
  @Roles('admin', 'agent')
  async list(@User() user: CurrentUser): Promise<Page<IntegrationView>> {
    return { items: await this.integrations.list(user), nextCursor: null };
  }

  @Get(':id')
  @Roles('admin', 'agent')
  get(@User() user: CurrentUser, @Param('id', integrationId) id: string): Promise<IntegrationView> {
    return this.integrations.get(user, id);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  disconnect(@User() user: CurrentUser, @Param('id', integrationId) id: string): Promise<void> {
    return this.integrations.disconnect(user, id);
  }

  @Post(':id/sync')
  @Roles('admin')
  @HttpCode(202)
  async sync(@User() user: CurrentUser, @Param('id', integrationId) id: string): Promise<{ accepted: true }> {
    await this.integrations.requestSync(user, id);
    return { accepted: true };
  }
}
