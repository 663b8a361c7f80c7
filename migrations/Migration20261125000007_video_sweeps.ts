import { Migration } from '@mikro-orm/migrations';

/**
 * When the sync last read a video's whole top-level comment list comparing `replies` counts
 * (a sweep, a backfill or a reconciliation): a reply under a comment below the first page is
 * found only by such a read, so videos under a week old are swept on a short cycle. The sweep's
 * pick reads the recent videos through `tiktok_video_page_idx` (few rows), so no index is added.
 */
export class Migration20261125000007VideoSweeps extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table tiktok_video add column last_swept_at timestamptz`);
    // a full read already happened for every video that was backfilled or reconciled
    this.addSql(`update tiktok_video set last_swept_at = last_reconciled_at where last_reconciled_at is not null`);
  }
}
