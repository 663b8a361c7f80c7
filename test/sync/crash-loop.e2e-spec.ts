import { writeFileSync } from 'node:fs';
import request from 'supertest';
import { childServiceEnv, startAppWithSimulator } from '../support/tiktok';
import { prng } from '../../src/sandbox/demo';
import { asSuperuser } from '../support/database';
import { eventually } from '../support/eventually';
import { ServiceProcess } from '../support/service-process';
import { connectAccount } from '../factories/connect';
import { eventsFor, seedComments, seedVideos, storedComments, syncRow } from '../factories/sync';

const LIST = 'business/comment/list/';
/** Kills in CI; `bench/crash-resume` runs the same loop with more (CRASH_LOOP_ROUNDS). */
const ROUNDS = Number(process.env.CRASH_LOOP_ROUNDS ?? 5);
const SEED = Number(process.env.CRASH_LOOP_SEED ?? Date.now() % 1_000_000);

/**
 * The real service (a child process) is killed with SIGKILL at random moments of a backfill of
 * thousands of comments, `ROUNDS` times, and restarted on the same database each time. Each
 * restart must take the dead instance's lease back before that lease lapses (asserted on the lease
 * row, against the database's clock), and in the end every comment is stored and announced once,
 * and the event chain verifies.
 */
describe('sync: killed again and again mid-backfill', () => {
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

  it(
    `loses and doubles nothing over ${ROUNDS} kills, and each restart resumes at once (seed ${SEED})`,
    async () => {
      const { sim, t } = env;
      const random = prng(SEED);
      const acct = sim.control.addAccount({ username: 'crashloop' });
      const videos = seedVideos(sim, acct.openId, 8);
      const all = videos.flatMap((v, i) =>
        seedComments(sim, acct.openId, v.itemId, 300 + i * 20, { withReplies: 4, repliesEach: 6 }),
      );
      expect(all.length).toBeGreaterThan(2_000);
      const id = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'acme' })))
        .connectedId!;
      // the loop is about leases: the durable rate budget would make restarts wait for the dead ones' calls
      const childEnv = childServiceEnv(t, sim, { TIKTOK_RATE_BUDGET: 'off' });
      const leaseAt = async (deadLeaseUntil: unknown) =>
        asSuperuser(t.testDb, async (c) => {
          const r = await c.query<{ lease_owner: string | null; before_expiry: boolean }>(
            `select lease_owner, now() < $2::timestamptz as before_expiry from tiktok_integration where id = $1`,
            [id, deadLeaseUntil],
          );
          return r.rows[0];
        });

      const figures: {
        round: number;
        readyMs: number;
        firstCallMs: number;
        killedAfterCalls: number;
      }[] = [];
      let kills = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const dead = await syncRow(t, id);
        if (dead.sync_stage !== 'backfill') break;
        const mark = sim.control.calls({ path: LIST }).length;
        const t0 = Date.now();
        child = new ServiceProcess(childEnv);
        const readyMs = await child.start();
        if (dead.lease_owner) {
          // the killed instance's lease had not lapsed, and the restarted one holds it all the same
          await eventually(
            async () => {
              const now = await leaseAt(dead.lease_until);
              expect(now.lease_owner).not.toBeNull();
              expect(now.lease_owner).not.toBe(dead.lease_owner);
              expect(now.before_expiry).toBe(true);
            },
            { timeoutMs: 30_000, intervalMs: 20 },
          );
        }
        const first = await eventually(
          () => {
            const c = sim.control.calls({ path: LIST })[mark];
            expect(c).toBeDefined();
            return c;
          },
          { timeoutMs: 30_000, intervalMs: 20 },
        );
        // a random moment: after 1 to 12 more comment pages were asked for
        const more = 1 + Math.floor(random() * 12);
        await eventually(
          () =>
            expect(sim.control.calls({ path: LIST }).length).toBeGreaterThanOrEqual(mark + more),
          { timeoutMs: 30_000, intervalMs: 5 },
        );
        await child.signal('SIGKILL');
        child = undefined;
        kills += 1;
        figures.push({ round, readyMs, firstCallMs: first.at - t0, killedAfterCalls: more });
      }
      expect(kills).toBe(ROUNDS);

      // a last instance finishes the backfill and stops cleanly
      child = new ServiceProcess(childEnv);
      await child.start();
      await eventually(async () => expect((await syncRow(t, id)).sync_stage).toBe('live'), {
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      await child.signal('SIGTERM');
      child = undefined;

      const stored = await storedComments(t, id);
      expect(stored).toHaveLength(all.length);
      expect(new Set(stored.map((s) => s.tiktok_comment_id))).toEqual(
        new Set(all.map((c) => c.commentId)),
      );
      const received = await eventsFor(t, id, 'tiktok.comment.received');
      expect(received).toHaveLength(all.length);
      expect(new Set(received.map((e) => e.subject_id)).size).toBe(all.length);
      const verify = await request(t.url)
        .get('/api/v1/events/verify')
        .set('authorization', `Bearer ${t.token({ tenant: 'acme', roles: ['auditor'] })}`)
        .expect(200);
      expect(verify.body).toMatchObject({ ok: true, firstBadSeq: null });
      if (process.env.CRASH_LOOP_REPORT)
        writeFileSync(
          process.env.CRASH_LOOP_REPORT,
          JSON.stringify({ seed: SEED, comments: all.length, figures }, null, 2),
        );
    },
    120_000 + ROUNDS * 60_000,
  );
});
