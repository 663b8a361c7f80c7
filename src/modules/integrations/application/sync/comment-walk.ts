/**
 * How a full read of one video's `comment/list` moves from page to page (backfill,
 * reconciliation, sweeps). Pure functions.
 *
 * TikTok's offset paging is exact only for about the first 500 items of a listing; past that
 * it repeats items, and each repeat stands where another comment should have been, so that
 * comment is skipped in that sort order (TIKTOK-API.md, "past about 500, duplicates appear").
 * A video with more top-level comments than that is therefore read twice: newest first to the
 * end (depth `D`), then oldest first until the two passes meet the other's exact window: to
 * `max(RELIABLE_DEPTH, D - RELIABLE_DEPTH)`. Up to 2 × `RELIABLE_DEPTH` comments the exact
 * windows alone cover every one; beyond, the middle is read in both orders, and a comment is
 * missed only where TikTok skips it in both (README, "Very large videos").
 */

/** How deep an offset listing is exact. */
export const RELIABLE_DEPTH = 500;

export type ListOrder = 'desc' | 'asc';

export interface WalkPosition {
  order: ListOrder;
  cursor: number;
  /** oldest-first pass: where it ends (absent: `RELIABLE_DEPTH`, as checkpoints saved before it) */
  until?: number;
}

/**
 * Where the walk goes after the page read at `at`: the next page, the start of the oldest-first
 * pass, or null when the video is read. A cursor that does not move ends a pass (pages can be
 * short while `has_more` is true).
 */
export function nextInWalk(at: WalkPosition, page: { cursor: number; hasMore: boolean }): WalkPosition | null {
  const moved = page.hasMore && page.cursor > at.cursor;
  if (at.order === 'desc') {
    if (moved) return { order: 'desc', cursor: page.cursor };
    if (page.cursor <= RELIABLE_DEPTH) return null;
    const until = Math.max(RELIABLE_DEPTH, page.cursor - RELIABLE_DEPTH);
    return until === RELIABLE_DEPTH ? { order: 'asc', cursor: 0 } : { order: 'asc', cursor: 0, until };
  }
  const until = at.until ?? RELIABLE_DEPTH;
  if (!moved || page.cursor >= until) return null;
  return at.until === undefined ? { order: 'asc', cursor: page.cursor } : { order: 'asc', cursor: page.cursor, until };
}

/** The walk position kept in a checkpoint (`order` and `until` only when they differ from the defaults). */
export interface WalkCheckpoint {
  cursor: number;
  order?: ListOrder;
  until?: number;
}

/** Where a checkpoint says the walk is. */
export function positionOf(cp: WalkCheckpoint): WalkPosition {
  return cp.until === undefined ? { order: cp.order ?? 'desc', cursor: cp.cursor } : { order: cp.order ?? 'desc', cursor: cp.cursor, until: cp.until };
}

/** The checkpoint fields of a walk position. */
export function checkpointOf(at: WalkPosition): WalkCheckpoint {
  return { cursor: at.cursor, ...(at.order === 'asc' ? { order: 'asc' as const } : {}), ...(at.until !== undefined ? { until: at.until } : {}) };
}
