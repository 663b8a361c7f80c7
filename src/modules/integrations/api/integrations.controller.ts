import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, Roles, User } from '@shared/auth/decorators';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import type { CurrentUser } from '@shared/auth/current-user';
import { NotFoundError } from '@shared/errors/domain-error';
import type { Page } from '@shared/http/cursor';
import { ApiErrors } from '@shared/http/openapi';
import { ConnectService, STATE_TTL_MS, nonceCookieName } from '../application/connect.service';
import { IntegrationsService, type IntegrationView } from '../application/integrations.service';
import { ConnectStartedResponse, IntegrationListResponse, IntegrationResponse, PoliciesResponse, SyncRequestedResponse } from './integrations.responses';

@ApiSchema({ name: 'ConnectRequest' })
export class ConnectDto {
  /** must be exactly `true` */
  @ApiProperty({ type: Boolean, enum: [true], example: true, description: 'must be exactly true (else 400 POLICIES_NOT_ACCEPTED)' })
  @IsOptional()
  acceptPolicies?: unknown;

  @ApiProperty({ type: String, maxLength: 100, example: '3f1c9a0b7d2e4c55', description: 'policyVersion of GET /integrations/tiktok/policies' })
  @IsString()
  @MaxLength(100)
  policyVersion!: string;
}

export class CallbackQueryDto {
  @ApiPropertyOptional({ type: String, maxLength: 2000, description: 'the authorization code' })
  @IsOptional() @IsString() @MaxLength(2000) code?: string;
  @ApiPropertyOptional({ type: String, maxLength: 2000, description: 'the authorization code (TikTok for Business spells it so)' })
  @IsOptional() @IsString() @MaxLength(2000) auth_code?: string;
  @ApiPropertyOptional({ type: String, maxLength: 500, description: 'the state of POST /integrations/tiktok/connect' })
  @IsOptional() @IsString() @MaxLength(500) state?: string;
  @ApiPropertyOptional({ type: String, maxLength: 2000, description: 'the scopes granted, comma separated' })
  @IsOptional() @IsString() @MaxLength(2000) scopes?: string;
  @ApiPropertyOptional({ type: String, maxLength: 500, description: 'set by TikTok when the user refused' })
  @IsOptional() @IsString() @MaxLength(500) error?: string;
  @ApiPropertyOptional({ type: String, maxLength: 2000 })
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
  @ApiOperation({ operationId: 'getConnectPolicies', summary: 'The policies to accept and the scopes asked for before connecting' })
  @ApiOkResponse({ type: PoliciesResponse })
  policies() {
    const c = this.connect.catalog;
    return { policies: c.policies, policyVersion: c.policyVersion, scopes: c.scopes, textLimit: this.config.tiktok.textLimit };
  }

  /** Records the acceptance and returns TikTok's authorize URL; sets the browser-binding cookie. */
  @Post('connect')
  @Roles('admin')
  @ApiOperation({
    operationId: 'connectTikTok',
    summary: 'Accept the policies and start connecting a TikTok account',
    description: 'Records the acceptance and answers TikTok’s authorize URL; sets an HttpOnly cookie that binds the state to this browser.',
  })
  @ApiCreatedResponse({
    type: ConnectStartedResponse,
    headers: { 'Set-Cookie': { description: 'an HttpOnly, SameSite=Lax nonce cookie (path: the callback) that the callback must see again', schema: { type: 'string' } } },
  })
  @ApiErrors({
    400: 'POLICIES_NOT_ACCEPTED: acceptPolicies is not true; VALIDATION_FAILED: policyVersion missing or not a string',
    409: 'POLICY_VERSION_CHANGED: the policies changed since they were shown',
  })
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
  @ApiOperation({
    operationId: 'tiktokOAuthCallback',
    summary: 'TikTok’s OAuth redirect (the browser arrives here; no bearer)',
    description:
      'Always redirects to ADMIN_UI_URL/admin/integrations/tiktok with ?connected=<id> on success (and &error=SCOPES_MISSING when scopes are missing), ' +
      'or ?error=STATE_INVALID|ACCESS_DENIED|TOKEN_EXCHANGE_FAILED|PROFILE_FAILED. Also served with a trailing slash.',
  })
  @ApiFoundResponse({
    description: 'to the admin page',
    headers: { Location: { description: 'ADMIN_UI_URL/admin/integrations/tiktok?connected=<id> or ?error=<code>', schema: { type: 'string', format: 'uri' } } },
  })
  @ApiErrors({ 400: 'VALIDATION_FAILED: a query parameter is too long' })
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
  @ApiOperation({ operationId: 'listIntegrations', summary: 'The TikTok integrations the caller may see (one page)' })
  @ApiOkResponse({ type: IntegrationListResponse })
  async list(@User() user: CurrentUser): Promise<Page<IntegrationView>> {
    return { items: await this.integrations.list(user), nextCursor: null };
  }

  @Get(':id')
  @Roles('admin', 'agent')
  @ApiOperation({ operationId: 'getIntegration', summary: 'One TikTok integration' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the integration' })
  @ApiOkResponse({ type: IntegrationResponse })
  @ApiErrors({ 404: 'NOT_FOUND: no such integration, or not shared with the caller' })
  get(@User() user: CurrentUser, @Param('id', integrationId) id: string): Promise<IntegrationView> {
    return this.integrations.get(user, id);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'disconnectIntegration',
    summary: 'Disconnect a TikTok integration',
    description: 'Stops its sync and marks it disconnected; keeps its videos, comments and history; revokes the token at TikTok unless another tenant uses the account.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the integration' })
  @ApiNoContentResponse({ description: 'disconnected' })
  @ApiErrors({ 404: 'NOT_FOUND: no such integration' })
  disconnect(@User() user: CurrentUser, @Param('id', integrationId) id: string): Promise<void> {
    return this.integrations.disconnect(user, id);
  }

  @Post(':id/sync')
  @Roles('admin')
  @HttpCode(202)
  @ApiOperation({ operationId: 'requestIntegrationSync', summary: 'Ask for a sync of the integration now' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the integration' })
  @ApiAcceptedResponse({ type: SyncRequestedResponse })
  @ApiErrors({
    404: 'NOT_FOUND: no such integration',
    409: 'INTEGRATION_NOT_ACTIVE: the integration is reauth_required or disconnected',
  })
  async sync(@User() user: CurrentUser, @Param('id', integrationId) id: string): Promise<{ accepted: true }> {
    await this.integrations.requestSync(user, id);
    return { accepted: true };
  }
}
