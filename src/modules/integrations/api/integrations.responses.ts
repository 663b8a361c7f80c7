import { DEFAULT_TEXT_LIMIT } from '@shared/config/app-config';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { pageOf } from '@shared/http/openapi';

/*
 * The answers of the integrations routes as the OpenAPI document describes them (API.md
 * "Connecting a TikTok account"). Documentation only: the routes return IntegrationsService's views.
 */

/** The default of TIKTOK_TEXT_LIMIT; the document states it so the generated client does not change with a deployment's setting. */

@ApiSchema({ name: 'Policy' })
export class PolicyResponse {
  @ApiProperty({
    type: String,
    enum: ['tiktok-terms', 'tiktok-privacy', 'echo-terms', 'echo-privacy'],
    example: 'tiktok-terms',
  })
  id!: string;

  @ApiProperty({ type: String, example: 'TikTok Terms of Service' })
  title!: string;

  @ApiProperty({
    type: String,
    format: 'uri',
    example: 'https://www.tiktok.com/legal/page/global/terms-of-service/en',
  })
  url!: string;

  @ApiProperty({ type: String, example: '2025-07-01' })
  version!: string;
}

@ApiSchema({ name: 'Policies' })
export class PoliciesResponse {
  @ApiProperty({ type: [PolicyResponse], description: 'what the admin accepts before connecting' })
  policies!: PolicyResponse[];

  @ApiProperty({
    type: String,
    description: 'digest of every policy id and version: send it back to connect',
    example: '3f1c9a0b7d2e4c55',
  })
  policyVersion!: string;

  @ApiProperty({
    type: [String],
    example: ['user.info.basic', 'video.list', 'comment.list', 'comment.list.manage'],
  })
  scopes!: string[];

  @ApiProperty({
    type: 'integer',
    default: DEFAULT_TEXT_LIMIT,
    example: DEFAULT_TEXT_LIMIT,
    description: `the most characters (Unicode code points) of a reply or comment: TIKTOK_TEXT_LIMIT, default ${DEFAULT_TEXT_LIMIT}`,
  })
  textLimit!: number;
}

@ApiSchema({ name: 'ConnectStarted' })
export class ConnectStartedResponse {
  @ApiProperty({
    type: String,
    format: 'uri',
    description: 'open it in the browser that made this request (the state is bound to its cookie)',
  })
  authorizeUrl!: string;

  @ApiProperty({ type: String, description: 'single use; expires in 10 minutes' })
  state!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: string;
}

@ApiSchema({ name: 'IntegrationSync' })
export class IntegrationSyncResponse {
  @ApiProperty({ type: String, enum: ['backfill', 'live', 'paused'] })
  stage!: string;

  @ApiProperty({ type: 'integer', example: 31 })
  videosKnown!: number;

  @ApiProperty({ type: 'integer', example: 31 })
  videosBackfilled!: number;

  @ApiProperty({
    type: 'integer',
    description: 'every stored comment, however it came (sync, webhook, add by URL)',
    example: 412,
  })
  commentsStored!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null unless the integration is active',
  })
  nextRunAt!: string | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'null until the account has received webhooks',
  })
  webhookHealthy!: boolean | null;
}

@ApiSchema({ name: 'Integration' })
export class IntegrationResponse {
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({
    type: String,
    description: 'TikTok’s id of the account (its open_id)',
    example: '-000a1b2c3d4e5f',
  })
  tiktokAccountId!: string;

  @ApiProperty({ type: String, nullable: true, example: 'brand.one' })
  username!: string | null;

  @ApiProperty({ type: String, example: 'Brand One' })
  displayName!: string;

  @ApiProperty({ type: String, format: 'uri', nullable: true })
  avatarUrl!: string | null;

  @ApiProperty({ type: String, enum: ['active', 'reauth_required', 'disconnected'] })
  status!: string;

  @ApiProperty({
    type: [String],
    example: ['user.info.basic', 'video.list', 'comment.list', 'comment.list.manage'],
  })
  grantedScopes!: string[];

  @ApiProperty({
    type: [String],
    description: 'scopes asked for but not granted (then the status is reauth_required)',
    example: [],
  })
  missingScopes!: string[];

  @ApiProperty({ type: String, format: 'date-time' })
  connectedAt!: string;

  @ApiProperty({ type: String, description: 'the user id (token sub) who connected it' })
  connectedBy!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSyncedAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'reason code of the last failed sync run',
    example: null,
  })
  lastSyncError!: string | null;

  @ApiProperty({ type: IntegrationSyncResponse })
  sync!: IntegrationSyncResponse;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'the permission sets that share it with agents',
  })
  permissionSetIds!: string[];

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'when TikTok’s refresh token runs out: reconnect before then',
  })
  refreshExpiresAt!: string | null;

  @ApiProperty({ type: Boolean, description: 'true within 14 days of refreshExpiresAt' })
  reauthDueSoon!: boolean;
}

export const IntegrationListResponse = pageOf(IntegrationResponse, 'IntegrationList', true);

@ApiSchema({ name: 'SyncRequested' })
export class SyncRequestedResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  accepted!: true;
}

@ApiSchema({ name: 'WebhookReceived' })
export class WebhookReceivedResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  ok!: true;
}
