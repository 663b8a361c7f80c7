import { Migration } from '@mikro-orm/migrations';

/**
 * TikTok's 2026 changes (TIKTOK-API.md sections 5a and 6):
 * - `tiktok_video.promoted`: `video/list`'s `is_ad`; null while TikTok has not said.
 * - `tiktok_integration.unavailable_fields`: fields TikTok answered `40130` for on this account
 *   (the app may not read them); the client stops asking for them, across restarts.
 * - `tiktok_webhook_item.text_digest`: a short SHA-256 of the `text` a `comment.update` carried,
 *   compared with the comment TikTok returns by id. Only the digest: the text is personal data,
 *   and what is stored is always TikTok's read-back.
 */
export class Migration20261203000012Tiktok2026Fields extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table tiktok_video add column promoted boolean`);
    this.addSql(
      `alter table tiktok_integration add column unavailable_fields text[] not null default '{}'`,
    );
    this.addSql(`alter table tiktok_webhook_item add column text_digest text`);
  }
}
