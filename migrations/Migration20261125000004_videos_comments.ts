import { Migration } from '@mikro-orm/migrations';
import { tenantRlsSql } from '../src/shared/database/rls';

/**
 * Videos and comments (the Social Media inbox), plus the idempotency keys of reply/comment posts.
 *
 * - Natural keys are unique per (tenant, integration, TikTok id) so the sync can upsert with
 *   `on conflict` and every comment is stored once however often it arrives. `tiktok_comment_id`
 *   is null while a reply posted from Echo has not been sent (nulls are distinct in a unique key).
 * - `tenant_id` leads every index; the trigram index needs `btree_gin` for that (a trusted
 *   extension, so the app role may create it).
 * - Inbox pages are keyset pages on (posted_at desc, id desc), hence the index shapes.
 */
export class Migration20261125000004VideosComments extends Migration {
  override async up(): Promise<void> {
    const sql = [
      `create extension if not exists btree_gin`,
      `create table tiktok_video (
        tenant_id text not null,
        id uuid not null,
        integration_id uuid not null,
        tiktok_video_id text not null,
        url text not null default '',
        caption text not null default '',
        thumbnail_url text,
        posted_at timestamptz not null,
        comment_count int not null default 0,
        last_comment_at timestamptz,
        source text not null check (source in ('sync', 'url')),
        added_at timestamptz not null default now(),
        added_by text,
        gone_at timestamptz,
        next_poll_at timestamptz,
        poll_interval_seconds int,
        last_polled_at timestamptz,
        last_reconciled_at timestamptz,
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        unique (tenant_id, integration_id, tiktok_video_id)
      )`,
      `create index tiktok_video_page_idx on tiktok_video (tenant_id, integration_id, posted_at desc, id desc)`,
      `create index tiktok_video_due_idx on tiktok_video (tenant_id, integration_id, next_poll_at) where gone_at is null`,
      `create index tiktok_video_reconcile_idx on tiktok_video (tenant_id, integration_id, last_reconciled_at nulls first) where gone_at is null`,
      `create table tiktok_comment (
        tenant_id text not null,
        id uuid not null,
        integration_id uuid not null,
        video_id uuid not null,
        tiktok_video_id text not null,
        tiktok_comment_id text,
        parent_id uuid,
        tiktok_parent_id text,
        reply_to_id uuid,
        author_username text not null default '',
        author_display_name text not null default '',
        author_avatar_url text,
        author_unique_id text,
        text text not null,
        like_count int not null default 0,
        reply_count int not null default 0,
        posted_at timestamptz not null,
        from_account boolean not null default false,
        hidden boolean not null default false,
        deleted boolean not null default false,
        deleted_at timestamptz,
        delivery_state text check (delivery_state in ('pending', 'sent', 'failed')),
        delivery_error text,
        posted_by text,
        delivery_attempts int not null default 0,
        attempt_started_at timestamptz,
        outcome_unknown boolean not null default false,
        next_delivery_at timestamptz,
        delivery_lease_until timestamptz,
        received_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        unique (tenant_id, integration_id, tiktok_comment_id),
        foreign key (tenant_id, video_id) references tiktok_video (tenant_id, id)
      )`,
      `create index tiktok_comment_page_idx on tiktok_comment (tenant_id, posted_at desc, id desc) where not deleted`,
      `create index tiktok_comment_integration_page_idx on tiktok_comment (tenant_id, integration_id, posted_at desc, id desc) where not deleted`,
      `create index tiktok_comment_video_page_idx on tiktok_comment (tenant_id, video_id, posted_at desc, id desc) where not deleted`,
      `create index tiktok_comment_parent_idx on tiktok_comment (tenant_id, parent_id) where parent_id is not null`,
      `create index tiktok_comment_reply_to_idx on tiktok_comment (tenant_id, reply_to_id) where reply_to_id is not null`,
      `create index tiktok_comment_delivery_idx on tiktok_comment (tenant_id, next_delivery_at) where delivery_state = 'pending'`,
      `create index tiktok_comment_text_trgm_idx on tiktok_comment using gin (tenant_id, text gin_trgm_ops)`,
      `create table comment_idempotency (
        tenant_id text not null,
        user_id text not null,
        route text not null,
        key text not null,
        request_hash text not null,
        comment_id uuid not null,
        status_code int not null,
        warnings jsonb not null default '[]'::jsonb,
        completed_at timestamptz,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        primary key (tenant_id, user_id, route, key)
      )`,
      `create index comment_idempotency_expiry_idx on comment_idempotency (tenant_id, expires_at)`,
      ...tenantRlsSql('tiktok_video'),
      ...tenantRlsSql('tiktok_comment'),
      ...tenantRlsSql('comment_idempotency'),
    ];
    for (const s of sql) this.addSql(s);
  }
}
