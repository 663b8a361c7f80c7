/**
 * Which videos a run polls, and how the app's budget is shared between accounts, so that the
 * sync spends what TikTok allows instead of what fixed intervals happen to ask for (issue 15).
 *
 * The bounds of `poll-schedule.ts` say when a video *must* be read again (30 s after activity,
 * doubling while quiet, capped by its age). They stay the floor of freshness when the budget is
 * tight. When a run has calls left after every due video, it spends them on videos that are not
 * due yet, in order of how far each is through its current interval: an active video (short
 * interval) before a quiet one, a recent one (short cap) before an old one, and among equals the
 * one read longest ago. With `N` videos worth polling and `B` calls a minute, that reads each about
 * every `N / B` minutes, which is the physical limit of polling. Pure functions; no clock.
 */

/** What the plan needs of a video. */
export interface PollCandidate {
  id: string;
  /** when it was last read (newest-first page); null: never since the backfill */
  lastPolledAt: Date | null;
  /** when its bounds say it must be read again (`nextPoll` / `pollAfterFullRead`) */
  nextPollAt: Date;
}

/** Never read one video more often than this, however much budget is idle. */
export const MIN_POLL_GAP_SECONDS = 10;

/**
 * How far a video is through its interval: 0 just read, 1 due, above 1 overdue. A video never
 * read counts as due since its `nextPollAt`.
 */
export function pollProgress(c: PollCandidate, now: Date): number {
  const due = c.nextPollAt.getTime();
  if (c.lastPolledAt === null) return now.getTime() >= due ? 1 + (now.getTime() - due) / 60_000 : 0;
  const interval = Math.max(1, due - c.lastPolledAt.getTime());
  return (now.getTime() - c.lastPolledAt.getTime()) / interval;
}

/**
 * The videos to read in this run, at most `calls`: every due one first (most overdue first), then,
 * while calls are left, those furthest through their interval, but none read in the last
 * `minGapSeconds`. Ties go to the video read longest ago, then by id (stable plans).
 */
export function choosePolls(p: {
  now: Date;
  candidates: readonly PollCandidate[];
  calls: number;
  minGapSeconds?: number;
}): PollCandidate[] {
  if (p.calls <= 0) return [];
  const minGapMs = (p.minGapSeconds ?? MIN_POLL_GAP_SECONDS) * 1000;
  const now = p.now.getTime();
  const eligible = p.candidates
    .filter(
      (c) =>
        c.nextPollAt.getTime() <= now ||
        c.lastPolledAt === null ||
        now - c.lastPolledAt.getTime() >= minGapMs,
    )
    .map((c) => ({
      c,
      progress: pollProgress(c, p.now),
      last: c.lastPolledAt?.getTime() ?? -Infinity,
    }));
  eligible.sort(
    (a, b) =>
      b.progress - a.progress ||
      a.last - b.last ||
      (a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0),
  );
  return eligible.slice(0, p.calls).map((e) => e.c);
}

/**
 * Shares `capacity` calls a minute between accounts by max-min fairness (water filling): an
 * account that needs less than an even share gets what it needs, and what it leaves is shared
 * evenly by the others, none above `cap` (TikTok's per-account limit, less what is kept for
 * people). `demands[i]` is what account i could use (its videos worth polling per minute, at most
 * one read per `MIN_POLL_GAP_SECONDS`); the result is in the same order. Whole calls only; the
 * remainder of the division goes to the accounts with the greatest unmet demand, then by order.
 */
export function fairShares(p: {
  demands: readonly number[];
  capacity: number;
  cap: number;
}): number[] {
  const n = p.demands.length;
  const want = p.demands.map((d) => Math.max(0, Math.min(Math.floor(d), p.cap)));
  const out = new Array<number>(n).fill(0);
  let left = Math.max(0, Math.floor(p.capacity));
  let open = want.map((_, i) => i).filter((i) => want[i] > 0);
  while (left > 0 && open.length > 0) {
    const even = Math.floor(left / open.length);
    if (even === 0) {
      // fewer calls than accounts still wanting: one each, greatest unmet demand first
      open.sort((a, b) => want[b] - out[b] - (want[a] - out[a]) || a - b);
      for (const i of open.slice(0, left)) out[i] += 1;
      break;
    }
    let given = 0;
    for (const i of open) {
      const g = Math.min(even, want[i] - out[i]);
      out[i] += g;
      given += g;
    }
    left -= given;
    open = open.filter((i) => out[i] < want[i]);
  }
  return out;
}
