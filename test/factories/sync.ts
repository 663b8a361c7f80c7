import type { RunningSimulator, SimComment, SimVideo } from '../../src/sandbox/tiktok-simulator';
import type { TestApp } from '../support/app';
import { asSuperuser } from '../support/database';
import { TikTokSyncScheduler } from '@modules/integrations/application/sync/tiktok-sync.scheduler';
import { EventConsumers } from '@shared/event-log/event-consumers';
import { Sealer } from '@shared/event-log/sealer';

/** Drives the sync saga directly (tests run with WORKERS=false): ticks until nothing is due. */
export function syncUntilIdle(t: TestApp, maxRuns = 50): Promise<number> {
  return t.app.get(TikTokSyncScheduler).syncUntilIdle(maxRuns);
}

/** Seals every pending event and delivers them to the consumers (the integration's counts among them). */
export async function deliverEvents(t: TestApp): Promise<void> {
  await t.app.get(Sealer).drain();
  await t.app.get(EventConsumers).drain();
}

/** One tick, waiting for the runs it started. */
export function syncOnce(t: TestApp): Promise<number> {
  return t.app.get(TikTokSyncScheduler).syncOnce();
}

/** Makes the integration due now (as `POST /sync` does). */
export async function makeDue(t: TestApp, integrationId: string): Promise<void> {
  await asSuperuser(t.testDb, (c) => c.query(`update tiktok_integration set next_sync_at = now() where id = $1`, [integrationId]));
}

/** Makes every video of the integration due for a quick poll now. */
export async function makeVideosDue(t: TestApp, integrationId: string): Promise<void> {
  await asSuperuser(t.testDb, (c) => c.query(`update tiktok_video set next_poll_at = now() where integration_id = $1`, [integrationId]));
}

/** An account with `videos` videos, oldest first in time; returns them newest first. */
export function seedVideos(sim: RunningSimulator, openId: string, count: number, startSecondsAgo = 86_400 * 3): SimVideo[] {
  const now = Math.floor(Date.now() / 1000);
  const out: SimVideo[] = [];
  for (let i = 0; i < count; i++) out.push(sim.control.addVideo(openId, { caption: `video ${i}`, createTime: now - startSecondsAgo + i * 60 }));
  return out.reverse();
}

/** `n` fan comments on a video, spread over the past, plus `repliesEach` replies under the first `withReplies` of them. */
export function seedComments(
  sim: RunningSimulator,
  openId: string,
  videoId: string,
  n: number,
  opts: { withReplies?: number; repliesEach?: number; startSecondsAgo?: number } = {},
): SimComment[] {
  const now = Math.floor(Date.now() / 1000);
  const start = opts.startSecondsAgo ?? 86_400;
  const out: SimComment[] = [];
  for (let i = 0; i < n; i++) {
    const c = sim.control.addComment(openId, videoId, { text: `comment ${i} on ${videoId.slice(-4)}`, createTime: now - start + i * 10 });
    out.push(c);
    if (i < (opts.withReplies ?? 0)) {
      for (let r = 0; r < (opts.repliesEach ?? 0); r++) {
        out.push(sim.control.addComment(openId, videoId, { text: `reply ${r} to ${i}`, parentCommentId: c.commentId, createTime: now - start + i * 10 + r + 1 }));
      }
    }
  }
  return out;
}

/** Stored comments of an integration (TikTok id → row essentials), every tenant's view via superuser. */
export async function storedComments(
  t: TestApp,
  integrationId: string,
): Promise<{ tiktok_comment_id: string; parent_tiktok: string | null; hidden: boolean; deleted: boolean; text: string }[]> {
  return asSuperuser(t.testDb, async (c) => {
    const r = await c.query(
      `select c.tiktok_comment_id, p.tiktok_comment_id as parent_tiktok, c.hidden, c.deleted, c.text
         from tiktok_comment c left join tiktok_comment p on p.tenant_id = c.tenant_id and p.id = c.parent_id
        where c.integration_id = $1 and c.tiktok_comment_id is not null`,
      [integrationId],
    );
    return r.rows;
  });
}

/** Events of a type for an integration. */
export async function eventsFor(t: TestApp, integrationId: string, type: string): Promise<{ data: Record<string, unknown>; subject_id: string }[]> {
  return asSuperuser(t.testDb, async (c) => {
    const r = await c.query(`select data, subject->>'id' as subject_id from event_log where integration_id = $1 and type = $2 order by occurred_at, id`, [integrationId, type]);
    return r.rows;
  });
}

/** The integration's sync columns. */
export async function syncRow(t: TestApp, integrationId: string): Promise<Record<string, unknown>> {
  return asSuperuser(t.testDb, async (c) => {
    const r = await c.query(
      `select status, sync_stage, sync_state, sync_failures, next_sync_at, lease_owner, lease_until, videos_known, videos_backfilled,
              comments_stored, last_synced_at, last_sync_error from tiktok_integration where id = $1`,
      [integrationId],
    );
    return r.rows[0];
  });
}

/** Makes every video of the integration due for full reconciliation (as if last reconciled long ago). */
export async function makeReconcileDue(t: TestApp, integrationId: string): Promise<void> {
  await asSuperuser(t.testDb, (c) => c.query(`update tiktok_video set last_reconciled_at = null where integration_id = $1`, [integrationId]));
}

/** Marks every video of the integration as swept now (`at: 'now'`) or never (`null`: due for a sweep if recent). */
export async function setSwept(t: TestApp, integrationId: string, at: 'now' | null): Promise<void> {
  await asSuperuser(t.testDb, (c) =>
    c.query(`update tiktok_video set last_swept_at = ${at === 'now' ? 'now()' : 'null'} where integration_id = $1`, [integrationId]),
  );
}
