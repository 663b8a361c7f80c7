/**
 * The freshness bench's account in the TikTok simulator: 1,000 videos posted over about two
 * years (2 a day in the last month, fewer before), about 20,000 comments and replies, more on
 * newer videos, every video under 500 top-level comments (past 500 the simulator repeats items,
 * TikTok's deep-paging quirk). Deterministic (seeded PRNG).
 */
import type { SimulatorControl } from '../../src/sandbox/tiktok-simulator';
import { prng } from '../../src/sandbox/demo';

const DAY_MS = 86_400_000;
/** Seeded top-level comments per video at most: leaves room for the generator's new ones below 500. */
export const MAX_SEEDED_TOP_LEVEL = 350;

/** A tiny seeded PRNG (mulberry32), the demo data's. */
export { prng };

/** A standard normal draw (Box-Muller). */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** Exponential draw with the given mean. */
function exponential(rand: () => number, mean: number): number {
  return -Math.log(1 - rand()) * mean;
}

export interface SeedVideo {
  itemId: string;
  postedMs: number;
}

/** A top-level comment the generator may reply to: its id and create time (unix s). */
export interface TopLevel {
  id: string;
  createTime: number;
}

export interface SeededAccount {
  openId: string;
  username: string;
  /** newest first */
  videos: SeedVideo[];
  /** top-level comments by video id (the generator appends its own) */
  topLevel: Map<string, TopLevel[]>;
  counts: { videos: number; topLevel: number; replies: number; ownerReplies: number; hidden: number; maxTopLevelOnAVideo: number };
  ages: { underWeek: number; underMonth: number; older: number };
}

const TEXTS = ['love this', 'where did you get that?', 'part 2 please', 'how long did this take?', 'the music 👌', 'tutorial pls', 'so good', 'obsessed', 'this made my day'];
const REPLIES = ['same!!', 'right?? 😂', 'agreed', 'I need to know too', 'lol yes', '💯'];

/**
 * Seeds one account. Video `i` (0 = newest): the first 60 every 12 h (14 under a week, 60 under a
 * month), the other 940 spread evenly over the ~700 days before. Top-level comments per video:
 * proportional to `(1 + age_days / 2)^-0.75` times a log-normal factor (a few old videos did
 * well), scaled to ~`topLevelTarget` in all, clamped to [1, 350]. Each comment lands after its
 * video's posting (exponential, mean a third of the video's age, at most 3 days), 12 % of them
 * get replies (1 + exponential, so some threads run past the 3 inline replies), 15 % of those
 * are the account's own answers.
 */
export function seedAccount(
  control: SimulatorControl,
  opts: { videos?: number; topLevelTarget?: number; seed?: number } = {},
): SeededAccount {
  const rand = prng(opts.seed ?? 20261125);
  const username = 'freshness.brand';
  const account = control.addAccount({ username, displayName: 'Freshness Brand' });
  const nowMs = control.now();
  const count = opts.videos ?? 1000;
  const ageDays = Array.from({ length: count }, (_, i) => (i < 60 ? 0.2 + i * 0.5 : 30 + (i - 60) * (700 / Math.max(1, count - 60))));
  const videos: SeedVideo[] = [];
  // oldest first into the simulator (ids and ms cursors then follow posting order)
  for (let i = count - 1; i >= 0; i--) {
    const postedMs = Math.floor(nowMs - ageDays[i]! * DAY_MS);
    const v = control.addVideo(account.openId, { caption: `video ${i}`, createTime: Math.floor(postedMs / 1000), likes: Math.floor(rand() * 10_000) });
    videos.unshift({ itemId: v.itemId, postedMs: v.createTime * 1000 });
  }
  const weights = ageDays.map((a) => Math.pow(1 + a / 2, -0.75) * Math.exp(0.7 * normal(rand)));
  const target = opts.topLevelTarget ?? 16_500;
  // scale so that the clamped counts add up to about the target
  let k = target / weights.reduce((s, w) => s + w, 0);
  let perVideo: number[] = [];
  for (let round = 0; round < 8; round++) {
    perVideo = weights.map((w) => Math.max(1, Math.min(MAX_SEEDED_TOP_LEVEL, Math.round(w * k))));
    const total = perVideo.reduce((s, n) => s + n, 0);
    if (Math.abs(total - target) < target * 0.01) break;
    k *= target / total;
  }
  const nowS = Math.floor(nowMs / 1000);
  const topLevel = new Map<string, TopLevel[]>();
  const counts = { videos: count, topLevel: 0, replies: 0, ownerReplies: 0, hidden: 0, maxTopLevelOnAVideo: 0 };
  for (let i = 0; i < count; i++) {
    const v = videos[i]!;
    const postedS = Math.floor(v.postedMs / 1000);
    const ageS = nowS - postedS;
    const mean = Math.min(3 * 86_400, ageS / 3);
    const list: TopLevel[] = [];
    for (let c = 0; c < perVideo[i]!; c++) {
      const createTime = Math.min(nowS - 60, postedS + Math.floor(exponential(rand, mean)));
      const hidden = rand() < 0.01;
      const top = control.addComment(account.openId, v.itemId, {
        text: `${TEXTS[Math.floor(rand() * TEXTS.length)]} #${i}.${c}`,
        username: `fan_${Math.floor(rand() * 50_000)}`,
        createTime,
        hidden,
        likes: Math.floor(exponential(rand, 20)),
      });
      list.push({ id: top.commentId, createTime });
      counts.topLevel += 1;
      if (hidden) counts.hidden += 1;
      if (rand() < 0.12) {
        const replies = 1 + Math.floor(exponential(rand, 1.2));
        for (let r = 0; r < replies; r++) {
          const owner = rand() < 0.15;
          control.addComment(account.openId, v.itemId, {
            text: owner ? `thank you! #${i}.${c}.${r}` : `${REPLIES[Math.floor(rand() * REPLIES.length)]} #${i}.${c}.${r}`,
            owner,
            username: owner ? undefined : `fan_${Math.floor(rand() * 50_000)}`,
            parentCommentId: top.commentId,
            createTime: Math.min(nowS - 30, createTime + 60 + Math.floor(exponential(rand, 3600))),
          });
          counts.replies += 1;
          if (owner) counts.ownerReplies += 1;
        }
      }
    }
    counts.maxTopLevelOnAVideo = Math.max(counts.maxTopLevelOnAVideo, list.length);
    topLevel.set(v.itemId, list);
  }
  const ages = {
    underWeek: videos.filter((v) => nowMs - v.postedMs < 7 * DAY_MS).length,
    underMonth: videos.filter((v) => nowMs - v.postedMs < 30 * DAY_MS).length,
    older: videos.filter((v) => nowMs - v.postedMs >= 30 * DAY_MS).length,
  };
  return { openId: account.openId, username, videos, topLevel, counts, ages };
}
