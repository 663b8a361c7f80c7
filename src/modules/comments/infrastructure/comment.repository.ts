import { Injectable } from '@nestjs/common';
import type { Tx } from '@shared/database/tx';
import type { AccessScope } from '@shared/auth/access-scope';
import { likePattern, type CommentFilters, type CommentView } from '../domain/comment';
import type { DeliveryState } from '../domain/delivery';

/** A `tiktok_comment` row (the columns the module reads). */
export interface CommentRow {
  tenant_id: string;
  id: string;
  integration_id: string;
  video_id: string;
  tiktok_video_id: string;
  tiktok_comment_id: string | null;
  parent_id: string | null;
  tiktok_parent_id: string | null;
  reply_to_id: string | null;
  author_username: string;
  author_display_name: string;
  author_avatar_url: string | null;
  text: string;
  like_count: number;
  reply_count: number;
  posted_at: Date;
  from_account: boolean;
  hidden: boolean;
  deleted: boolean;
  delivery_state: DeliveryState | null;
  delivery_error: string | null;
  posted_by: string | null;
  delivery_attempts: number;
  attempt_started_at: Date | null;
  outcome_unknown: boolean;
  next_delivery_at: Date | null;
  delivery_lease_until: Date | null;
}

const COLUMNS = `c.tenant_id, c.id, c.integration_id, c.video_id, c.tiktok_video_id, c.tiktok_comment_id, c.parent_id,
  c.tiktok_parent_id, c.reply_to_id, c.author_username, c.author_display_name, c.author_avatar_url, c.text, c.like_count,
  c.reply_count, c.posted_at, c.from_account, c.hidden, c.deleted, c.delivery_state, c.delivery_error, c.posted_by,
  c.delivery_attempts, c.attempt_started_at, c.outcome_unknown, c.next_delivery_at, c.delivery_lease_until`;

/**
 * "Answered": the account replied to `c` (sent, pending, or seen at TikTok; failed ones do not
 * count). A reply posted from Echo names what it answers (`reply_to_id`). A reply written in
 * TikTok's own app only names its thread: it answers the top-level comment, and a fan's reply in
 * that thread when it came after it.
 */
const ANSWERED = `exists (
  select 1 from tiktok_comment r
   where r.tenant_id = c.tenant_id and r.from_account and not r.deleted
     and (r.delivery_state is null or r.delivery_state in ('pending', 'sent'))
     and (r.reply_to_id = c.id
          or (r.reply_to_id is null and c.parent_id is null and r.parent_id = c.id)
          or (r.reply_to_id is null and c.parent_id is not null and r.parent_id = c.parent_id and r.posted_at >= c.posted_at)))`;

/** Values of a new post from Echo (a reply or a top-level comment), written as `pending`. */
export interface NewPost {
  id: string;
  integrationId: string;
  videoId: string;
  tiktokVideoId: string;
  parentId: string | null;
  tiktokParentId: string | null;
  replyToId: string | null;
  author: { username: string; displayName: string; avatarUrl: string | null };
  text: string;
  postedAt: Date;
  postedBy: string;
  leaseUntil: Date;
}

