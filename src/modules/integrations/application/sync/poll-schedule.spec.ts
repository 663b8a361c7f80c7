import { ACTIVE_POLL_SECONDS, MONTH_CAP_SECONDS, OLD_CAP_SECONDS, RECENT_CAP_SECONDS, nextPoll, pollAfterFullRead } from './poll-schedule';

const now = new Date('2026-11-25T10:00:00.000Z');
const daysAgo = (d: number): Date => new Date(now.getTime() - d * 86_400_000);

describe('nextPoll', () => {
  it('polls soon after activity', () => {
    expect(nextPoll({ now, postedAt: daysAgo(100), previousIntervalSeconds: 3600, newComments: 2 }).intervalSeconds).toBe(ACTIVE_POLL_SECONDS);
  });
  it('backs off while quiet, up to the cap of the video’s age', () => {
    let interval: number | null = null;
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      interval = nextPoll({ now, postedAt: daysAgo(2), previousIntervalSeconds: interval, newComments: 0 }).intervalSeconds;
      seen.push(interval);
    }
    expect(seen[0]).toBe(60);
    expect(seen[1]).toBe(120);
    expect(Math.max(...seen)).toBe(RECENT_CAP_SECONDS);
    expect(nextPoll({ now, postedAt: daysAgo(10), previousIntervalSeconds: 1e6, newComments: 0 }).intervalSeconds).toBe(MONTH_CAP_SECONDS);
    expect(nextPoll({ now, postedAt: daysAgo(400), previousIntervalSeconds: 1e6, newComments: 0 }).intervalSeconds).toBe(OLD_CAP_SECONDS);
  });
  it('dates the next poll from now', () => {
    const p = nextPoll({ now, postedAt: daysAgo(1), previousIntervalSeconds: null, newComments: 1 });
    expect(p.nextPollAt).toEqual(new Date(now.getTime() + ACTIVE_POLL_SECONDS * 1000));
  });
});

describe('pollAfterFullRead', () => {
  const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
  it('polls a video commented on moments ago soon, whatever its age', () => {
    expect(pollAfterFullRead({ now, postedAt: daysAgo(400), newestCommentAt: minutesAgo(0.2) }).intervalSeconds).toBe(ACTIVE_POLL_SECONDS);
    expect(pollAfterFullRead({ now, postedAt: daysAgo(400), newestCommentAt: minutesAgo(10) }).intervalSeconds).toBe(300);
  });
  it('leaves quiet and comment-less videos at the cap of their age', () => {
    expect(pollAfterFullRead({ now, postedAt: daysAgo(400), newestCommentAt: daysAgo(30) }).intervalSeconds).toBe(OLD_CAP_SECONDS);
    expect(pollAfterFullRead({ now, postedAt: daysAgo(10), newestCommentAt: null }).intervalSeconds).toBe(MONTH_CAP_SECONDS);
    expect(pollAfterFullRead({ now, postedAt: daysAgo(2), newestCommentAt: daysAgo(1) }).intervalSeconds).toBe(RECENT_CAP_SECONDS);
  });
});
