import { timingSafeEqual } from 'node:crypto';
import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { SimAnswer, callSimulator } from './simulator-client';
import { RunningSimulator, signWebhook, startTikTokSimulator } from './tiktok-simulator';

interface Received {
  body: string;
  signature: string;
}

/** A local webhook receiver; `failFirst` answers 500 to that many requests. */
async function startReceiver(
  failFirst = 0,
): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  let failures = failFirst;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['tiktok-signature']),
      });
      res.statusCode = failures-- > 0 ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/tiktok`,
    got,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('TikTok simulator: rate limits', () => {
  let sim: RunningSimulator;
  let clock: number;
  let openId: string;
  let token: string;
  const me = (businessId = openId, accessToken = token): Promise<SimAnswer> =>
    callSimulator(sim, 'GET', 'business/get/', { business_id: businessId }, { accessToken });

  afterEach(async () => {
    await sim.close();
  });

  async function start(rateLimit: Record<string, number>): Promise<void> {
    clock = 1_000_000;
    sim = await startTikTokSimulator({ rateLimit, now: () => clock });
    openId = sim.control.addAccount({ username: 'a' }).openId;
    token = sim.control.grantTokens(openId).accessToken;
  }

  it('limits per account and endpoint in a sliding window; refusals consume nothing', async () => {
    await start({ perAccountEndpoint: 5, windowMs: 1000 });
    for (let i = 0; i < 5; i++) {
      expect((await me()).code).toBe(0);
      clock += 100;
    }
    const limited = await me();
    expect(limited).toMatchObject({ status: 200, code: 40100 });
    // Another endpoint, and another account, have their own budget.
    expect(
      (
        await callSimulator(
          sim,
          'GET',
          'business/video/list/',
          { business_id: openId },
          { accessToken: token },
        )
      ).code,
    ).toBe(0);
    const other = sim.control.addAccount({ username: 'b' }).openId;
    expect((await me(other, sim.control.grantTokens(other).accessToken)).code).toBe(0);
    // Sliding: at t0+1000 only the first hit has left the window.
    clock = 1_000_000 + 1000;
    expect((await me()).code).toBe(0);
    expect((await me()).code).toBe(40100);
    clock += 2000;
    expect((await me()).code).toBe(0);
  });

  it('applies the app-wide per-second limit; OAuth endpoints are not limited', async () => {
    await start({ appPerSecond: 3, perAccountEndpoint: 100 });
    for (let i = 0; i < 3; i++) expect((await me()).code).toBe(0);
    expect((await me()).code).toBe(40100);
    const oauth = await callSimulator(sim, 'POST', 'tt_user/oauth2/token/', {
      client_id: sim.clientKey,
      client_secret: sim.clientSecret,
      grant_type: 'authorization_code',
      auth_code: 'x',
      redirect_uri: 'https://a/',
    });
    expect(oauth.code).toBe(40101);
    clock += 1000;
    expect((await me()).code).toBe(0);
  });

  it('is on by default at 40 per account endpoint per minute', async () => {
    clock = 5_000_000;
    sim = await startTikTokSimulator({ now: () => clock });
    openId = sim.control.addAccount({ username: 'a' }).openId;
    token = sim.control.grantTokens(openId).accessToken;
    for (let i = 0; i < 40; i++) {
      expect((await me()).code).toBe(0);
      clock += 500; // stay under the 10/s app limit
    }
    expect((await me()).code).toBe(40100);
  });
});

describe('TikTok simulator: webhooks', () => {
  let sim: RunningSimulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  async function subscribe(): Promise<void> {
    const res = await callSimulator(sim, 'POST', 'business/webhook/update/', {
      app_id: sim.clientKey,
      secret: sim.clientSecret,
      event_type: 'COMMENT',
      callback_url: receiver.url,
    });
    expect(res).toMatchObject({
      code: 0,
      data: { app_id: sim.clientKey, event_type: 'COMMENT', callback_url: receiver.url },
    });
  }

  it('manages the subscription with app credentials only', async () => {
    receiver = await startReceiver();
    sim = await startTikTokSimulator({ clientSecret: 'top-secret' });
    const bad = await callSimulator(sim, 'POST', 'business/webhook/update/', {
      app_id: sim.clientKey,
      secret: 'nope',
      event_type: 'COMMENT',
      callback_url: receiver.url,
    });
    expect(bad.code).toBe(40001);
    await subscribe();
    const list = await callSimulator(sim, 'GET', 'business/webhook/list/', {
      app_id: sim.clientKey,
      secret: 'top-secret',
      event_type: 'COMMENT',
    });
    expect(list.data).toEqual({
      app_id: sim.clientKey,
      event_type: 'COMMENT',
      callback_url: receiver.url,
    });
    const wrong = await callSimulator(sim, 'GET', 'business/webhook/list/', {
      app_id: sim.clientKey,
      secret: 'x',
      event_type: 'COMMENT',
    });
    expect(wrong.code).toBe(40001);
  });

  it('delivers signed comment.update events with lossless numeric ids', async () => {
    receiver = await startReceiver();
    sim = await startTikTokSimulator({ clientSecret: 'hook-secret' });
    const openId = sim.control.addAccount({ username: 'a' }).openId;
    await subscribe();
    const video = sim.control.addVideo(openId, { itemId: '7109065174526479622' });
    sim.control.addComment(openId, video.itemId, { text: 'no grant yet' });
    await sim.control.flushWebhooks();
    expect(receiver.got).toHaveLength(0); // no comment.list grant, no webhook

    sim.control.grantTokens(openId, ['comment.list']);
    const top = sim.control.addComment(openId, video.itemId, {
      text: 'hello "there"',
      commentId: '7110150495453840130',
      username: 'fan',
    });
    sim.control.addComment(openId, video.itemId, {
      text: 'reply',
      parentCommentId: top.commentId,
      commentId: '7110150495453840199',
    });
    sim.control.hideComment(top.commentId);
    sim.control.deleteComment(top.commentId);
    await sim.control.flushWebhooks();
    expect(receiver.got).toHaveLength(4);

    const first = receiver.got[0];
    const [, t, s] = /^t=(\d+),s=([0-9a-f]{64})$/.exec(first.signature) ?? [];
    expect(first.signature).toBe(signWebhook('hook-secret', first.body, Number(t)));
    const expected = signWebhook('hook-secret', first.body, Number(t)).split('s=')[1];
    expect(timingSafeEqual(Buffer.from(s), Buffer.from(expected))).toBe(true);
    expect(first.signature).not.toBe(signWebhook('other', first.body, Number(t)));

    const env = JSON.parse(first.body) as Record<string, unknown>;
    expect(env).toMatchObject({
      client_key: sim.clientKey,
      event: 'comment.update',
      user_openid: openId,
    });
    expect(typeof env.create_time).toBe('number');
    const content = env.content as string;
    expect(content).toContain('"comment_id":7110150495453840130');
    expect(content).toContain('"video_id":7109065174526479622');
    expect(JSON.parse(content)).toMatchObject({
      comment_type: 'comment',
      comment_action: 'insert',
      text: 'hello "there"',
    });
    expect(typeof (JSON.parse(content) as { unique_identifier: unknown }).unique_identifier).toBe(
      'string',
    );

    const reply = JSON.parse(receiver.got[1].body) as { content: string };
    expect(reply.content).toContain('"parent_comment_id":7110150495453840130');
    expect(JSON.parse(reply.content)).toMatchObject({
      comment_type: 'reply',
      comment_action: 'insert',
    });
    const actions = receiver.got.map(
      (g) =>
        (
          JSON.parse((JSON.parse(g.body) as { content: string }).content) as {
            comment_action: string;
          }
        ).comment_action,
    );
    expect(actions).toEqual(['insert', 'insert', 'set_to_hidden', 'delete']);
    expect(sim.control.deliveries().every((d) => d.state === 'delivered' && d.status === 200)).toBe(
      true,
    );
  });

  it('sends duplicate copies when asked, and events for API-made replies', async () => {
    receiver = await startReceiver();
    sim = await startTikTokSimulator({ webhook: { duplicates: 2, delayMs: 20 } });
    const openId = sim.control.addAccount({ username: 'a' }).openId;
    const token = sim.control.grantTokens(openId).accessToken;
    await subscribe();
    const video = sim.control.addVideo(openId);
    const top = sim.control.addComment(openId, video.itemId, { text: 'hi' });
    expect(receiver.got).toHaveLength(0); // delayed
    await sim.control.flushWebhooks();
    expect(receiver.got).toHaveLength(3);
    expect(new Set(receiver.got.map((g) => g.body)).size).toBe(1);
    await callSimulator(
      sim,
      'POST',
      'business/comment/reply/create/',
      { business_id: openId, video_id: video.itemId, comment_id: top.commentId, text: 'thanks' },
      { accessToken: token },
    );
    await sim.control.flushWebhooks();
    expect(receiver.got).toHaveLength(6);
    expect(sim.control.deliveries().map((d) => d.copy)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('retries a failed delivery with backoff', async () => {
    receiver = await startReceiver(2);
    sim = await startTikTokSimulator({ webhook: { retryBaseMs: 10 } });
    const openId = sim.control.addAccount({ username: 'a' }).openId;
    sim.control.grantTokens(openId);
    await subscribe();
    sim.control.addComment(openId, sim.control.addVideo(openId).itemId, { text: 'hi' });
    await sim.control.flushWebhooks();
    expect(receiver.got).toHaveLength(3);
    const [d] = sim.control.deliveries();
    expect(d.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(d.state).toBe('delivered');
  });

  it('marks a delivery failed after its attempts when the receiver is down', async () => {
    receiver = await startReceiver();
    sim = await startTikTokSimulator({ webhook: { retryBaseMs: 5, maxAttempts: 2 } });
    const openId = sim.control.addAccount({ username: 'a' }).openId;
    sim.control.grantTokens(openId);
    await subscribe();
    await receiver.close();
    sim.control.addComment(openId, sim.control.addVideo(openId).itemId, { text: 'hi' });
    await sim.control.flushWebhooks();
    const [d] = sim.control.deliveries();
    expect(d.state).toBe('failed');
    expect(d.attempts).toHaveLength(2);
    expect(d.attempts[0].error).toBeTruthy();
  });
});
