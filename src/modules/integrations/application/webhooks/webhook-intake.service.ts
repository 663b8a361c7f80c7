import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subject } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { Database } from '@shared/database/database';
import { DomainError } from '@shared/errors/domain-error';
import { unstorableString } from '@shared/http/storable';
import { parseJsonLossless } from '@shared/tiktok';
import { verifyTikTokSignature } from './webhook-signature';

/** 401: no, a malformed, a wrong, or a stale `Tiktok-Signature`. Nothing was stored. */
export class WebhookSignatureInvalidError extends DomainError {
  readonly code = 'WEBHOOK_SIGNATURE_INVALID';
  readonly status = 401;
  constructor() {
    super('The webhook signature is missing, invalid or outside the time tolerance');
  }
}

/** A field of the envelope as text PostgreSQL can store; anything else is '' (the worker skips it). */
function storable(v: unknown): string {
  return typeof v === 'string' && !unstorableString(v) ? v : '';
}

/** The body as stored: the raw text unless it holds a NUL, which `text` cannot (JSON escapes it, so only a non-JSON body does). */
function storableBody(text: string): string | null {
  return unstorableString(text) ? null : text;
}

/**
 * `POST /webhooks/tiktok`: verifies the signature over the raw bytes first, then stores the
 * delivery keyed by the SHA-256 of its body (`on conflict do nothing`: TikTok delivers at least
 * once and retries for 72 h) and returns. Everything slow (which tenants, reading the comment
 * from TikTok, storing it) is the worker's, so TikTok gets its 200 at once.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly log = new Logger('TikTokWebhook');
  /** fires after a new delivery is stored: wakes the worker */
  readonly received$ = new Subject<void>();

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns whether the delivery was new. */
  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<boolean> {
    const body = rawBody ?? Buffer.alloc(0);
    const check = verifyTikTokSignature(signature, body, this.config.tiktok.clientSecret, Date.now() / 1000, this.config.tiktok.webhookToleranceSeconds);
    if (!check.ok) {
      this.log.warn({ msg: 'webhook refused', reason: check.reason });
      throw new WebhookSignatureInvalidError();
    }
    const text = body.toString('utf8');
    let env: Record<string, unknown> = {};
    try {
      const parsed = parseJsonLossless(text);
      if (typeof parsed === 'object' && parsed !== null) env = parsed as Record<string, unknown>;
    } catch {
      /* stored with what we can read; the worker skips what it cannot parse */
    }
    const hash = createHash('sha256').update(body).digest('hex');
    const inserted = await this.db.inSystem((tx) =>
      tx.run(
        `insert into tiktok_webhook_delivery (content_hash, user_openid, event, body, signed_at)
         values ($1, $2, $3, $4, to_timestamp($5)) on conflict (content_hash) do nothing`,
        [hash, storable(env.user_openid), storable(env.event), storableBody(text), check.t],
      ),
    );
    this.log.debug({ msg: 'webhook received', delivery: hash.slice(0, 16), duplicate: inserted === 0 });
    if (inserted > 0) this.received$.next();
    return inserted > 0;
  }
}
