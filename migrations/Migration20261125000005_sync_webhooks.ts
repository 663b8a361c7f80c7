import { Migration } from '@mikro-orm/migrations';
import { tenantRlsSql } from '../src/shared/database/rls';

/**
 * Comment webhook intake (DESIGN.md section 2). The sync saga's own state needs no table: it lives
 * on `tiktok_integration` (stage, checkpoint, lease) and on `tiktok_video` (next poll, last
 * reconciliation), written by their owning modules.
 *
 * - `tiktok_webhook_delivery` is cross-tenant intake, deliberately without `tenant_id` and without
 *   row-level security: TikTok signs a delivery for the app and names only a TikTok account
 *   (`user_openid`). Which tenants it belongs to is unknown when it arrives, and may be several
 *   (two tenants can connect one account). The primary key is the SHA-256 of the raw body, so a
 *   repeated delivery (TikTok retries for up to 72 h, at least once) is stored once. Reached only
 *   through `Database.inSystem` by the webhook intake. The body (it holds a commenter's text) is
 *   cleared once the delivery has been fanned out to its tenants; the hash stays for dedupe.
 * - `tiktok_webhook_item` is the fan-out: one row per (tenant, integration, delivery), a tenant
 *   table like any other (RLS), worked by the intake worker until the comment has been read
 *   from TikTok and stored, or the action applied. A delivery for a video not yet known stays
 *   here (retried with backoff) until the video is known.
 */
export class Migration20261125000005SyncWebhooks extends Migration {
  override async up(): Promise<void> {
    const sql = [
      `create table tiktok_webhook_delivery (
        content_hash text primary key,
        user_openid text not null,
        event text not null,
        body text,
        signed_at timestamptz not null,
        received_at timestamptz not null default now(),
        fanned_out_at timestamptz,
        fanned_out_to int
      )`,
      `create index tiktok_webhook_delivery_pending_idx on tiktok_webhook_delivery (received_at) where fanned_out_at is null`,
      `create table tiktok_webhook_item (
        tenant_id text not null,
        integration_id uuid not null,
        delivery_hash text not null,
        tiktok_video_id text not null,
        tiktok_comment_id text not null,
        tiktok_parent_id text,
        action text not null,
        received_at timestamptz not null,
        attempts int not null default 0,
        next_attempt_at timestamptz not null default now(),
        lease_until timestamptz,
        last_error text,
        handled_at timestamptz,
        outcome text,
        primary key (tenant_id, integration_id, delivery_hash)
      )`,
      `create index tiktok_webhook_item_due_idx on tiktok_webhook_item (next_attempt_at) where handled_at is null`,
      `create index tiktok_webhook_item_video_idx on tiktok_webhook_item (tenant_id, integration_id, tiktok_video_id) where handled_at is null`,
      ...tenantRlsSql('tiktok_webhook_item'),
    ];
    for (const s of sql) this.addSql(s);
  }
}
