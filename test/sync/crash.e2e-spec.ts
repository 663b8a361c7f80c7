import { childServiceEnv, startAppWithSimulator } from '../support/tiktok';
import { eventually } from '../support/eventually';
import { ServiceProcess } from '../support/service-process';
import { connectAccount } from '../factories/connect';
import {
  deliverEvents,
  eventsFor,
  seedComments,
  seedVideos,
  storedComments,
  syncOnce,
  syncRow,
  syncUntilIdle,
} from '../factories/sync';

const LIST = 'business/comment/list/';

/**
 * The sync runs in a real child process (`src/main.ts`) against the test database and the
 * in-test simulator; it is killed with SIGKILL mid-backfill; a fresh instance resumes from the
 * committed checkpoint and ends with exactly TikTok's set, each comment stored and announced once.
 */
describe('sync: a process killed mid-backfill', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  let child: ServiceProcess | undefined;
  beforeAll(async () => {
    env = await startAppWithSimulator({
      app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60' } },
    });
  });
  afterAll(async () => {
    await child?.signal('SIGKILL');
    await env?.close();
  });

  it('resumes from its checkpoint in a fresh instance and ends with the exact set', async () => {
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: 'crashy' });
    const videos = seedVideos(sim, acct.openId, 3);
    const all = videos.flatMap((v, i) =>
      seedComments(sim, acct.openId, v.itemId, 150 + i * 10, { withReplies: 2, repliesEach: 5 }),
    );
    const id = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'acme' })))
      .connectedId!;
    sim.control.resetCalls();

    child = new ServiceProcess(childServiceEnv(t, sim, { TIKTOK_REQUEST_TIMEOUT_MS: '30000' }));
    await child.start();
    // let it import a few pages and commit a checkpoint past them (lanes read ahead of their
    // commits, so calls alone do not say that), then make its next comment page hang so that it is
    // surely mid-way
    await eventually(
      async () => {
        const state = (await syncRow(t, id)).sync_state as {
          backfill?: { lanes?: { cursor: number }[] };
        };
        expect((state.backfill?.lanes ?? []).some((l) => l.cursor > 0)).toBe(true);
      },
      { timeoutMs: 30_000 },
    );
    sim.control.hangNext({ path: LIST });
    await eventually(
      () => expect(sim.control.calls({ path: LIST }).some((c) => c.code === undefined)).toBe(true),
      { timeoutMs: 30_000 },
    );
    await child.signal('SIGKILL');
    child = undefined; // exited (a killed process reports no exit code, so do not signal it again)
    const callsBefore = sim.control.calls({ path: LIST }).length;

    const atCrash = await syncRow(t, id);
    expect(atCrash.sync_stage).toBe('backfill');
    expect(atCrash.lease_owner).not.toBeNull();
    const storedAtCrash = (await storedComments(t, id)).length;
    expect(storedAtCrash).toBeGreaterThan(0);
    expect(storedAtCrash).toBeLessThan(all.length);
    const checkpoint = atCrash.sync_state as {
      backfill: { phase: string; current: { cursor: number } | null; afterVideo: unknown };
    };
    expect(checkpoint.backfill.phase).toBe('comments');

    // the dead instance's lease has not lapsed, yet it is free at once: its holder's liveness lock
    // went with its connection, so this instance takes it back without waiting the 90 s
    expect(new Date(atCrash.lease_until as string | Date).getTime()).toBeGreaterThan(
      Date.now() + 30_000,
    );
    await eventually(async () => expect(await syncOnce(t)).toBe(1), { timeoutMs: 10_000 });
    await syncUntilIdle(t);

    const stored = await storedComments(t, id);
    expect(stored).toHaveLength(all.length);
    expect(new Set(stored.map((s) => s.tiktok_comment_id))).toEqual(
      new Set(all.map((c) => c.commentId)),
    );
    const received = await eventsFor(t, id, 'tiktok.comment.received');
    expect(received).toHaveLength(all.length);
    await deliverEvents(t);
    expect(await syncRow(t, id)).toMatchObject({
      sync_stage: 'live',
      videos_backfilled: 3,
      comments_stored: all.length,
      lease_owner: null,
    });
    // it resumed rather than started over: fewer pages after the crash than a whole backfill needs
    const pagesFromScratch =
      videos.length + [150, 160, 170].reduce((n, c) => n + Math.ceil(c / 30), 0) - videos.length;
    const after = sim.control.calls({ path: LIST }).length - callsBefore;
    expect(after).toBeLessThan(pagesFromScratch);
  });
});
