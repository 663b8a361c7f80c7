/**
 * How a full read of one video's `comment/list` moves from page to page (backfill and
 * reconciliation). Pure functions.
 *
 * TikTok's offset paging is exact only for about the first 500 items of a listing; past that
 * it repeats items, and each repeat stands where another comment should have been, so that
 * comment is skipped in that sort order (TIKTOK-API.md, "past about 500, duplicates appear").
 * A video with more top-level comments than that is therefore read twice: newest first to the
 * end, then oldest first for the first `RELIABLE_DEPTH` items. Together the two exact windows
 * cover every top-level comment of a video with up to 2 × `RELIABLE_DEPTH` of them; beyond that
 * the middle of the list is read only through the inexact part of the newest-first walk, and a
 * comment TikTok skips there arrives only by webhook (README, "Very large videos").
 */

/** How deep an offset listing is exact. */
export const RELIABLE_DEPTH = 500;

export type ListOrder = 'desc' | 'asc';

export interface WalkPosition {
  order: ListOrder;
  cursor: number;
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
    return page.cursor > RELIABLE_DEPTH ? { order: 'asc', cursor: 0 } : null;
  }
  return moved && page.cursor < RELIABLE_DEPTH ? { order: 'asc', cursor: page.cursor } : null;
}
