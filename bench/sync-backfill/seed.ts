/**
 * The sync-backfill bench's TikTok account: `videos` videos over about two years and exactly
 * `comments` comments, skewed the way real accounts are:
 *  - a handful of "viral" videos (mostly recent) hold about 17 % of all comments, the biggest
 *    4 % (8,000 of 200,000), so several have far more than 500 top-level comments;
 *  - the rest is spread by a weight that grows with the square of recency times a random factor
 *    (old videos get few, some none);
 *  - on every video about three quarters are top-level and a quarter replies, the replies
 *    concentrated on the first comments (some threads have dozens, many > 3, so `reply/list` is
 *    needed); about 4 % of replies and 0.3 % of top-level comments are the account's own
 *    (`owner: true`); 2 % of top-level and 1 % of replies are hidden (the sync reads `status=ALL`).
 * Deterministic for a given seed (the ids are the simulator's, random).
 */
import type { SimulatorControl } from '../../src/sandbox/simulator-control';
import { prng } from '../../src/sandbox/demo';

export interface SeedOptions {
  videos: number;
  comments: number;
  seed?: number;
}

/** One seeded comment, as the exact-set check needs it. */
export interface SeededComment {
  id: string;
  videoId: string;
  /** thread root for replies, null for top-level comments */
  parentId: string | null;
}

export interface SeedStats {
  videos: number;
  comments: number;
  topLevel: number;
  replies: number;
  owner: number;
  hidden: number;
  videosWithoutComments: number;
  /** threads (top-level comments) with more than 3 replies: the ones `reply/list` is called for */
  threadsOver3Replies: number;
  repliesBeyondInline: number;
  longestThread: number;
  /** videos with more than 500 top-level comments (TikTok's deep-paging quirk applies past 500) */
  videosOver500TopLevel: number;
  topLevelOnThoseVideos: number;
  /** comment counts of the 10 biggest videos (top-level + replies) */
  biggestVideos: number[];
  medianPerVideo: number;
}

export interface SeedResult {
  openId: string;
  comments: SeededComment[];
  stats: SeedStats;
}


const OPENERS = ['Love this', 'Wow', 'Okay this is amazing', 'Obsessed', 'So good', 'Haha', 'Omg', 'This made my day', 'Not me watching this at 3am', 'Honestly'];
const BODIES = [
  'where did you get that?',
  'can you do a tutorial?',
  'the editing is 🔥',
  'how long did this take?',
  'part 2 please!!',
  'I tried this and it worked',
  'the music choice 👌',
  'watched it 5 times already',
  'sending this to my sister',
  'what camera do you use?',
  'this deserves more views',
  'you never miss 💯',
  'is there a discount code? asking for a friend',
  'the ending got me 😂😂',
];
const TAILS = ['', '', '', ' ❤️', ' lol', ' !!', ' — followed!', ' (from Brazil 🇧🇷)', ' #fyp'];
const REPLIES = ['same!!', 'right?? 😂', 'agreed', 'I need to know too', 'this ^', 'lol yes', '💯', 'exactly what I was thinking', 'no way 😭'];
const OWNER_REPLIES = ['Thank you so much! 💜', 'Part 2 coming soon!', 'Glad you liked it 😊', 'Link in bio!', 'Appreciate you!'];

const DAY = 86_400;
/** share of all comments on each viral video (most of them recent) */
const VIRAL = [
  { at: 0.99, share: 0.04 },
  { at: 0.97, share: 0.035 },
  { at: 0.9, share: 0.03 },
  { at: 0.95, share: 0.02 },
  { at: 0.8, share: 0.015 },
  { at: 0.6, share: 0.012 },
  { at: 0.985, share: 0.01 },
  { at: 0.4, share: 0.008 },
];

