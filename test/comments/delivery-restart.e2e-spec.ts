import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { CommandBus } from '@nestjs/cqrs';
import { IngestCommentsCommand } from '@modules/comments/contracts';
import { PostDeliveryWorker } from '@modules/comments/application/delivery/post-delivery.worker';
import { startTikTokSimulator, type RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { startTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { asTikTok, eventsOf, seedIntegration, seedVideo } from '../factories/inbox';

const REPLY = 'business/comment/reply/create/';

/** A loopback port nobody listens on: connections are refused, so TikTok certainly got nothing. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A process dies with posts still `pending`; another instance (same database) finishes them under
 * the same rules: one never sent is sent once; one that may have been sent is only read back.
 */
describe('pending posts survive a restart', () => {
  let sim: RunningSimulator;
  let testDb: TestDatabase;
  let t1: TestApp | undefined;
  let t2: TestApp | undefined;

  beforeAll(async () => {
    sim = await startTikTokSimulator({ rateLimit: { enabled: false } });
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await t1?.close();
    await t2?.close();
    await sim?.close();
    await testDb?.drop();
  });

  it('finishes each pending post exactly once after a restart', async () => {
    // Instance 1: no workers, and TikTok unreachable (connection refused: certainly not sent).
    const dead = `http://127.0.0.1:${await closedPort()}/open_api/v1.3/`;
    t1 = await startTestApp({
      testDb,
      env: { WORKERS: 'false', TIKTOK_REQUEST_TIMEOUT_MS: '500' },
      tiktok: { apiBaseUrl: dead, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret },
    });
    const a = await seedIntegration(t1, sim, { username: 'restart_brand' });
    const video = await seedVideo(t1, sim, a);
    const fans = ['one', 'two', 'three'].map((text) => sim.control.addComment(a.openId, video.tiktokVideoId, { text: `fan ${text}` }));
    const ingested = await t1.app.get(CommandBus).execute(new IngestCommentsCommand('acme', a.id, video.id, fans.map(asTikTok)));
    const [c1, c2, c3] = ingested.insertedIds;

    const r1 = await request(t1.url)
      .post(`/api/v1/comments/${c1}/replies`)
      .set('authorization', `Bearer ${t1.token({ sub: 'agent-7' })}`)
      .send({ text: 'sent after restart' })
      .expect(201);
    expect(r1.body.delivery).toEqual({ state: 'pending', error: null, postedBy: 'agent-7' });
    // certainly not sent: the attempt is cleared, so the next one may send
    const left = await t1.db.inTenant('acme', (tx) =>
      tx.one<{ attempt_started_at: Date | null; outcome_unknown: boolean }>('select attempt_started_at, outcome_unknown from tiktok_comment where id = $1', [r1.body.id]),
    );
    expect(left).toEqual({ attempt_started_at: null, outcome_unknown: false });

    // Two posts as a crash right after sending would leave them: an attempt began, no answer stored.
    // TikTok got the first (the account's reply is there), not the second.
    const maybeSent = { id: randomUUID(), text: 'crashed after sending', parent: fans[1], target: c2 };
    const lost = { id: randomUUID(), text: 'crashed, never arrived', parent: fans[2], target: c3 };
    const atTikTok = sim.control.addComment(a.openId, video.tiktokVideoId, { text: maybeSent.text, owner: true, parentCommentId: fans[1].commentId });
    await t1.db.inTenant('acme', async (tx) => {
      for (const p of [maybeSent, lost]) {
        await tx.run(
          `insert into tiktok_comment (tenant_id, id, integration_id, video_id, tiktok_video_id, parent_id, tiktok_parent_id, reply_to_id,
               author_username, author_display_name, text, posted_at, from_account, delivery_state, posted_by, delivery_attempts,
               attempt_started_at, delivery_lease_until)
           values ('acme', $1, $2, $3, $4, $5, $6, $5, 'restart_brand', 'Restart', $7, date_trunc('milliseconds', now()) - interval '1 second',
                   true, 'pending', 'agent-7', 1, date_trunc('milliseconds', now()) - interval '1 second', now() - interval '1 second')`,
          [p.id, a.id, video.id, video.tiktokVideoId, p.target, p.parent.commentId, p.text],
        );
      }
    });
    await t1.close();
    t1 = undefined;
    expect(sim.control.calls({ path: REPLY })).toHaveLength(0);

    // Instance 2 on the same database, TikTok reachable, workers on.
    t2 = await startTestApp({
      testDb,
      env: { TIKTOK_REQUEST_TIMEOUT_MS: '500' },
      tiktok: { apiBaseUrl: sim.apiBaseUrl, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret },
    });
    const state = (id: string) =>
      t2!.db.inTenant('acme', (tx) =>
        tx.one<{ delivery_state: string; delivery_error: string | null; tiktok_comment_id: string | null }>(
          'select delivery_state, delivery_error, tiktok_comment_id from tiktok_comment where id = $1',
          [id],
        ),
      );
    await eventually(
      async () => {
        expect(await state(r1.body.id)).toMatchObject({ delivery_state: 'sent' });
        expect(await state(maybeSent.id)).toEqual({ delivery_state: 'sent', delivery_error: null, tiktok_comment_id: atTikTok.commentId });
        expect(await state(lost.id)).toMatchObject({ delivery_state: 'failed', delivery_error: 'OUTCOME_UNKNOWN', tiktok_comment_id: null });
      },
      { timeoutMs: 20_000 },
    );
    // more passes change nothing
    expect(await t2.app.get(PostDeliveryWorker).runOnce()).toBe(0);
    const creates = sim.control.calls({ path: REPLY });
    expect(creates.map((c) => (c.body as { text: string }).text)).toEqual(['sent after restart']);
    expect(creates[0].body).toMatchObject({ comment_id: fans[0].commentId, video_id: video.tiktokVideoId });
    const mine = sim.control.getComments(a.openId, video.tiktokVideoId).filter((c) => c.owner);
    expect(mine.map((c) => c.text).sort()).toEqual(['crashed after sending', 'sent after restart']);
    expect((await state(r1.body.id))!.tiktok_comment_id).toBe(mine.find((c) => c.text === 'sent after restart')!.commentId);
    const replied = await eventsOf(t2, 'acme', 'tiktok.comment.replied');
    expect(replied.filter((e) => e.subject.id === r1.body.id)).toHaveLength(1);
    expect(replied.filter((e) => e.subject.id === maybeSent.id)).toHaveLength(1);
    const failed = await eventsOf(t2, 'acme', 'tiktok.reply.failed');
    expect(failed.filter((e) => e.subject.id === lost.id).map((e) => e.data.error)).toEqual(['OUTCOME_UNKNOWN']);
  });
});
