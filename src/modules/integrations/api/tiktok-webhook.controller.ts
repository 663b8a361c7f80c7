import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBody, ApiExcludeController, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@shared/http/openapi';
import type { FastifyRequest } from 'fastify';
import { Public } from '@shared/auth/decorators';
import { WebhookIntakeService } from '../application/webhooks/webhook-intake.service';
import { WebhookReceivedResponse } from './integrations.responses';
import { TikTokWebhookDeliveryDto } from './tiktok-webhook.dto';

/**
 * TikTok's comment webhook (API.md "TikTok webhook"). No bearer: the signature over the raw body
 * is the authentication. Answers 200 as soon as the delivery is stored (a repeat too).
 */
@ApiExcludeController(false)
@ApiTags('webhooks')
@Controller('webhooks/tiktok')
export class TikTokWebhookController {
  constructor(private readonly intake: WebhookIntakeService) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'receiveTikTokWebhook',
    summary: 'TikTok’s comment webhook (signed by TikTok; no bearer)',
    description: 'Stored idempotently and answered at once; the comment itself is then read from TikTok’s API.',
  })
  @ApiHeader({ name: 'Tiktok-Signature', required: true, description: 't=<unix seconds>,s=<hex HMAC-SHA256 of t + "." + raw body>', example: 't=1764756000,s=9f86d081884c7d65…' })
  @ApiBody({ type: TikTokWebhookDeliveryDto })
  @ApiOkResponse({ type: WebhookReceivedResponse, description: 'stored (or already stored: a repeat changes nothing)' })
  @ApiErrors({ 401: 'WEBHOOK_SIGNATURE_INVALID: the signature is missing, wrong, or outside the time tolerance' })
  async receive(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('tiktok-signature') signature: string | undefined): Promise<{ ok: true }> {
    await this.intake.receive(req.rawBody, signature);
    return { ok: true };
  }
}
