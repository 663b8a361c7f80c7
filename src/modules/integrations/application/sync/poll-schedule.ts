/**
 * When a video's comment list is polled next (DESIGN.md section 2): soon after new comments,
 * backing off while it stays quiet, capped by the video's age so that recent videos are never
 * left for long. Pure functions; the bounds are stated in README.md ("Sync: how comments come in, and the bounds").
 */

const DAY_MS = 86_400_000;

/** Poll again this soon after a poll that found new comments. */
export const ACTIVE_POLL_SECONDS = 30;
/** Longest gap between polls of a video under a week old. */
export const RECENT_CAP_SECONDS = 4 * 60;
/** Under a month old. */
export const MONTH_CAP_SECONDS = 60 * 60;
/** Older (reconciliation still reads them in full within its own bound). */
export const OLD_CAP_SECONDS = 6 * 60 * 60;

/**
 * Videos younger than this are swept: their whole top-level comment list is read every
 * `SWEEP_INTERVAL_SECONDS` (budget permitting), comparing `replies` counts, so that a reply under
 * a comment below the first page is found without waiting for the video's full reconciliation.
 */
export const SWEEP_MAX_AGE_MS = 7 * DAY_MS;
/** Shortest gap between two sweeps of one video. */
export const SWEEP_INTERVAL_SECONDS = 3 * 60;

export function capFor(ageMs: number): number {
  if (ageMs < 7 * DAY_MS) return RECENT_CAP_SECONDS;
  if (ageMs < 30 * DAY_MS) return MONTH_CAP_SECONDS;
  return OLD_CAP_SECONDS;
}

/**
 * The next poll of a video after a poll at `now` that found `newComments` (new top-level comments
 * or replies). The interval doubles while quiet, from `ACTIVE_POLL_SECONDS` up to the age cap.
 */
export function nextPoll(p: { now: Date; postedAt: Date; previousIntervalSeconds: number | null; newComments: number }): {
  intervalSeconds: number;
  nextPollAt: Date;
} {
  const cap = capFor(p.now.getTime() - p.postedAt.getTime());
  const interval =
    p.newComments > 0 ? ACTIVE_POLL_SECONDS : Math.min(cap, Math.max(ACTIVE_POLL_SECONDS, (p.previousIntervalSeconds ?? ACTIVE_POLL_SECONDS) * 2));
  return { intervalSeconds: interval, nextPollAt: new Date(p.now.getTime() + interval * 1000) };
}

/**
 * The next quick poll of a video just read in full (backfill): expected activity from the age of
 * its newest comment. A video last commented on `q` seconds ago is polled again in about `q / 2`,
 * at least `ACTIVE_POLL_SECONDS`, at most its age cap. Without this, every video of a fresh
 * backfill would come due a minute later and the old, quiet ones would crowd out the recent ones
 * for hours while their intervals doubled up to the cap.
 */
export function pollAfterFullRead(p: { now: Date; postedAt: Date; newestCommentAt: Date | null }): { intervalSeconds: number; nextPollAt: Date } {
  const cap = capFor(p.now.getTime() - p.postedAt.getTime());
  const quietSeconds = p.newestCommentAt ? Math.max(0, (p.now.getTime() - p.newestCommentAt.getTime()) / 1000) : Infinity;
  const interval = Math.min(cap, Math.max(ACTIVE_POLL_SECONDS, Math.floor(quietSeconds / 2)));
  return { intervalSeconds: interval, nextPollAt: new Date(p.now.getTime() + interval * 1000) };
}
