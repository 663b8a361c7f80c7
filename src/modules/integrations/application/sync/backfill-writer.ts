import type { CommandBus } from '@nestjs/cqrs';
import { IngestCommentPagesCommand, type IngestCommentsResult } from '@modules/comments/contracts';
import type { TikTokComment } from '@shared/tiktok/tiktok-api.port';
import type { SyncState } from './sync-state';
import { SyncLeaseLostError, type ClaimedSync, type SyncRepository } from './sync.repository';

/** How long a checkpoint waits for a page's ingest to carry it before it is written on its own. */
export const CHECKPOINT_CARRY_MS = 200;

interface Waiting {
  videoId: string;
  comments: TikTokComment[];
  resolve: (r: IngestCommentsResult) => void;
  reject: (err: unknown) => void;
}

/**
 * The backfill's writes, group-committed: the pages the lanes hand in while one transaction is in
 * flight go together into the next (`IngestCommentPagesCommand`), and each such transaction also
 * writes the sync checkpoint (the integration's own table, through the command's
 * `alsoInTransaction`). One commit, one lease check and one checkpoint then serve several pages.
 *
 * Why a checkpoint never runs ahead of the comments: the state written is taken when a
 * transaction starts, and a lane moves its video's position only after the ingests of that page
 * have resolved, i.e. committed. So the checkpoint names only pages already committed (by this
 * transaction's predecessors); in the WAL it comes after them, so a crash that loses it (these
 * commits do not wait for the flush, see `Database.inTenant`) loses nothing before it. A
 * checkpoint requested with no page to carry it is written on its own after `CHECKPOINT_CARRY_MS`,
 * and every request is written before `flush()` returns: a killed process resumes at most a page
 * or two per lane before where it was, and re-reading those is harmless (the ingest stores each
 * comment once).
 *
 * Transactions run one at a time, so checkpoints land in the order their states were taken. If
 * the lease was lost, the checkpoint's conditional update fails and rolls the pages back with it
 * (another instance is importing them).
 */
export class BackfillWriter {
  private queue: Waiting[] = [];
  private checkpointWanted = false;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** a failed checkpoint nobody was waiting for: reported by the next call */
  private failure: { err: unknown } | null = null;

  constructor(
    private readonly commands: CommandBus,
    private readonly repo: SyncRepository,
    private readonly run: { claim: ClaimedSync; state: SyncState; lost: boolean },
    private readonly leaseTtlMs: number,
  ) {}

  /** Stores a page of one video with the next group; resolves when that transaction committed. */
  ingest(videoId: string, comments: TikTokComment[]): Promise<IngestCommentsResult> {
    this.throwIfFailed();
    return new Promise<IngestCommentsResult>((resolve, reject) => {
      this.queue.push({ videoId, comments, resolve, reject });
      this.kick();
    });
  }

  /** The state as it is now is written with the next transaction (soon; see the class comment). */
  checkpoint(): void {
    this.throwIfFailed();
    this.checkpointWanted = true;
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, CHECKPOINT_CARRY_MS);
    this.timer.unref();
  }

  /** Writes whatever is waiting (a checkpoint included) and waits for it; throws a write's failure. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.kick();
    while (this.running) await this.running;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.err;
  }

  private kick(): void {
    if (this.running) return;
    if (this.queue.length === 0 && !this.checkpointWanted) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.checkpointWanted) {
      const group = this.queue.splice(0);
      this.checkpointWanted = false;
      const { claim, state } = this.run;
      // taken now: only transitions of pages whose ingests have committed (see the class comment)
      const columns = state.columns();
      const events = state.pullEvents();
      const save = (tx: Parameters<SyncRepository['saveIn']>[0]) => this.repo.saveIn(tx, claim, columns, events, { release: false, ttlMs: this.leaseTtlMs });
      try {
        if (this.run.lost) throw new SyncLeaseLostError();
        if (group.length === 0) {
          await this.repo.save(claim, columns, events, { release: false, ttlMs: this.leaseTtlMs });
        } else {
          const results = await this.commands.execute(
            new IngestCommentPagesCommand(
              claim.tenant,
              claim.integrationId,
              group.map((w) => ({ videoId: w.videoId, comments: w.comments })),
              save,
            ),
          );
          group.forEach((w, i) => w.resolve(results[i]));
        }
      } catch (err) {
        if (group.length === 0) this.failure ??= { err };
        for (const w of group) w.reject(err);
      }
    }
  }
}
