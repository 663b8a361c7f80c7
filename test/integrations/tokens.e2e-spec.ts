import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startAppWithSimulator } from '../support/tiktok';
import { startTestApp, TEST_TOKEN_KEY, type TestApp } from '../support/app';
import { asSuperuser } from '../support/database';
import { connectAccount } from '../factories/connect';
import type { RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { TIKTOK_ACCESS, type TikTokAccess } from '@modules/integrations/contracts';
import { TIKTOK_API, type TikTokApi } from '@shared/tiktok/tiktok-api.port';
import { TikTokError } from '@shared/tiktok/tiktok-error';
import { Sealer } from '@shared/event-log/sealer';
import { TokenCipher } from '@shared/crypto/token-cipher';
import { keyId } from '@shared/config/load-config';
import { reencryptTokens } from '@modules/integrations/application/reencrypt-tokens';

describe('TikTok tokens', () => {
  let t: TestApp;
  let sim: RunningSimulator;
  let close: () => Promise<void>;
  const admin = () => t.token({ sub: 'ada', tenant: 'acme', roles: ['admin'] });
  const bodies: string[] = [];

  beforeAll(async () => {
    // No background sync: every TikTok call in these tests is one the test made.
    ({ t, sim, close } = await startAppWithSimulator({ app: { env: { WORKERS: 'false' } } }));
  });
  afterAll(async () => close?.());

  async function connect(username: string): Promise<{ id: string; openId: string }> {
    const openId = sim.control.addAccount({ username }).openId;
    const r = await connectAccount(t, sim, openId, admin());
    return { id: r.connectedId!, openId };
  }

  const access = (app: TestApp = t) => app.app.get<TikTokAccess>(TIKTOK_ACCESS);
  const api = () => t.app.get<TikTokApi>(TIKTOK_API);
  const expireStored = (id: string) =>
    asSuperuser(t.testDb, (c) => c.query(`update tiktok_token set access_expires_at = now() - interval '1 minute' where integration_id = $1`, [id]));

  it('50 concurrent calls that all need a refresh cause exactly one refresh at TikTok', async () => {
    const { id } = await connect('refresh.once');
    await expireStored(id);
    const before = sim.control.calls({ path: 'tt_user/oauth2/refresh_token/' }).length;
    // 25 on each of two endpoints: the per-account budget is 40 per endpoint and minute.
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        access().withAccess('acme', id, async (auth) =>
          i % 2 ? (await api().getAccount(auth, { fields: ['username'] })).username : (await api().listVideos(auth, {})).items.length,
        ),
      ),
    );
    expect(results.filter((r) => r === 'refresh.once')).toHaveLength(25);
    expect(sim.control.calls({ path: 'tt_user/oauth2/refresh_token/' }).length - before).toBe(1);
  });

  it('two instances refreshing at once still refresh once (row lock + version)', async () => {
    const { id } = await connect('refresh.two');
    const second = await startTestApp({
      testDb: t.testDb,
      tiktok: { apiBaseUrl: sim.apiBaseUrl, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret },
      env: { WORKERS: 'false' },
    });
    try {
      await expireStored(id);
      const before = sim.control.calls({ path: 'tt_user/oauth2/refresh_token/' }).length;
      const call = (app: TestApp) => access(app).withAccess('acme', id, (auth) => app.app.get<TikTokApi>(TIKTOK_API).getAccount(auth, { fields: ['username'] }));
      const all = await Promise.all([...Array.from({ length: 10 }, () => call(t)), ...Array.from({ length: 10 }, () => call(second))]);
      expect(all).toHaveLength(20);
      expect(sim.control.calls({ path: 'tt_user/oauth2/refresh_token/' }).length - before).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('an access token TikTok calls expired (40102) is refreshed once and the call retried', async () => {
    const { id, openId } = await connect('expired.at.tiktok');
    sim.control.expireAccessTokens(openId);
    const r = await access().withAccess('acme', id, (auth) => api().getAccount(auth, { fields: ['username'] }));
    expect(r.username).toBe('expired.at.tiktok');
  });

  it('auth revoked marks the integration reauth_required, emits the event, and stops calling TikTok', async () => {
    const { id, openId } = await connect('revoked.user');
    sim.control.revokeGrants(openId);
    await expect(access().withAccess('acme', id, (auth) => api().getAccount(auth, {}))).rejects.toBeInstanceOf(TikTokError);
    const i = await request(t.url).get(`/api/v1/integrations/tiktok/${id}`).set('authorization', `Bearer ${admin()}`).expect(200);
    bodies.push(JSON.stringify(i.body));
    expect(i.body.status).toBe('reauth_required');
    await t.app.get(Sealer).drain();
    const ev = await request(t.url)
      .get(`/api/v1/events?type=tiktok.integration.reauth-required&integrationId=${id}`)
      .set('authorization', `Bearer ${admin()}`)
      .expect(200);
    expect(ev.body.items).toHaveLength(1);
    const forAccount = () => sim.control.calls().filter((c) => c.query.business_id === openId).length;
    const calls = forAccount();
    await expect(access().withAccess('acme', id, (auth) => api().getAccount(auth, {}))).rejects.toMatchObject({ code: 'INTEGRATION_NOT_ACTIVE' });
    expect(forAccount()).toBe(calls);
  });

  it('re-encryption moves every token to the new key; the old key then only has to decrypt nothing', async () => {
    const { id } = await connect('rotate.keys');
    const newKey = randomBytes(32).toString('base64');
    const rotated = await startTestApp({
      testDb: t.testDb,
      tiktok: { apiBaseUrl: sim.apiBaseUrl, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret },
      env: { WORKERS: 'false', TOKEN_ENCRYPTION_KEY: newKey, TOKEN_ENCRYPTION_OLD_KEYS: TEST_TOKEN_KEY },
    });
    try {
      const moved = await reencryptTokens(rotated.db, rotated.app.get(TokenCipher));
      expect(moved).toBeGreaterThan(0);
      const ids = await asSuperuser(t.testDb, (c) => c.query<{ key_id: string }>('select distinct key_id from tiktok_token'));
      expect(ids.rows.map((r) => r.key_id)).toEqual([keyId(Buffer.from(newKey, 'base64'))]);
      expect(await reencryptTokens(rotated.db, rotated.app.get(TokenCipher))).toBe(0);
    } finally {
      await rotated.close();
    }
    // An instance that knows only the new key works.
    const onlyNew = await startTestApp({
      testDb: t.testDb,
      tiktok: { apiBaseUrl: sim.apiBaseUrl, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret },
      env: { WORKERS: 'false', TOKEN_ENCRYPTION_KEY: newKey },
    });
    try {
      const r = await access(onlyNew).withAccess('acme', id, (auth) => onlyNew.app.get<TikTokApi>(TIKTOK_API).getAccount(auth, { fields: ['username'] }));
      expect(r.username).toBe('rotate.keys');
    } finally {
      await onlyNew.close();
    }
  });

  it('no plaintext token issued by TikTok appears in the database, the logs, the events or any response', async () => {
    const list = await request(t.url).get('/api/v1/integrations/tiktok').set('authorization', `Bearer ${admin()}`).expect(200);
    bodies.push(JSON.stringify(list.body));
    await t.app.get(Sealer).drain();
    const exp = await request(t.url).get('/api/v1/events/export').set('authorization', `Bearer ${admin()}`).expect(200);
    bodies.push(exp.text);
    const issued = [...sim.control.accessTokens.keys(), ...sim.control.refreshTokens.keys()];
    expect(issued.length).toBeGreaterThan(10);
    const dump = await asSuperuser(t.testDb, async (c) => {
      const tables = await c.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public'`);
      const parts: string[] = [];
      for (const { table_name } of tables.rows) {
        const rows = await c.query(`select * from ${c.escapeIdentifier(table_name)}`);
        parts.push(JSON.stringify(rows.rows));
      }
      return parts.join('\n');
    });
    const haystacks = { database: dump, logs: t.logs.join('\n'), responses: bodies.join('\n') };
    for (const [where, text] of Object.entries(haystacks)) {
      const leaked = issued.filter((tok) => text.includes(tok));
      expect({ where, leaked }).toEqual({ where, leaked: [] });
    }
    expect(dump).toContain('v1.'); // the ciphertexts are there
  });
});
