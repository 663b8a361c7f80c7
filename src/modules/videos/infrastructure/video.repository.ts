import { Injectable } from '@nestjs/common';
import type { Tx } from '@shared/database/tx';
import type { VideoSummary } from '../contracts';
import type { VideoUpsertRow, VideoView } from '../domain/video';

interface VideoRow {
  id: string;
  tenant_id: string;
  integration_id: string;
  tiktok_video_id: string;
  url: string;
  caption: string;
  thumbnail_url: string | null;
  posted_at: Date;
  comment_count: number;
  last_comment_at: Date | null;
  source: 'sync' | 'url';
  added_at: Date;
  gone_at: Date | null;
  promoted: boolean | null;
}

const COLUMNS = `id, tenant_id, integration_id, tiktok_video_id, url, caption, thumbnail_url, posted_at,
  comment_count, last_comment_at, source, added_at, gone_at, promoted`;

/** SQL of the `tiktok_video` table. No rules here: the handlers decide. */
@Injectable()
export class VideoRepository {
  async find(tx: Tx, id: string): Promise<VideoSummary | null> {
    const row = await tx.one<VideoRow>(`select ${COLUMNS} from tiktok_video where tenant_id = current_setting('app.tenant_id') and id = $1`, [id]);
    return row ? toSummary(row) : null;
  }

  /** One video as the API shows it. */
  async view(tx: Tx, id: string): Promise<VideoView | null> {
    const row = await tx.one<VideoRow>(`select ${COLUMNS} from tiktok_video where tenant_id = current_setting('app.tenant_id') and id = $1`, [id]);
    return row ? toView(row) : null;
  }

  /** A keyset page, newest first by posted_at then id; `after` is the last row of the previous page. */
  async page(tx: Tx, integrationId: string, after: { postedAt: string; id: string } | undefined, limit: number): Promise<VideoView[]> {
    const params: unknown[] = [integrationId, limit];
    let keyset = '';
    if (after) {
      params.push(after.postedAt, after.id);
      keyset = `and (posted_at, id) < ($3::timestamptz, $4::uuid)`;
    }
    const rows = await tx.query<VideoRow>(
      `select ${COLUMNS} from tiktok_video
        where tenant_id = current_setting('app.tenant_id') and integration_id = $1 ${keyset}
        order by posted_at desc, id desc limit $2`,
      params,
    );
    return rows.map(toView);
  }

  /**
   * One multi-row upsert. An empty url or caption (a field not asked for) keeps the stored value
   * (trade-off: a caption emptied at TikTok stays until the video is re-added); so does a
   * `promoted` TikTok did not say this time (`is_ad` absent or no longer readable); so does a
   * zero comment count (the field not asked for), so a count never drops back to 0. The `where ... is distinct from` clause skips rows where nothing changed
   * (no dead tuple, not counted as updated); `xmax = 0` tells a fresh insert from an update.
   */
  async upsert(
    tx: Tx,
    integrationId: string,
    rows: VideoUpsertRow[],
    source: 'sync' | 'url',
    addedBy: string | null,
  ): Promise<{ id: string; tiktok_video_id: string; url: string; caption: string; posted_at: Date; inserted: boolean }[]> {
    if (rows.length === 0) return [];
    return tx.query(
      `insert into tiktok_video as v (tenant_id, id, integration_id, tiktok_video_id, url, caption, thumbnail_url,
                                      posted_at, comment_count, source, added_by, next_poll_at, promoted)
       select current_setting('app.tenant_id'), gen_random_uuid(), $1::uuid, x.tiktok_video_id, coalesce(x.url, ''),
              coalesce(x.caption, ''), x.thumbnail_url, coalesce(x.posted_at, date_trunc('milliseconds', now())),
              coalesce(x.comment_count, 0), $2, $3, now(), x.promoted
         from jsonb_to_recordset($4::jsonb) as x(tiktok_video_id text, url text, caption text, thumbnail_url text,
                                                 posted_at timestamptz, comment_count int, promoted boolean)
       on conflict (tenant_id, integration_id, tiktok_video_id) do update set
         url = case when excluded.url = '' then v.url else excluded.url end,
         caption = case when excluded.caption = '' then v.caption else excluded.caption end,
         thumbnail_url = coalesce(excluded.thumbnail_url, v.thumbnail_url),
         comment_count = case when excluded.comment_count = 0 then v.comment_count else excluded.comment_count end,
         promoted = coalesce(excluded.promoted, v.promoted),
         gone_at = null,
         updated_at = now()
       where (v.url, v.caption, v.thumbnail_url, v.comment_count, v.promoted, v.gone_at)
             is distinct from (case when excluded.url = '' then v.url else excluded.url end,
                               case when excluded.caption = '' then v.caption else excluded.caption end,
                               coalesce(excluded.thumbnail_url, v.thumbnail_url),
                               case when excluded.comment_count = 0 then v.comment_count else excluded.comment_count end,
                               coalesce(excluded.promoted, v.promoted), null)
       returning v.id, v.tiktok_video_id, v.url, v.caption, v.posted_at, (v.xmax = 0) as inserted`,
      [integrationId, source, addedBy, JSON.stringify(rows)],
    );
  }
}

function toSummary(r: VideoRow): VideoSummary {
  return {
    id: r.id,
    tenant: r.tenant_id,
    integrationId: r.integration_id,
    tiktokVideoId: r.tiktok_video_id,
    url: r.url,
    caption: r.caption,
    postedAt: r.posted_at,
    source: r.source,
    goneAt: r.gone_at,
  };
}

function toView(r: VideoRow): VideoView {
  return {
    id: r.id,
    integrationId: r.integration_id,
    tiktokVideoId: r.tiktok_video_id,
    url: r.url,
    caption: r.caption,
    thumbnailUrl: r.thumbnail_url,
    postedAt: r.posted_at.toISOString(),
    commentCount: r.comment_count,
    lastCommentAt: r.last_comment_at ? r.last_comment_at.toISOString() : null,
    source: r.source,
    addedAt: r.added_at.toISOString(),
    promoted: r.promoted,
  };
}
