import { Injectable } from '@nestjs/common';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { GetVideoQuery } from '@modules/videos/contracts';
import { uuidV7 } from '@shared/database/uuid';
import { Database } from '@shared/database/database';
import type { Tx } from '@shared/database/tx';
import { EventLog } from '@shared/event-log/event-log';
import type { NewEvent } from '@shared/event-log/event.types';
import type { TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { IngestCommentPagesCommand, IngestCommentsCommand, type IngestCommentsResult } from '../../../contracts';
import { COMMENT_EVENTS, commentEventData } from '../../../domain/comment-events';
import { READ_BACK_SKEW_MS } from '../../../domain/delivery';
import { toIngestRows, type IngestRow } from '../../../domain/ingest';
import { CommentRepository, type CommentRow } from '../../../infrastructure/comment.repository';
import { receivedDataJcsSql } from '../../../infrastructure/received-event.sql';
import { PostDelivery } from '../../delivery/post-delivery';

/** What the upsert returns of a row it inserted or changed. */
interface UpsertedRow {
  id: string;
  tiktok_comment_id: string;
  tiktok_video_id: string;
  parent_id: string | null;
  tiktok_parent_id: string | null;
  author_username: string;
  author_display_name: string;
  text: string;
  from_account: boolean;
  hidden: boolean;
  posted_at: Date;
  inserted: boolean;
}

/** An ingest row with the Echo ids the statement writes. */
type PlannedRow = IngestRow & { id: string; video_id: string; parent_id: string | null; page: number };

/**
 * The columns an ingest writes, and how each row's JSON gives them. Ids and `posted_at` arrive
 * as text: the `received` event's data is written from these same strings (`receivedDataJcsSql`).
 */
const ROW_COLUMNS = `tenant_id, id, integration_id, video_id, tiktok_video_id, tiktok_comment_id, parent_id, tiktok_parent_id,
  author_username, author_display_name, author_avatar_url, author_unique_id, text, like_count, reply_count, posted_at, from_account, hidden`;
const ROW_VALUES = `x.video_id::uuid, x.tiktok_video_id, x.tiktok_comment_id, x.parent_id::uuid, x.tiktok_parent_id, x.author_username,
  x.author_display_name, x.author_avatar_url, x.author_unique_id, x.text, x.like_count, x.reply_count, x.posted_at::timestamptz,
  x.from_account, x.hidden`;
const ROW_TYPES = `x(id text, video_id text, tiktok_comment_id text, tiktok_video_id text, tiktok_parent_id text, parent_id text,
  author_username text, author_display_name text, author_avatar_url text, author_unique_id text, text text, like_count int,
  reply_count int, posted_at text, from_account boolean, hidden boolean)`;

function rowsJson(rows: PlannedRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      video_id: r.video_id,
      tiktok_comment_id: r.tiktok_comment_id,
      tiktok_video_id: r.tiktok_video_id,
      tiktok_parent_id: r.tiktok_parent_id,
      parent_id: r.parent_id,
      author_username: r.author_username,
      author_display_name: r.author_display_name,
      author_avatar_url: r.author_avatar_url,
      author_unique_id: r.author_unique_id,
      text: r.text,
      like_count: r.like_count,
      reply_count: r.reply_count,
      posted_at: r.posted_at,
      from_account: r.from_account,
      hidden: r.hidden,
    })),
  );
}

/**
 * A concurrent writer stored one of our fresh comments first (unique key of TikTok's id), or the
 * two waited on each other: the transaction is rolled back and the ingest runs again.
 */
function isRace(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return (e.code === '23505' && e.constraint === 'tiktok_comment_tenant_id_integration_id_tiktok_comment_id_key') || e.code === '40P01';
}

/** How many stored videos `CommentIngest` remembers having seen. */
const STORED_VIDEOS_KEPT = 50_000;

const SYNC_ACTOR = { type: 'system' as const, id: 'tiktok-sync' };
/** A concurrent writer stored a comment this transaction expected to insert: the ingest starts over. */
const MAX_ATTEMPTS = 3;

class IngestRaceError extends Error {
  constructor() {
    super('a comment expected to be new was stored by a concurrent writer');
  }
}

/**
 * Stores pages of comments as TikTok listed them (see `IngestCommentsCommand`), all in one
 * transaction, in three round trips whatever the number of pages: a probe of the stored ids, one
 * statement that inserts the new rows with the `tiktok.comment.received` event of each and
 * upserts the stored ones, and the commit.
 *
 * Why the events are exactly one per inserted row: Echo ids are chosen here (time-ordered), so a
 * row the probe did not find is planned with its id and its parent's, and the statement inserts
 * it with a plain `insert` that also writes its event, built from the same row (`write`). A row
 * the probe found keeps its stored id, is upserted, and gets no event. If a concurrent writer (the
 * webhook worker, say) stored one of the new rows between the probe and the statement, the plain
 * insert waits for it and fails on the unique key: the transaction rolls back with every event,
 * runs again, and the probe then finds the row (its id, and a reply's link to it, are the stored
 * ones).
 */
