/**
 * Fans commenting while a scenario runs: one new comment every `intervalMs` into the simulator,
 * with the skew of a real account (most on recent videos), some of them replies. Records when
 * each was posted (ms, this process's clock, the same clock as PostgreSQL's `now()` here).
 */
import type { SimulatorControl } from '../../src/sandbox/tiktok-simulator';
import { prng, type SeededAccount, type SeedVideo, type TopLevel } from './seed';

const DAY_MS = 86_400_000;
/** `comment/list` page size the sync reads (a quick poll reads newest first until a known comment). */
const FIRST_PAGE = 30;

export type AgeClass = 'week' | 'month' | 'older';
export const AGE_CLASSES: readonly AgeClass[] = ['week', 'month', 'older'];
export const AGE_LABEL: Record<AgeClass, string> = { week: 'video < 1 week old', month: 'video 1 week – 1 month', older: 'video > 1 month' };

export interface Generated {
  id: string;
  videoId: string;
  scenario: string;
  postedMs: number;
  ageClass: AgeClass;
  /** the video's rank among the account's videos, newest first (0 = newest) */
  videoRank: number;
  /** null: top-level; else the parent's rank among the video's top-level comments, newest first (0 = newest) */
  parentRank: number | null;
}

export interface GeneratorOptions {
  intervalMs: number;
  /** shares of the three age classes; the rest of 1 goes to older videos */
  shares: { week: number; month: number };
  replyShare: number;
  /** of the replies: share whose parent is picked among the video's newest `FIRST_PAGE` top-level comments (else any) */
  replyToFirstPageShare: number;
  seed: number;
}

export const DEFAULT_GENERATOR: GeneratorOptions = {
  intervalMs: 3_000,
  shares: { week: 0.6, month: 0.25 },
  replyShare: 0.2,
  replyToFirstPageShare: 0.5,
  seed: 7,
};

export function ageClassOf(ageMs: number): AgeClass {
  if (ageMs < 7 * DAY_MS) return 'week';
  if (ageMs < 30 * DAY_MS) return 'month';
  return 'older';
}

/** Picks an index in [0, n) with weight 1 / (i + 1)^power (power 0: uniform). */
function weightedIndex(rand: () => number, n: number, power: number): number {
  if (power === 0) return Math.floor(rand() * n);
  const w = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, power));
  let x = rand() * w.reduce((s, v) => s + v, 0);
  for (let i = 0; i < n; i++) {
    x -= w[i]!;
    if (x <= 0) return i;
  }
  return n - 1;
}

export class CommentGenerator {
  readonly posted: Generated[] = [];
  private readonly rand: () => number;
  private stopped = false;

  constructor(
    private readonly control: SimulatorControl,
    private readonly account: SeededAccount,
    private readonly opts: GeneratorOptions,
    private readonly log: (m: string) => void,
  ) {
    this.rand = prng(opts.seed);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Posts one comment every `intervalMs` (on a fixed schedule, no drift) for `durationMs`. */
  async run(scenario: string, durationMs: number): Promise<Generated[]> {
    const start = Date.now();
    const out: Generated[] = [];
    for (let k = 0; !this.stopped; k++) {
      const at = start + k * this.opts.intervalMs;
      if (at - start >= durationMs) break;
      const wait = at - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const g = this.postOne(scenario);
      out.push(g);
      this.posted.push(g);
      if (out.length % 50 === 0) this.log(`${scenario}: ${out.length} comments posted`);
    }
    return out;
  }

  private postOne(scenario: string): Generated {
    const now = Date.now();
    const byClass: Record<AgeClass, SeedVideo[]> = { week: [], month: [], older: [] };
    for (const v of this.account.videos) byClass[ageClassOf(now - v.postedMs)].push(v);
    const r = this.rand();
    let cls: AgeClass = r < this.opts.shares.week ? 'week' : r < this.opts.shares.week + this.opts.shares.month ? 'month' : 'older';
    if (byClass[cls].length === 0) cls = 'older';
    // newest first: recent videos weighted steeply to the newest, a month's less so, old ones uniform
    const list = byClass[cls];
    const video = list[weightedIndex(this.rand, list.length, cls === 'week' ? 1 : cls === 'month' ? 0.5 : 0)]!;
    const tops = this.account.topLevel.get(video.itemId) ?? [];
    const reply = tops.length > 0 && this.rand() < this.opts.replyShare;
    let parent: TopLevel | undefined;
    let parentRank: number | null = null;
    if (reply) {
      const newestFirst = [...tops].sort((a, b) => b.createTime - a.createTime);
      const i = this.rand() < this.opts.replyToFirstPageShare ? Math.floor(this.rand() * Math.min(FIRST_PAGE, newestFirst.length)) : Math.floor(this.rand() * newestFirst.length);
      parent = newestFirst[i]!;
      parentRank = i;
    }
    const postedMs = Date.now();
    const c = this.control.addComment(this.account.openId, video.itemId, {
      text: reply ? `reply from the bench (${scenario})` : `new comment from the bench (${scenario})`,
      username: `fan_${Math.floor(this.rand() * 50_000)}`,
      parentCommentId: parent?.id,
    });
    if (!reply) tops.push({ id: c.commentId, createTime: c.createTime });
    const videoRank = this.account.videos.findIndex((v) => v.itemId === video.itemId);
    return { id: c.commentId, videoId: video.itemId, scenario, postedMs, ageClass: cls, videoRank, parentRank };
  }
}