/** SQL of the `tiktok_comment` table. No rules here: the services decide. */
@Injectable()
export class CommentRepository {
  /** One keyset page of the inbox, newest first by posted_at then id, filtered in SQL by the access scope. */
  async page(
    tx: Tx,
    scope: AccessScope,
    f: CommentFilters,
    after: { postedAt: string; id: string } | undefined,
    limit: number,
  ): Promise<CommentRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [`c.tenant_id = current_setting('app.tenant_id')`, 'not c.deleted'];
    if (scope.kind === 'some') where.push(`c.integration_id = any(${p(scope.integrationIds)}::uuid[])`);
    if (f.integrationId) where.push(`c.integration_id = ${p(f.integrationId)}::uuid`);
    if (f.videoId) where.push(`c.video_id = ${p(f.videoId)}::uuid`);
    if (f.since) where.push(`c.posted_at >= ${p(f.since.toISOString())}::timestamptz`);
    if (f.q) where.push(`c.text ilike ${p(likePattern(f.q))}`);
    if (f.status === 'unanswered') where.push(`not c.from_account and not ${ANSWERED}`);
    if (f.status === 'answered') where.push(`not c.from_account and ${ANSWERED}`);
    if (after) where.push(`(c.posted_at, c.id) < (${p(after.postedAt)}::timestamptz, ${p(after.id)}::uuid)`);
    return tx.query<CommentRow>(
      `select ${COLUMNS} from tiktok_comment c where ${where.join(' and ')}
        order by c.posted_at desc, c.id desc limit ${p(limit)}`,
      params,
    );
  }

  /** One comment within the scope (deleted ones too), or undefined. */
  async findInScope(tx: Tx, scope: AccessScope, id: string, lock = false): Promise<CommentRow | undefined> {
    const params: unknown[] = [id];
    let filter = '';
    if (scope.kind === 'some') {
      params.push(scope.integrationIds);
      filter = 'and c.integration_id = any($2::uuid[])';
    }
    return tx.one<CommentRow>(`select ${COLUMNS} from tiktok_comment c where c.tenant_id = current_setting('app.tenant_id') and c.id = $1 ${filter}${lock ? ' for update' : ''}`, params);
  }

  async find(tx: Tx, id: string, lock = false): Promise<CommentRow | undefined> {
    return tx.one<CommentRow>(`select ${COLUMNS} from tiktok_comment c where c.tenant_id = current_setting('app.tenant_id') and c.id = $1${lock ? ' for update' : ''}`, [id]);
  }

  /** Live replies of a comment: its thread if it is a top-level comment, plus Echo replies that answer it. */
  async replies(tx: Tx, id: string): Promise<CommentRow[]> {
    return tx.query<CommentRow>(
      `select ${COLUMNS} from tiktok_comment c
        where c.tenant_id = current_setting('app.tenant_id') and (c.parent_id = $1 or c.reply_to_id = $1) and not c.deleted
        order by c.posted_at asc, c.id asc`,
      [id],
    );
  }

  /** Whether the account replied to the comment since `since` (failed posts do not count). */
  /** Row lock on the comment being answered: replies to it are decided one after another. */
  async lockForReply(tx: Tx, id: string): Promise<void> {
    await tx.run(`select 1 from tiktok_comment where tenant_id = current_setting('app.tenant_id') and id = $1 for update`, [id]);
  }

  async answeredSince(tx: Tx, target: CommentRow, since: Date): Promise<boolean> {
    const row = await tx.one<{ answered: boolean }>(
      `select exists (
         select 1 from tiktok_comment r
          where r.tenant_id = current_setting('app.tenant_id') and r.from_account and not r.deleted and r.posted_at >= $2::timestamptz
            and (r.delivery_state is null or r.delivery_state in ('pending', 'sent'))
            and (r.reply_to_id = $1 or (r.reply_to_id is null and r.parent_id = coalesce($3::uuid, $1)))
       ) as answered`,
      [target.id, since.toISOString(), target.parent_id],
    );
    return row?.answered ?? false;
  }

  async insertPending(tx: Tx, n: NewPost): Promise<void> {
    await tx.run(
      `insert into tiktok_comment (tenant_id, id, integration_id, video_id, tiktok_video_id, parent_id, tiktok_parent_id,
          reply_to_id, author_username, author_display_name, author_avatar_url, text, posted_at, from_account,
          delivery_state, posted_by, delivery_attempts, attempt_started_at, delivery_lease_until)
       values (current_setting('app.tenant_id'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true,
               'pending', $13, 1, $12, $14)`,
      [
        n.id,
        n.integrationId,
        n.videoId,
        n.tiktokVideoId,
        n.parentId,
        n.tiktokParentId,
        n.replyToId,
        n.author.username,
        n.author.displayName,
        n.author.avatarUrl,
        n.text,
        n.postedAt.toISOString(),
        n.postedBy,
        n.leaseUntil.toISOString(),
      ],
    );
  }

  /** The TikTok ids among `ids` already stored for the integration (matched to some row). */
  async knownTikTokIds(tx: Tx, integrationId: string, ids: string[]): Promise<Set<string>> {
    return new Set((await this.storedByTikTokId(tx, integrationId, ids)).keys());
  }

  /**
   * What an ingest needs to know first, in one round trip: the stored rows among TikTok's `ids`
   * (TikTok id → Echo id, hidden), by one unique-key probe per id as in `storedByTikTokId`; and,
   * when `ownListed` (the batch holds comments of the account), whether the integration has any
   * post of ours that TikTok has not confirmed (the partial index of those few rows): only then
   * can an own comment be one of them.
   */
  async probeForIngest(
    tx: Tx,
    integrationId: string,
    ids: string[],
    ownListed: boolean,
  ): Promise<{ stored: Map<string, { id: string; hidden: boolean }>; unconfirmedPosts: boolean }> {
    const rows = await tx.query<{ tiktok_comment_id: string | null; id: string | null; hidden: boolean | null; unconfirmed: boolean | null }>(
      `select c.tiktok_comment_id, c.id, c.hidden, null::boolean as unconfirmed
         from unnest($2::text[]) as i(id)
         cross join lateral (
           select tiktok_comment_id, id, hidden from tiktok_comment
            where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and tiktok_comment_id = i.id
            limit 1) c
       union all
       (select null, null, null, true from tiktok_comment
         where $3 and tenant_id = current_setting('app.tenant_id') and integration_id = $1
           and from_account and tiktok_comment_id is null and not deleted
         limit 1)`,
      [integrationId, [...new Set(ids)], ownListed],
    );
    const stored = new Map<string, { id: string; hidden: boolean }>();
    let unconfirmedPosts = false;
    for (const r of rows) {
      if (r.unconfirmed) unconfirmedPosts = true;
      else if (r.tiktok_comment_id !== null && r.id !== null) stored.set(r.tiktok_comment_id, { id: r.id, hidden: r.hidden === true });
    }
    return { stored, unconfirmedPosts };
  }

  /**
   * The stored rows among TikTok's `ids` (id → hidden). One unique-key probe per id (a lateral
   * lookup), whatever the statistics say: during a backfill they lag the table, and a plan that
   * read the integration's rows and filtered them grew with every page.
   */
  async storedByTikTokId(tx: Tx, integrationId: string, ids: string[]): Promise<Map<string, { hidden: boolean }>> {
    if (ids.length === 0) return new Map();
    const rows = await tx.query<{ tiktok_comment_id: string; hidden: boolean }>(
      `select c.tiktok_comment_id, c.hidden
         from unnest($2::text[]) as i(id)
         cross join lateral (
           select tiktok_comment_id, hidden from tiktok_comment
            where tenant_id = current_setting('app.tenant_id') and integration_id = $1 and tiktok_comment_id = i.id
            limit 1) c`,
      [integrationId, [...new Set(ids)]],
    );
    return new Map(rows.map((r) => [r.tiktok_comment_id, { hidden: r.hidden }]));
  }
}

/** The API's Comment. */
export function toView(r: CommentRow): CommentView {
  return {
    id: r.id,
    integrationId: r.integration_id,
    videoId: r.video_id,
    tiktokCommentId: r.tiktok_comment_id,
    parentId: r.parent_id,
    replyToId: r.reply_to_id,
    author: { username: r.author_username, displayName: r.author_display_name, avatarUrl: r.author_avatar_url },
    text: r.text,
    likeCount: r.like_count,
    replyCount: r.reply_count,
    postedAt: r.posted_at.toISOString(),
    fromAccount: r.from_account,
    hidden: r.hidden,
    deleted: r.deleted,
    delivery: r.delivery_state ? { state: r.delivery_state, error: r.delivery_error, postedBy: r.posted_by ?? '' } : null,
  };
}
