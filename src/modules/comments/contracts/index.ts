import { Command, Query } from '@nestjs/cqrs';
import type { Tx } from '@shared/database/tx';
import type { TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { COMMENT_EVENTS } from '../domain/comment-events';

/**
 * The comments module's public surface: how the sync (and webhook intake) store comments, and the
 * stored event types other modules may subscribe to (payloads in README.md, "Events for other modules").
 */

/** What an ingest did: Echo ids of new rows, rows changed, and own replies matched to Echo posts. */
export interface IngestCommentsResult {
  insertedIds: string[];
  updated: number;
  matched: number;
}

/**
 * Stores comments and replies of one video as TikTok listed them (inline `replyList`s included).
 *
 * - One multi-row `insert ... on conflict (tenant_id, integration_id, tiktok_comment_id) do
 *   update ... where` something changed, top-level comments first so replies find their parent.
 * - Exactly one `tiktok.comment.received` per new row, in the same transaction; a comment seen
 *   again (another page, the webhook, a repeat past ~500) changes nothing or updates in place.
 * - A reply or comment written by the account (`owner`) that is one of our own pending/unsure
 *   posts (same thread, same text, stamped after our attempt began) is matched to that post (it
 *   becomes `sent`) instead of being stored as a new comment.
 * - A change of `hidden` on a stored comment is a `tiktok.comment.changed`.
 */
export class IngestCommentsCommand extends Command<IngestCommentsResult> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    /** Echo id of the video */
    readonly videoId: string,
    readonly comments: TikTokComment[],
  ) {
    super();
  }
}

/**
 * `IngestCommentsCommand` for several videos' pages at once, in one transaction (the backfill's
 * group commit: pages that arrive while one transaction is in flight go together into the next).
 * Same rules per comment; one result per page, in order.
 *
 * `alsoInTransaction` is the caller's own unit of work (e.g. the sync's checkpoint of its own
 * table), run inside the same transaction after the comments are written: both commit or neither.
 * It must not touch this module's tables. The ingest may run its transaction again from the start
 * (a concurrent writer stored some of the same comments first), so the callback must write the
 * same thing each time it is called.
 */
export class IngestCommentPagesCommand extends Command<IngestCommentsResult[]> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    readonly pages: readonly { /** Echo id of the video */ videoId: string; comments: TikTokComment[] }[],
    readonly alsoInTransaction?: (tx: Tx) => Promise<void>,
  ) {
    super();
  }
}

/** Stored event types of this module (payloads in README.md, "Events for other modules"). */
export const COMMENT_EVENT_TYPES = COMMENT_EVENTS;

// ---- for the sync saga and the webhook intake (integrations module) ----

/** Which of some TikTok comment ids are stored (and not deleted), and how many replies each has stored. */
export interface CommentSyncState {
  /** TikTok ids among the asked ones that are stored and not deleted */
  known: string[];
  /** per known top-level TikTok id: its stored, not deleted replies (compare with TikTok's `replies`) */
  storedReplies: Record<string, number>;
}

/** See `CommentSyncState`. */
export class GetCommentSyncStateQuery extends Query<CommentSyncState> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    readonly tiktokCommentIds: string[],
  ) {
    super();
  }
}

/**
 * How many comments and replies of an integration the sync has stored (deleted ones included, the
 * account's posts from Echo excluded): the exact figure behind the integration's `commentsStored`,
 * which a run otherwise counts as it goes (a crash between a page's ingest and its checkpoint
 * leaves that count short).
 */
export class CountSyncedCommentsQuery extends Query<number> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
  ) {
    super();
  }
}

/** TikTok ids of every stored, not deleted comment and reply of a video (full reconciliation). */
export class ListStoredCommentIdsQuery extends Query<string[]> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    /** Echo id of the video */
    readonly videoId: string,
  ) {
    super();
  }
}

/**
 * Comments TikTok confirmed gone (deleted there, by the fan or the account): marked deleted, one
 * `tiktok.comment.changed` (`change: "deleted"`) each; already deleted or unknown ids do nothing.
 */
export class MarkCommentsDeletedCommand extends Command<{ deleted: number }> {
  constructor(
    readonly tenant: string,
    readonly integrationId: string,
    readonly tiktokCommentIds: string[],
  ) {
    super();
  }
}
