import { Migration } from '@mikro-orm/migrations';

/**
 * `tiktok_comment.video_id` no longer has a foreign key to `tiktok_video`. Its check ran a
 * locking lookup of the video for every inserted comment: about a sixth of the ingest
 * statement's time during a backfill (bench/sync-backfill). What it guarded is held otherwise:
 * - the ingest stores comments only for a video the videos module says is stored for that
 *   integration (`GetVideoQuery`, once per video: `CommentIngest.requireStoredVideos`); a post
 *   from Echo names a video it has just read the same way;
 * - a video is never deleted (it is marked `gone_at`), and the database refuses a delete, so a
 *   video a comment names stays there.
 */
export class Migration20261203000009CommentVideoCheck extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table tiktok_comment drop constraint tiktok_comment_tenant_id_video_id_fkey`);
    this.addSql(`create function tiktok_video_no_delete() returns trigger language plpgsql as $$
       begin
         raise exception 'videos are never deleted (comments name them): mark them gone instead'
           using errcode = 'restrict_violation';
       end $$`);
    this.addSql(`create trigger tiktok_video_no_delete before delete on tiktok_video for each row execute function tiktok_video_no_delete()`);
  }
}