/** Adds the account, its videos and comments to the simulator. */
export function seedBackfillAccount(control: SimulatorControl, opts: SeedOptions): SeedResult {
  const rand = prng(opts.seed ?? 20261125);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const account = control.addAccount({ username: 'echo.backfill', displayName: 'Echo Backfill Bench', followersCount: 480_000 });
  const nowS = Math.floor(control.now() / 1000);
  const V = opts.videos;

  // videos, oldest first, about two years back
  const videos = Array.from({ length: V }, (_, i) => {
    const age = Math.floor(((V - i) / V) * 730 * DAY + rand() * 6 * 3600);
    return control.addVideo(account.openId, { caption: `Video #${i + 1} ${pick(BODIES)}`, createTime: nowS - age, likes: Math.floor(rand() * 50_000) });
  });

  // comments per video: viral ones first, the rest by weight (largest remainder, so the total is exact)
  const counts = new Array<number>(V).fill(0);
  let left = opts.comments;
  for (const v of VIRAL) {
    const i = Math.min(V - 1, Math.floor(v.at * V));
    if (counts[i]! > 0) continue;
    const n = Math.min(left, Math.round(v.share * opts.comments));
    counts[i] = n;
    left -= n;
  }
  const weights = counts.map((c, i) => {
    if (c > 0) return 0;
    const recency = (i + 1) / V;
    // Box-Muller normal → a log-normal factor; about one video in eight gets (almost) nothing
    const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return rand() < 0.12 ? 0 : recency * recency * Math.exp(0.9 * g);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * left);
  const floors = exact.map(Math.floor);
  let rest = left - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r);
  for (const { i } of order) {
    if (rest <= 0) break;
    floors[i]! += 1;
    rest -= 1;
  }
  for (let i = 0; i < V; i++) if (counts[i] === 0) counts[i] = floors[i]!;

  const seeded: SeededComment[] = [];
  const stats: SeedStats = {
    videos: V,
    comments: 0,
    topLevel: 0,
    replies: 0,
    owner: 0,
    hidden: 0,
    videosWithoutComments: 0,
    threadsOver3Replies: 0,
    repliesBeyondInline: 0,
    longestThread: 0,
    videosOver500TopLevel: 0,
    topLevelOnThoseVideos: 0,
    biggestVideos: [...counts].sort((a, b) => b - a).slice(0, 10),
    medianPerVideo: [...counts].sort((a, b) => a - b)[Math.floor(V / 2)]!,
  };
  for (let i = 0; i < V; i++) {
    const video = videos[i]!;
    const n = counts[i]!;
    if (n === 0) {
      stats.videosWithoutComments += 1;
      continue;
    }
    const tops = Math.max(1, Math.round(n * 0.75));
    const replies = n - tops;
    const span = Math.max(60, Math.min(nowS - video.createTime, 60 * DAY));
    const roots: { id: string; time: number; replies: number }[] = [];
    for (let k = 0; k < tops; k++) {
      // most comments in the first days after posting
      const time = Math.min(nowS, video.createTime + 30 + Math.floor(span * rand() ** 3));
      const owner = rand() < 0.003;
      const fan = Math.floor(rand() * 5000);
      const c = control.addComment(account.openId, video.itemId, {
        text: owner ? `${pick(OWNER_REPLIES)} Thanks for watching everyone` : `${pick(OPENERS)}, ${pick(BODIES)}${pick(TAILS)}`,
        owner,
        username: `fan_${fan.toString(36)}`,
        displayName: `Fan ${fan}`,
        createTime: time,
        hidden: rand() < 0.02,
        likes: Math.floor(rand() ** 4 * 2000),
      });
      roots.push({ id: c.commentId, time, replies: 0 });
      seeded.push({ id: c.commentId, videoId: video.itemId, parentId: null });
      stats.topLevel += 1;
      if (owner) stats.owner += 1;
      if (c.status === 'HIDDEN') stats.hidden += 1;
    }
    for (let k = 0; k < replies; k++) {
      // concentrated on the first roots: long threads exist
      const root = roots[Math.floor(roots.length * rand() ** 3)]!;
      const owner = rand() < 0.04;
      const fan = Math.floor(rand() * 5000);
      const time = Math.min(nowS, root.time + 60 + Math.floor(rand() ** 2 * 5 * DAY));
      const c = control.addComment(account.openId, video.itemId, {
        text: owner ? pick(OWNER_REPLIES) : pick(REPLIES),
        owner,
        username: `fan_${fan.toString(36)}`,
        displayName: `Fan ${fan}`,
        parentCommentId: root.id,
        createTime: time,
        hidden: rand() < 0.01,
        likes: Math.floor(rand() ** 4 * 100),
      });
      root.replies += 1;
      seeded.push({ id: c.commentId, videoId: video.itemId, parentId: root.id });
      stats.replies += 1;
      if (owner) stats.owner += 1;
      if (c.status === 'HIDDEN') stats.hidden += 1;
    }
    for (const r of roots) {
      if (r.replies > 3) {
        stats.threadsOver3Replies += 1;
        stats.repliesBeyondInline += r.replies - 3;
      }
      stats.longestThread = Math.max(stats.longestThread, r.replies);
    }
    if (tops > 500) {
      stats.videosOver500TopLevel += 1;
      stats.topLevelOnThoseVideos += tops;
    }
  }
  stats.comments = seeded.length;
  return { openId: account.openId, comments: seeded, stats };
}
