import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { Database } from '@shared/database/database';
import { BackgroundLoop } from '@shared/event-log/background-loop';
import { TIKTOK_API, type TikTokApi, type TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { isTikTokError } from '@shared/tiktok/tiktok-error';
import { IngestCommentsCommand, MarkCommentsDeletedCommand } from '@modules/comments/contracts';
import { FindVideoByTikTokIdQuery, RecordVideoSyncCommand, UpsertVideosCommand } from '@modules/videos/contracts';
import { IntegrationNotActiveError, TIKTOK_ACCESS, type TikTokAccess } from '../../contracts';
import { parseCommentDelivery, textDigest } from './webhook-content';
import { WebhookIntakeService } from './webhook-intake.service';

interface ItemRow {
  tenant_id: string;
  integration_id: string;
  delivery_hash: string;
  tiktok_video_id: string;
  tiktok_comment_id: string;
  tiktok_parent_id: string | null;
  action: string;
  received_at: Date;
  attempts: number;
  text_digest: string | null;
}

/** A delivery still unhandled after this long is dropped (TikTok itself stops retrying after 72 h; polling is the backstop). */
const GIVE_UP_MS = 72 * 3600_000;
const ITEM_LEASE_SECONDS = 60;
const GROUPS_PER_PASS = 20;
const GROUP_CONCURRENCY = 4;
const MAX_WAIT_MS = 5_000;

/**
 * Works stored webhook deliveries:
 * 1. fan-out (system scope, one transaction per batch): each delivery becomes one item per active
 *    integration of its `user_openid`, in every tenant (two tenants, two items); the primary key
 *    (tenant, integration, delivery) makes a repeat a no-op; the body is then cleared.
 * 2. items, grouped by (integration, video) under a short lease: the video is looked up (and, if
 *    not known yet, fetched with `getVideosByIds` and stored; if TikTok does not list it yet, the
 *    items wait and are retried with backoff); the group's comment ids (and the parents of
 *    replies) are read from TikTok in one `comment_ids` call per 30 and ingested (the webhook is
 *    only a hint: nothing is stored that TikTok's API did not return); a `delete` whose comment
 *    TikTok no longer returns marks it deleted; the video's `next_poll_at` moves to now as a
 *    cross-check. Hides and unhides arrive as the comment's `status` and are recorded by the ingest.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('TikTokWebhookWorker');
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly db: Database,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    intake: WebhookIntakeService,
    @Inject(TIKTOK_ACCESS) private readonly access: TikTokAccess,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop('tiktok-webhooks', 1_000, () => this.processOnce(), this.log);
    intake.received$.subscribe(() => this.loop.wake());
  }

  onApplicationBootstrap(): void {
    if (this.config.workers) this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: fan out new deliveries, then work due items. Returns items handled. */
  async processOnce(): Promise<number> {
    await this.fanOut();
    let handled = 0;
    for (;;) {
      const items = await this.claimItems();
      if (items.length === 0) return handled;
      const groups = new Map<string, ItemRow[]>();
      for (const it of items) {
        const key = `${it.tenant_id}/${it.integration_id}/${it.tiktok_video_id}`;
        groups.set(key, [...(groups.get(key) ?? []), it]);
      }
      const list = [...groups.values()];
      for (let i = 0; i < list.length; i += GROUP_CONCURRENCY) {
        const done = await Promise.all(list.slice(i, i + GROUP_CONCURRENCY).map((g) => this.handleGroup(g)));
        handled += done.reduce((a, b) => a + b, 0);
      }
    }
  }

  private async fanOut(): Promise<void> {
    for (;;) {
      const n = await this.db.inSystem(async (tx) => {
        const rows = await tx.query<{ content_hash: string; body: string | null; received_at: Date }>(
          `select content_hash, body, received_at from tiktok_webhook_delivery where fanned_out_at is null
            order by received_at limit 100 for update skip locked`,
        );
        for (const r of rows) {
          const ev = r.body ? parseCommentDelivery(r.body) : null;
          let to = 0;
          if (ev) {
            // The text is only a hint to compare with TikTok's read-back (the author is not in the
            // webhook, so the comment is read by id anyway): kept as a digest, logged as length and digest.
            const digest = ev.text === null ? null : textDigest(ev.text);
            this.log.debug({
              msg: 'webhook comment event',
              action: ev.action,
              tiktokCommentId: ev.commentId,
              textLength: ev.text === null ? null : [...ev.text].length,
              textDigest: digest,
            });
            to = await tx.run(
              `insert into tiktok_webhook_item (tenant_id, integration_id, delivery_hash, tiktok_video_id, tiktok_comment_id,
                                                tiktok_parent_id, action, received_at, text_digest)
               select i.tenant_id, i.id, $2, $3, $4, $5, $6, $7::timestamptz, $8
                 from tiktok_integration i where i.open_id = $1 and i.status = 'active'
               on conflict do nothing`,
              [
                ev.userOpenId,
                r.content_hash,
                ev.videoId,
                ev.commentId,
                ev.parentCommentId,
                ev.action,
                r.received_at.toISOString(),
                digest,
              ],
            );
          } else {
            this.log.warn({ msg: 'webhook delivery is not a comment event; ignored', delivery: r.content_hash.slice(0, 16) });
          }
          await tx.run(`update tiktok_webhook_delivery set fanned_out_at = now(), fanned_out_to = $2, body = null where content_hash = $1`, [r.content_hash, to]);
        }
        return rows.length;
      });
      if (n < 100) return;
    }
  }

  /** Leases due items of up to `GROUPS_PER_PASS` (integration, video) groups. A row is leased by one instance only. */
  private claimItems(): Promise<ItemRow[]> {
    return this.db.inSystem((tx) =>
      tx.query<ItemRow>(
        `with picked as (
           select tenant_id, integration_id, tiktok_video_id from tiktok_webhook_item
            where handled_at is null and next_attempt_at <= now() and (lease_until is null or lease_until < now())
            group by 1, 2, 3 order by min(received_at) limit $1)
         update tiktok_webhook_item i set lease_until = now() + $2 * interval '1 second'
           from picked p
          where i.tenant_id = p.tenant_id and i.integration_id = p.integration_id and i.tiktok_video_id = p.tiktok_video_id
            and i.handled_at is null and i.next_attempt_at <= now() and (i.lease_until is null or i.lease_until < now())
         returning i.tenant_id, i.integration_id, i.delivery_hash, i.tiktok_video_id, i.tiktok_comment_id, i.tiktok_parent_id,
                   i.action, i.received_at, i.attempts, i.text_digest`,
        [GROUPS_PER_PASS, ITEM_LEASE_SECONDS],
      ),
    );
  }

  private async handleGroup(items: ItemRow[]): Promise<number> {
    const { tenant_id: tenant, integration_id: integrationId, tiktok_video_id: tiktokVideoId } = items[0];
    const ctx = { tenant, integrationId, tiktokVideoId };
    try {
      let video = await this.queries.execute(new FindVideoByTikTokIdQuery(tenant, integrationId, tiktokVideoId));
      if (!video) {
        const listed = await this.access.withAccess(tenant, integrationId, (auth) => this.api.getVideosByIds(auth, [tiktokVideoId], { maxWaitMs: MAX_WAIT_MS }));
        if (listed.length === 0) {
          await this.retryLater(items, 'VIDEO_NOT_LISTED', true);
          return 0;
        }
        await this.commands.execute(new UpsertVideosCommand(tenant, integrationId, listed));
        video = await this.queries.execute(new FindVideoByTikTokIdQuery(tenant, integrationId, tiktokVideoId));
        if (!video) throw new Error('video not stored');
      }
      const ids = [...new Set(items.flatMap((i) => (i.tiktok_parent_id ? [i.tiktok_parent_id, i.tiktok_comment_id] : [i.tiktok_comment_id])))];
      const present: TikTokComment[] = [];
      for (let i = 0; i < ids.length; i += 30) {
        const chunk = ids.slice(i, i + 30);
        present.push(...(await this.access.withAccess(tenant, integrationId, (auth) => this.api.getCommentsByIds(auth, tiktokVideoId, chunk, { maxWaitMs: MAX_WAIT_MS }))));
      }
      this.compareTexts(items, present, ctx);
      let stored = 0;
      if (present.length > 0) {
        const res = await this.commands.execute(new IngestCommentsCommand(tenant, integrationId, video.id, present));
        stored = res.insertedIds.length;
      }
      const there = new Set(present.map((c) => c.commentId));
      const gone = items.filter((i) => i.action === 'delete' && !there.has(i.tiktok_comment_id)).map((i) => i.tiktok_comment_id);
      if (gone.length > 0) await this.commands.execute(new MarkCommentsDeletedCommand(tenant, integrationId, gone));
      await this.commands.execute(new RecordVideoSyncCommand(tenant, video.id, { nextPollAt: new Date(), lastCommentAt: stored > 0 ? new Date() : undefined }));
      await this.finish(items, 'stored');
      this.log.log({ msg: 'webhook items handled', ...ctx, items: items.length, stored, deleted: gone.length });
      return items.length;
    } catch (err) {
      if (err instanceof IntegrationNotActiveError || isTikTokError(err, 'auth-revoked', 'auth-expired')) {
        await this.finish(items, 'integration-not-active');
        return items.length;
      }
      if (isTikTokError(err, 'not-found')) {
        await this.finish(items, 'video-gone');
        return items.length;
      }
      if (isTikTokError(err, 'rate-limited')) {
        await this.release(items, err.retryAfterMs ?? 5_000);
        return 0;
      }
      this.log.warn({ msg: 'webhook items failed; retried later', ...ctx, err: (err as Error).message });
      await this.retryLater(items, isTikTokError(err) ? err.kind : 'INTERNAL_ERROR', false);
      return 0;
    }
  }

  /**
   * The webhook's text against the comment TikTok returned by id. What is stored is always TikTok's
   * read-back; a difference (an edit or a moderation between the event and the read, or a bad
   * delivery) is only logged, at debug, as digests and lengths: the text is personal data.
   */
  private compareTexts(
    items: ItemRow[],
    present: TikTokComment[],
    ctx: Record<string, string>,
  ): void {
    const byId = new Map(present.map((c) => [c.commentId, c]));
    for (const it of items) {
      const read = byId.get(it.tiktok_comment_id);
      if (it.text_digest === null || !read) continue;
      const readDigest = textDigest(read.text);
      if (readDigest !== it.text_digest) {
        this.log.debug({
          msg: 'webhook text differs from the comment read from TikTok; TikTok’s is stored',
          ...ctx,
          tiktokCommentId: it.tiktok_comment_id,
          webhookTextDigest: it.text_digest,
          tiktokTextDigest: readDigest,
          tiktokTextLength: [...read.text].length,
        });
      }
    }
  }

  private async finish(items: ItemRow[], outcome: string): Promise<void> {
    await this.db.inTenant(items[0].tenant_id, (tx) =>
      tx.run(
        `update tiktok_webhook_item set handled_at = now(), outcome = $3, lease_until = null
          where integration_id = $1 and delivery_hash = any($2::text[])`,
        [items[0].integration_id, items.map((i) => i.delivery_hash), outcome],
      ),
    );
  }

  /** The budget has no room: try again when it has, without counting an attempt. */
  private async release(items: ItemRow[], afterMs: number): Promise<void> {
    await this.db.inTenant(items[0].tenant_id, (tx) =>
      tx.run(
        `update tiktok_webhook_item set lease_until = null, next_attempt_at = now() + $3 * interval '1 millisecond'
          where integration_id = $1 and delivery_hash = any($2::text[])`,
        [items[0].integration_id, items.map((i) => i.delivery_hash), afterMs],
      ),
    );
  }

  /** Jittered backoff by attempt (1 s, 2 s, 4 s, … up to 10 min); dropped after 72 h. */
  private async retryLater(items: ItemRow[], error: string, videoUnknown: boolean): Promise<void> {
    const tooOld = items.filter((i) => Date.now() - i.received_at.getTime() > GIVE_UP_MS);
    if (tooOld.length > 0) await this.finish(tooOld, videoUnknown ? 'gave-up-video-unknown' : 'gave-up');
    const rest = items.filter((i) => !tooOld.includes(i));
    if (rest.length === 0) return;
    const attempts = Math.max(...rest.map((i) => i.attempts)) + 1;
    const cap = Math.min(600_000, 1_000 * 2 ** Math.min(attempts, 20));
    const delay = Math.floor(cap / 2 + (Math.random() * cap) / 2);
    await this.db.inTenant(rest[0].tenant_id, (tx) =>
      tx.run(
        `update tiktok_webhook_item set lease_until = null, attempts = attempts + 1, last_error = $3,
                next_attempt_at = now() + $4 * interval '1 millisecond'
          where integration_id = $1 and delivery_hash = any($2::text[])`,
        [rest[0].integration_id, rest.map((i) => i.delivery_hash), error, delay],
      ),
    );
  }
}
