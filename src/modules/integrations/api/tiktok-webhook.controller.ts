import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '@shared/auth/decorators';
import { WebhookIntakeService } from '../application/webhooks/webhook-intake.service';

/**
 * TikTok's comment webhook (API.md "TikTok webhook"). No bearer: the signature over the raw body
 * is the authentication. Answers 200 as soon as the delivery is stored (a repeat too).
 */
@ApiExcludeController(false)
@Controller('webhooks/tiktok')
export class TikTokWebhookController {
  constructor(private readonly intake: WebhookIntakeService) {}

  @Post()
  @Public()
  @HttpCode(200)
  async receive(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('tiktok-signature') signature: string | undefined): Promise<{ ok: true }> {
    await this.intake.receive(req.rawBody, signature);
    return { ok: true };
  }
}
