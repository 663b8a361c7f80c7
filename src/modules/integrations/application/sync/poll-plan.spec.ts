import fc from 'fast-check';
import {
  choosePolls,
  fairShares,
  MIN_POLL_GAP_SECONDS,
  pollProgress,
  type PollCandidate,
} from './poll-plan';
import { nextPoll, pollAfterFullRead } from './poll-schedule';

const T0 = new Date('2026-12-03T12:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

interface SimVideo extends PollCandidate {
  postedAt: Date;
  intervalSeconds: number | null;
  reads: number[];
}

/**
 * A simulated clock: one account's videos, a run every `runEverySeconds` with `calls` for quick
 * polls, each read updating the video's bounds as the saga does (`nextPoll`); `activeIds` get a new
 * comment before every read. Returns the videos with the times each was read.
 */
function simulate(p: {
  videos: SimVideo[];
  runEverySeconds: number;
  calls: number;
  minutes: number;
  activeIds?: Set<string>;
}): SimVideo[] {
  for (let s = 0; s <= p.minutes * 60; s += p.runEverySeconds) {
    const now = at(s);
    for (const v of choosePolls({ now, candidates: p.videos, calls: p.calls }) as SimVideo[]) {
      const n = nextPoll({
        now,
        postedAt: v.postedAt,
        previousIntervalSeconds: v.intervalSeconds,
        newComments: p.activeIds?.has(v.id) ? 1 : 0,
      });
      v.lastPolledAt = now;
      v.nextPollAt = n.nextPollAt;
      v.intervalSeconds = n.intervalSeconds;
      v.reads.push(s);
    }
  }
  return p.videos;
}

/** Videos just backfilled at T0: posted over the last `spreadHours`, last commented `quietSeconds` ago. */
function backfilled(
  n: number,
  opts: { spreadHours: number; quietSeconds: number; prefix?: string },
): SimVideo[] {
  return Array.from({ length: n }, (_, i) => {
    const postedAt = at(-((i + 1) * opts.spreadHours * 3600) / n);
    const first = pollAfterFullRead({ now: T0, postedAt, newestCommentAt: at(-opts.quietSeconds) });
    return {
      id: `${opts.prefix ?? 'v'}${String(i).padStart(4, '0')}`,
      postedAt,
      lastPolledAt: T0,
      nextPollAt: first.nextPollAt,
      intervalSeconds: first.intervalSeconds,
      reads: [],
    };
  });
}

const maxGap = (reads: number[]) => Math.max(...reads.slice(1).map((r, i) => r - reads[i]!));

describe('choosePolls', () => {
  const v = (id: string, last: number | null, next: number): PollCandidate => ({
    id,
    lastPolledAt: last === null ? null : at(last),
    nextPollAt: at(next),
  });

  it('reads every due video first, most overdue first, then spends what is left on those furthest through their interval', () => {
    const now = at(100);
    const vs = [
      v('quiet', 0, 240),
      v('due', 0, 90),
      v('overdue', 0, 50),
      v('active', 60, 90),
      v('fresh', 95, 400),
    ];
    // `overdue` is 100/50 through its interval, `active` 40/30, `due` 100/90
    expect(choosePolls({ now, candidates: vs, calls: 2 }).map((c) => c.id)).toEqual([
      'overdue',
      'active',
    ]);
    // with calls to spare: then `quiet` (100/240); `fresh` was read 5 s ago
    expect(choosePolls({ now, candidates: vs, calls: 10 }).map((c) => c.id)).toEqual([
      'overdue',
      'active',
      'due',
      'quiet',
    ]);
    expect(choosePolls({ now, candidates: vs, calls: 0 })).toEqual([]);
  });

  it('never reads a video twice within the minimum gap unless its bounds say it is due', () => {
    const now = at(100);
    const justRead = v('just', 100 - MIN_POLL_GAP_SECONDS + 1, 130);
    expect(choosePolls({ now, candidates: [justRead], calls: 5 })).toEqual([]);
    expect(
      choosePolls({ now, candidates: [v('due-anyway', 95, 99)], calls: 5 }).map((c) => c.id),
    ).toEqual(['due-anyway']);
  });

  it('ranks a video never read by how long it has been due', () => {
    expect(pollProgress(v('n', null, 200), at(100))).toBe(0);
    expect(pollProgress(v('n', null, 100), at(160))).toBeCloseTo(2);
  });
});

describe('polling at the physical limit (simulated clock)', () => {
  it('with an idle budget, a one-hour-quiet video of a 25-video account is read again within N / B', () => {
    // 25 videos under a day old, all quiet for an hour; B = 30 calls a minute for quick polls, a run every 10 s
    const videos = backfilled(25, { spreadHours: 24, quietSeconds: 3600 });
    const B = 30;
    simulate({ videos, runEverySeconds: 10, calls: (B * 10) / 60, minutes: 30 });
    const limitSeconds = (25 / B) * 60; // 50 s
    for (const x of videos) {
      expect(x.reads.length).toBeGreaterThan(30);
      // within N / B, give or take one run of the schedule's granularity
      expect([x.id, maxGap(x.reads) <= limitSeconds + 10]).toEqual([x.id, true]);
    }
    // the budget was spent: every call of every run after the first minute read something
    const reads = videos.reduce((n, x) => n + x.reads.length, 0);
    expect(reads).toBeGreaterThanOrEqual(0.9 * ((30 * 60) / 10) * 5);
  });

  it('without idle budget the bounds hold: an active video among 1,000 is read every 30 s', () => {
    const videos = backfilled(1000, { spreadHours: 24 * 400, quietSeconds: 86_400 });
    const active = videos[0]!; // the newest
    simulate({
      videos,
      runEverySeconds: 10,
      calls: 5,
      minutes: 20,
      activeIds: new Set([active.id]),
    });
    expect(maxGap(active.reads.filter((s) => s >= 60))).toBeLessThanOrEqual(30 + 10);
    // every call of every run read something (the first run, at the backfill's end, had nothing to read)
    const reads = videos.reduce((n, x) => n + x.reads.length, 0);
    expect(reads).toBe(((20 * 60) / 10) * 5);
  });

  it('spends idle calls on recent videos before old ones', () => {
    const recent = backfilled(5, { spreadHours: 24, quietSeconds: 3600, prefix: 'r' });
    const old = backfilled(5, {
      spreadHours: 24 * 365,
      quietSeconds: 86_400 * 30,
      prefix: 'o',
    }).map((x) => ({ ...x, postedAt: at(-86_400 * 200) }));
    const all = simulate({
      videos: [...recent, ...old],
      runEverySeconds: 10,
      calls: 1,
      minutes: 10,
    });
    const readsOf = (prefix: string) =>
      all.filter((x) => x.id.startsWith(prefix)).reduce((n, x) => n + x.reads.length, 0);
    expect(readsOf('r')).toBeGreaterThan(3 * readsOf('o'));
  });
});

describe('fairShares (max-min fairness of the app budget between accounts)', () => {
  it('gives a small account what it needs and shares the rest evenly, none above the cap', () => {
    expect(fairShares({ demands: [5, 100, 100], capacity: 100, cap: 30 })).toEqual([5, 30, 30]);
    expect(fairShares({ demands: [5, 100, 100], capacity: 45, cap: 30 })).toEqual([5, 20, 20]);
    expect(fairShares({ demands: [0, 0], capacity: 45, cap: 30 })).toEqual([0, 0]);
    expect(fairShares({ demands: [10, 10, 10], capacity: 2, cap: 30 })).toEqual([1, 1, 0]);
  });

  it('50 accounts of 100 videos share 600 a minute equally', () => {
    const shares = fairShares({
      demands: Array.from({ length: 50 }, () => 100),
      capacity: 540,
      cap: 30,
    });
    expect(new Set(shares).size).toBeLessThanOrEqual(2);
    expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(540);
  });

  it('as a property: within capacity and demand, work-conserving, and no account below another that got more than it wanted... or less', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(200), { maxLength: 60 }),
        fc.nat(2000),
        fc.integer({ min: 1, max: 40 }),
        (demands, capacity, cap) => {
          const s = fairShares({ demands, capacity, cap });
          const want = demands.map((d) => Math.min(d, cap));
          const total = s.reduce((a, b) => a + b, 0);
          expect(total).toBeLessThanOrEqual(capacity);
          s.forEach((x, i) => expect(x).toBeLessThanOrEqual(want[i]!));
          // work-conserving: calls are left over only when every account has what it wants
          if (total < capacity) s.forEach((x, i) => expect(x).toBe(want[i]));
          // max-min: an account short of its want has at least as much as any other, less one
          const most = Math.max(0, ...s);
          s.forEach((x, i) => {
            if (x < want[i]!) expect(x).toBeGreaterThanOrEqual(most - 1);
          });
        },
      ),
    );
  });
});
