import type { SimAccount, SimVideo, SimulatorControl } from './simulator-control';

const FANS = [
  ['luna.dances', 'Luna ✨'],
  ['mike_cooks', 'Mike Cooks'],
  ['sara.travels', 'Sara'],
  ['techwithtom', 'Tom | Tech'],
  ['ana.art', 'Ana Art 🎨'],
  ['jj_fitness', 'JJ Fitness'],
  ['plantmom22', 'Plant Mom'],
  ['coffee.kid', 'coffee kid ☕'],
  ['noah.gg', 'Noah'],
  ['mia_reads', 'Mia reads 📚'],
  ['daniel.wav', 'Daniel'],
  ['zoe.outdoors', 'Zoe 🏔️'],
  ['leo_music', 'Leo'],
  ['emma.bakes', 'Emma Bakes'],
  ['kai.skates', 'Kai'],
] as const;

const OPENERS = [
  'Love this',
  'Wow',
  'Okay this is amazing',
  'Obsessed',
  'So good',
  'Haha',
  'Omg',
  'This made my day',
];
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
];
const REPLIES = ['same!!', 'right?? 😂', 'agreed', 'I need to know too', 'this ^', 'lol yes', '💯'];
const OWNER_REPLIES = [
  'Thank you so much! 💜',
  'Part 2 coming soon!',
  'Glad you liked it 😊',
  'Link in bio!',
  'Appreciate you!',
];
const CAPTIONS = [
  'Morning routine but make it chaotic ☀️ #fyp',
  "Trying the viral recipe so you don't have to 🍝",
  'POV: your plants finally bloom 🌸',
  'Quick tip that changed my workflow #productivity',
  'Weekend hike vlog 🏔️',
  'Answering your questions! Q&A part 1',
  "Behind the scenes of today's shoot 🎬",
  'Rating your setups ⭐',
  'Small business packing order #smallbusiness',
  'This trend but with my dog 🐶',
];

/** The demo account's username. */
export const DEMO_USERNAME = 'echo.demo';

/** A tiny seeded PRNG (mulberry32) so demo data is the same on every run (benchmarks seed with it too). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function fanText(rand: () => number): string {
  return `${pick(rand, OPENERS)}, ${pick(rand, BODIES)}`;
}

/**
 * Seeds a demo account ('echo.demo') with videos spread over the past weeks and
 * comments (about a quarter of them replies, some by the account itself).
 */
export function seedDemoAccount(
  control: SimulatorControl,
  opts: { videos?: number; comments?: number; openId?: string; seed?: number } = {},
): { account: SimAccount; videos: SimVideo[] } {
  const rand = prng(opts.seed ?? 42);
  const account = control.addAccount({
    openId: opts.openId,
    username: DEMO_USERNAME,
    displayName: 'Echo Demo',
  });
  const nowS = Math.floor(control.now() / 1000);
  const videoCount = opts.videos ?? 30;
  const videos: SimVideo[] = [];
  for (let i = 0; i < videoCount; i++) {
    // Oldest first, about one every 1-2 days going back ~6 weeks.
    const age = Math.floor(((videoCount - i) / videoCount) * 42 * 86_400 + rand() * 3600);
    videos.push(
      control.addVideo(account.openId, {
        caption: pick(rand, CAPTIONS),
        createTime: nowS - age,
        likes: Math.floor(rand() * 5000),
        // some promoted, some not, most without TikTok saying (is_ad absent), as at TikTok
        ...(i % 5 === 0 ? { isAd: true } : i % 5 === 1 ? { isAd: false } : {}),
      }),
    );
  }
  const tops: { id: string; video: SimVideo; time: number }[] = [];
  const commentCount = opts.comments ?? 300;
  for (let i = 0; i < commentCount && videos.length > 0; i++) {
    const isReply = tops.length > 0 && rand() < 0.25;
    if (isReply) {
      const parent = pick(rand, tops);
      const owner = rand() < 0.4;
      const [username, displayName] = pick(rand, FANS);
      const time = Math.min(nowS, parent.time + Math.floor(rand() * 7200) + 60);
      control.addComment(account.openId, parent.video.itemId, {
        text: owner ? pick(rand, OWNER_REPLIES) : pick(rand, REPLIES),
        owner,
        username,
        displayName,
        parentCommentId: parent.id,
        createTime: time,
        likes: Math.floor(rand() * 20),
      });
    } else {
      // Newer videos get more comments.
      const video = videos[Math.floor(Math.sqrt(rand()) * videos.length)];
      const [username, displayName] = pick(rand, FANS);
      const time = Math.min(nowS, video.createTime + Math.floor(rand() * 3 * 86_400));
      const c = control.addComment(account.openId, video.itemId, {
        text: fanText(rand),
        username,
        displayName,
        createTime: time,
        hidden: rand() < 0.03,
        likes: Math.floor(rand() * 200),
      });
      tops.push({ id: c.commentId, video, time });
    }
  }
  return { account: control.account(account.openId) as SimAccount, videos };
}

/**
 * Adds a friendly fan comment on one of the account's 5 newest listed videos every
 * `intervalMs` (and now and then a reply to a recent comment). Returns a stop function.
 */
export function startCommentStream(
  control: SimulatorControl,
  openId: string,
  opts: { intervalMs: number; seed?: number },
): () => void {
  const rand = prng(opts.seed ?? Date.now());
  const timer = setInterval(() => {
    // Fans find the videos listed in the profile; an unlisted one gets only the comments a
    // sandbox user posts on it (as someone with the link would).
    const recent = control
      .listVideos(openId)
      .filter((v) => v.listed)
      .slice(0, 5);
    if (recent.length === 0) return;
    const video = pick(rand, recent);
    const [username, displayName] = pick(rand, FANS);
    const existing = control.getComments(openId, video.itemId).filter((c) => !c.parentCommentId);
    const reply = existing.length > 0 && rand() < 0.2;
    control.addComment(openId, video.itemId, {
      text: reply ? pick(rand, REPLIES) : fanText(rand),
      username,
      displayName,
      parentCommentId: reply ? existing[0].commentId : undefined,
    });
  }, opts.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
