import { Migration } from '@mikro-orm/migrations';

/**
 * Our own posts that TikTok has not confirmed yet (no TikTok id): the ingest looks for one of them
 * whenever the account's own comment arrives that it does not know (`matchOwnPost`). Without this
 * index that lookup read every stored comment of the integration, once per own comment of a page
 * (30 ms at 20,000 comments, bench/sync-backfill). The index holds only the few unconfirmed posts.
 */
export class Migration20261125000006UnmatchedPosts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index tiktok_comment_unmatched_post_idx on tiktok_comment (tenant_id, integration_id, attempt_started_at)
         where from_account and tiktok_comment_id is null and not deleted`,
    );
  }
}
