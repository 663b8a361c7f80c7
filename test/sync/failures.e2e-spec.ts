import { startAppWithSimulator } from '../support/tiktok';
import { asSuperuser } from '../support/database';
import { connectAccount } from '../factories/connect';
import { eventsFor, makeDue, seedComments, seedVideos, storedComments, syncOnce, syncRow, syncUntilIdle } from '../factories/sync';

describe('sync failures', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  beforeAll(async () => {
    env = await startAppWithSimulator({ app: { env: { WORKERS: 'false', SYNC_INTERVAL_SECONDS: '60' } } });
  });
  afterAll(() => env?.close());

  async function account(name: string): Promise<{ openId: string; id: string; expected: number }> {
    const { sim, t } = env;
    const acct = sim.control.addAccount({ username: name });
    const videos = seedVideos(sim, acct.openId, 3);
    const comments = seedComments(sim, acct.openId, videos[0].itemId, 40);
    const id = (await connectAccount(t, sim, acct.openId, t.token({ tenant: 'acme' }))).connectedId!;
    return { openId: acct.openId, id, expected: comments.length };
  }

  it('40102: refreshes the token and carries on', async () => {
    const { sim, t } = env;
    const a = await account('expired');
    sim.control.expireAccessTokens(a.openId);
    sim.control.resetCalls();
    await syncUntilIdle(t);
    expect(sim.control.calls().filter((c) => c.code === 40102).length).toBeGreaterThanOrEqual(1);
    expect(sim.control.calls({ path: 'tt_user/oauth2/refresh_token/' })).toHaveLength(1);
    expect(await storedComments(t, a.id)).toHaveLength(a.expected);
    expect(await syncRow(t, a.id)).toMatchObject({ status: 'active', sync_stage: 'live', sync_failures: 0, last_sync_error: null });
    expect(await eventsFor(t, a.id, 'tiktok.sync.failed')).toHaveLength(0);
  });

  it('5xx: the run fails, is counted and retried later with backoff, then resumes from its checkpoint', async () => {
    const { sim, t } = env;
    const a = await account('flaky');
    // the client retries 4 times itself, and the backfill reads several videos at once: TikTok
    // fails every call until the run has failed; both TikTok's 50000 and an HTTP 500 are transient
    sim.control.failNext({ path: 'business/comment/list/', count: 10, code: 50000 });
    sim.control.failNext({ path: 'business/comment/list/', count: 1000, httpStatus: 500 });
    const before = Date.now();
    await syncOnce(t);
    sim.control.clearFailures();
    const row = await syncRow(t, a.id);
    expect(row).toMatchObject({ status: 'active', sync_stage: 'backfill', sync_failures: 1, last_sync_error: 'TIKTOK_UNAVAILABLE', lease_owner: null });
    expect((row.next_sync_at as Date).getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect((row.sync_state as { backfill: { phase: string } }).backfill.phase).toBe('comments'); // the video pages were kept
    const failed = await eventsFor(t, a.id, 'tiktok.sync.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({ reason: 'TIKTOK_UNAVAILABLE', failures: 1 });
    // not due yet: nothing runs
    expect(await syncOnce(t)).toBe(0);
    await makeDue(t, a.id);
    await syncUntilIdle(t);
    expect(await storedComments(t, a.id)).toHaveLength(a.expected);
    expect(await syncRow(t, a.id)).toMatchObject({ sync_stage: 'live', sync_failures: 0, last_sync_error: null });
    expect((await eventsFor(t, a.id, 'tiktok.sync.completed'))[0].data).toMatchObject({ stage: 'backfill' });
  });

  it('40100: waits for the budget without counting a failure', async () => {
    const { sim, t } = env;
    const a = await account('limited');
    sim.control.failNext({ path: 'business/comment/list/', count: 1, code: 40100 });
    const before = Date.now();
    await syncOnce(t);
    const row = await syncRow(t, a.id);
    expect(row).toMatchObject({ status: 'active', sync_stage: 'backfill', sync_failures: 0, last_sync_error: null, lease_owner: null });
    // the account's bucket is held for a whole window after TikTok's 40100
    expect((row.next_sync_at as Date).getTime()).toBeGreaterThan(before + 30_000);
    expect(await eventsFor(t, a.id, 'tiktok.sync.failed')).toHaveLength(0);
    expect(t.logs.some((l) => l.includes('sync waits for the rate budget'))).toBe(true);
    // once the window has passed (simulated by clearing the budget) it carries on
    await asSuperuser(t.testDb, (c) => c.query(`delete from tiktok_rate_bucket where bucket like $1`, [`acct:${a.openId}:%`]));
    await makeDue(t, a.id);
    await syncUntilIdle(t);
    expect(await storedComments(t, a.id)).toHaveLength(a.expected);
  });

  it('auth revoked: the integration needs reauthorisation and its sync stops', async () => {
    const { sim, t } = env;
    const a = await account('revoked');
    sim.control.revokeGrants(a.openId);
    await syncOnce(t);
    const row = await syncRow(t, a.id);
    expect(row).toMatchObject({ status: 'reauth_required', sync_stage: 'paused', next_sync_at: null, last_sync_error: 'AUTH_REVOKED', lease_owner: null });
    const failed = await eventsFor(t, a.id, 'tiktok.sync.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({ reason: 'AUTH_REVOKED' });
    expect(await eventsFor(t, a.id, 'tiktok.integration.reauth-required')).toHaveLength(1);
    sim.control.resetCalls();
    await makeDue(t, a.id);
    expect(await syncOnce(t)).toBe(0);
    expect(sim.control.calls().filter((c) => c.query.business_id === a.openId)).toHaveLength(0);
  });
});