@Injectable()
export class CommentIngest {
  /**
   * Videos (tenant/integration/video) seen stored through the videos module. A video is never
   * deleted (the database refuses it), so one look is enough; bounded, oldest forgotten first.
   */
  private readonly storedVideos = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly comments: CommentRepository,
    private readonly delivery: PostDelivery,
    private readonly eventLog: EventLog,
    private readonly queries: QueryBus,
  ) {}

  async ingest(
    tenant: string,
    integrationId: string,
    pages: readonly { videoId: string; comments: readonly TikTokComment[] }[],
    also?: (tx: Tx) => Promise<void>,
  ): Promise<IngestCommentsResult[]> {
    // Rows of every page, repeats collapsed across pages too (one statement must not touch a row
    // twice); the last copy wins, as within a page.
    const byId = new Map<string, IngestRow & { video_id: string; page: number }>();
    pages.forEach((p, page) => {
      const { topLevel, replies } = toIngestRows(p.comments);
      for (const r of [...topLevel, ...replies]) {
        byId.delete(r.tiktok_comment_id);
        byId.set(r.tiktok_comment_id, { ...r, video_id: p.videoId, page });
      }
    });
    const rows = [...byId.values()].sort((a, b) => Number(a.tiktok_parent_id !== null) - Number(b.tiktok_parent_id !== null));
    if (rows.length === 0 && !also) return pages.map(() => ({ insertedIds: [], updated: 0, matched: 0 }));
    await this.requireStoredVideos(tenant, integrationId, pages.map((p) => p.videoId));
    for (let attempt = 1; ; attempt++) {
      try {
        // What TikTok lists can be read again: a crash may lose the last moment of ingest (never a
        // part of one), and whatever the comments' readers see is committed durably after it.
        // A matched post of ours is different: that commit must last (it settles a delivery).
        return await this.db.inTenant(tenant, (tx) => this.once(tx, integrationId, pages.length, rows, also), { deferredCommit: true });
      } catch (err) {
        if (!(err instanceof IngestRaceError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Every comment names a stored video of its integration. The videos module says so
   * (`GetVideoQuery`, once per video: a video is never deleted, so it is still there when the
   * comments commit). This replaced a foreign key whose locking check ran for every inserted row.
   */
  private async requireStoredVideos(tenant: string, integrationId: string, videoIds: string[]): Promise<void> {
    for (const videoId of new Set(videoIds)) {
      const key = `${tenant}/${integrationId}/${videoId}`;
      if (this.storedVideos.has(key)) continue;
      const video = await this.queries.execute(new GetVideoQuery(tenant, videoId));
      if (!video || video.integrationId !== integrationId) throw new Error(`comments name a video that is not stored: ${videoId}`);
      if (this.storedVideos.size >= STORED_VIDEOS_KEPT) this.storedVideos.delete(this.storedVideos.values().next().value!);
      this.storedVideos.add(key);
    }
  }

  private async once(
    tx: Tx,
    integrationId: string,
    pageCount: number,
    rows: (IngestRow & { video_id: string; page: number })[],
    also: ((tx: Tx) => Promise<void>) | undefined,
  ): Promise<IngestCommentsResult[]> {
    const results: IngestCommentsResult[] = Array.from({ length: pageCount }, () => ({ insertedIds: [], updated: 0, matched: 0 }));
    if (rows.length > 0) {
      const inBatch = new Set(rows.map((r) => r.tiktok_comment_id));
      const parentsElsewhere = rows.flatMap((r) => (r.tiktok_parent_id !== null && !inBatch.has(r.tiktok_parent_id) ? [r.tiktok_parent_id] : []));
      const probe = await this.comments.probeForIngest(
        tx,
        integrationId,
        [...inBatch, ...parentsElsewhere],
        rows.some((r) => r.from_account),
      );
      const before = probe.stored;
      /** TikTok id → Echo id: stored rows, our posts matched now, and the ids chosen for new rows */
      const echoId = new Map([...before].map(([k, v]) => [k, v.id]));
      if (probe.unconfirmedPosts) {
        for (const r of rows) {
          if (!r.from_account || before.has(r.tiktok_comment_id)) continue;
          const post = await this.matchOwnPost(tx, integrationId, r);
          if (!post) continue;
          echoId.set(r.tiktok_comment_id, post.id);
          results[r.page].matched += 1;
          tx.requireDurableCommit();
        }
      }
      const expected = new Set<string>();
      for (const r of rows) {
        if (echoId.has(r.tiktok_comment_id)) continue;
        const id = uuidV7();
        echoId.set(r.tiktok_comment_id, id);
        expected.add(id);
      }
      const planned: PlannedRow[] = rows.map((r) => ({
        ...r,
        id: echoId.get(r.tiktok_comment_id)!,
        parent_id: r.tiktok_parent_id === null ? null : (echoId.get(r.tiktok_parent_id) ?? null),
      }));
      const fresh = planned.filter((r) => expected.has(r.id));
      const known = planned.filter((r) => !expected.has(r.id));
      if (fresh.length > 0) this.eventLog.appendsIn(tx);
      const written = await this.write(tx, integrationId, fresh, known);
      for (const r of fresh) results[r.page].insertedIds.push(r.id);
      const plannedOf = new Map(known.map((r) => [r.tiktok_comment_id, r]));
      const changed: NewEvent[] = [];
      for (const row of written.updated) {
        const plan = plannedOf.get(row.tiktok_comment_id)!;
        results[plan.page].updated += 1;
        const was = before.get(row.tiktok_comment_id);
        if (was && was.hidden !== row.hidden) {
          changed.push(this.event(COMMENT_EVENTS.changed, tx.tenant, integrationId, plan.video_id, row, { change: row.hidden ? 'hidden' : 'unhidden' }));
        }
      }
      if (changed.length > 0) await this.eventLog.append(tx, changed);
    }
    if (also) await also(tx);
    return results;
  }

  /**
   * An own comment TikTok lists that we have not stored may be one of our posts whose answer was
   * lost: same thread, same text, stamped no earlier than our attempt began. It becomes that post.
   */
  private async matchOwnPost(tx: Tx, integrationId: string, r: IngestRow): Promise<CommentRow | undefined> {
    const latestStart = new Date(Date.parse(r.posted_at) + 1000 + READ_BACK_SKEW_MS).toISOString();
    const post = await tx.one<CommentRow>(
      `select * from tiktok_comment
        where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and from_account and tiktok_comment_id is null and not deleted
          and attempt_started_at is not null and attempt_started_at <= $4::timestamptz
          and (delivery_state = 'pending' or (delivery_state = 'failed' and delivery_error = 'OUTCOME_UNKNOWN'))
          and text = $2 and tiktok_parent_id is not distinct from $3
        order by attempt_started_at asc, id asc limit 1 for update skip locked`,
      [integrationId, r.text.trim(), r.tiktok_parent_id, latestStart],
    );
    if (!post) return undefined;
    await this.delivery.markSent(tx.tenant, post, r.tiktok_comment_id, tx);
    return post;
  }

  /**
   * One statement: a plain multi-row insert of the rows the probe did not find (`fresh`), the
   * `received` event of each written from the same row (its data's JCS text built here, see
   * `receivedDataJcsSql`), and an upsert of the rows it found (`known`). Ids and reply
   * parents come with the rows (see the class comment), so top-level comments and replies go
   * together.
   *
   * A fresh row that a concurrent writer stored since the probe makes the insert fail on the
   * unique key (after waiting for that writer's commit): the transaction rolls back with its
   * events, and the ingest runs again (`IngestRaceError`). So the events are exactly those of the
   * rows inserted, without a join on what was inserted. Known rows: `where ... is distinct from` skips
   * those where nothing changed (no write, not returned); a comment TikTok lists is not deleted.
   */
  private async write(
    tx: Tx,
    integrationId: string,
    fresh: PlannedRow[],
    known: PlannedRow[],
  ): Promise<{ updated: UpsertedRow[] }> {
    const ctes = [
      // parsed once, read by both inserts
      `x as materialized (select * from json_to_recordset($2::json) as ${ROW_TYPES})`,
      `ins as (
         insert into tiktok_comment (${ROW_COLUMNS})
         select current_setting('app.tenant_id'), x.id::uuid, $1::uuid, ${ROW_VALUES} from x)`,
      `ev as (${EventLog.insertSelectSql(
        `select uuid_v7(), current_setting('app.tenant_id'), '${COMMENT_EVENTS.received}', date_trunc('milliseconds', now()),
                '${JSON.stringify(SYNC_ACTOR)}'::jsonb, jsonb_build_object('type', 'comment', 'id', e.id), e.data::jsonb,
                ${EventLog.dataDigestSql('e.data')}, $1::uuid
           from (select x.id, ${receivedDataJcsSql('x', '$3::text')} as data from x) e`,
      )})`,
    ];
    if (known.length > 0) {
      ctes.push(`up as (
         insert into tiktok_comment as c (${ROW_COLUMNS})
         select current_setting('app.tenant_id'), x.id::uuid, $1::uuid, ${ROW_VALUES}
           from json_to_recordset($4::json) as ${ROW_TYPES}
         on conflict (tenant_id, integration_id, tiktok_comment_id) do update set
           text = excluded.text, like_count = excluded.like_count, reply_count = excluded.reply_count, hidden = excluded.hidden,
           author_username = excluded.author_username, author_display_name = excluded.author_display_name,
           author_avatar_url = excluded.author_avatar_url, author_unique_id = excluded.author_unique_id,
           parent_id = coalesce(c.parent_id, excluded.parent_id), deleted = false, deleted_at = null, updated_at = now()
         where (c.text, c.like_count, c.reply_count, c.hidden, c.author_username, c.author_display_name, c.author_avatar_url,
                c.author_unique_id, c.deleted, c.parent_id)
               is distinct from
               (excluded.text, excluded.like_count, excluded.reply_count, excluded.hidden, excluded.author_username,
                excluded.author_display_name, excluded.author_avatar_url, excluded.author_unique_id, false,
                coalesce(c.parent_id, excluded.parent_id))
         returning c.id, c.tiktok_comment_id, c.tiktok_video_id, c.parent_id, c.tiktok_parent_id, c.author_username,
                   c.author_display_name, c.text, c.from_account, c.hidden, c.posted_at, (c.xmax = 0) as inserted)`);
    }
    const params: unknown[] = [integrationId, rowsJson(fresh), integrationId];
    if (known.length > 0) params.push(rowsJson(known));
    let row: { updated: (Omit<UpsertedRow, 'posted_at'> & { posted_at: string })[] | null } | undefined;
    try {
      row = await tx.one(
        `with ${ctes.join(',\n')}
         select ${known.length > 0 ? '(select json_agg(up) from up)' : 'null::json'} as updated`,
        params,
      );
    } catch (err) {
      if (isRace(err)) throw new IngestRaceError();
      throw err;
    }
    const updated = (row?.updated ?? []).map((u) => ({ ...u, posted_at: new Date(u.posted_at) }));
    // a known row is never deleted, so it cannot be inserted again; if it was, its id is not ours
    if (updated.some((u) => u.inserted)) throw new IngestRaceError();
    return { updated };
  }

  private event(
    type: string,
    tenant: string,
    integrationId: string,
    videoId: string,
    row: Pick<UpsertedRow, 'id' | 'tiktok_video_id' | 'tiktok_comment_id' | 'parent_id' | 'tiktok_parent_id' | 'author_username' | 'author_display_name' | 'text' | 'from_account' | 'hidden' | 'posted_at'>,
    extra: Record<string, unknown>,
  ): NewEvent {
    return {
      type,
      actor: SYNC_ACTOR,
      subject: { type: 'comment', id: row.id },
      integrationId,
      data: {
        ...commentEventData(tenant, integrationId, {
          commentId: row.id,
          videoId,
          tiktokVideoId: row.tiktok_video_id,
          tiktokCommentId: row.tiktok_comment_id,
          parentId: row.parent_id,
          tiktokParentId: row.tiktok_parent_id,
          authorUsername: row.author_username,
          authorDisplayName: row.author_display_name,
          text: row.text,
          fromAccount: row.from_account,
          hidden: row.hidden,
          postedAt: row.posted_at.toISOString(),
        }),
        ...extra,
      },
    };
  }
}

/** Stores a batch of one video's comments (see `IngestCommentsCommand`), in one transaction. */
@CommandHandler(IngestCommentsCommand)
export class IngestCommentsHandler implements ICommandHandler<IngestCommentsCommand, IngestCommentsResult> {
  constructor(private readonly ingest: CommentIngest) {}

  async execute(cmd: IngestCommentsCommand): Promise<IngestCommentsResult> {
    const [result] = await this.ingest.ingest(cmd.tenant, cmd.integrationId, [{ videoId: cmd.videoId, comments: cmd.comments }]);
    return result;
  }
}

/** Stores several videos' pages (see `IngestCommentPagesCommand`), in one transaction. */
@CommandHandler(IngestCommentPagesCommand)
export class IngestCommentPagesHandler implements ICommandHandler<IngestCommentPagesCommand, IngestCommentsResult[]> {
  constructor(private readonly ingest: CommentIngest) {}

  execute(cmd: IngestCommentPagesCommand): Promise<IngestCommentsResult[]> {
    return this.ingest.ingest(cmd.tenant, cmd.integrationId, cmd.pages, cmd.alsoInTransaction);
  }
}
