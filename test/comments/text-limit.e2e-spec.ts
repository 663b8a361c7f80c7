import request from 'supertest';
import { startAppWithSimulator } from '../support/tiktok';
import { seedComments, seedIntegration, seedVideo } from '../factories/inbox';

/** Issue 13 §5: TikTok's text limit is configuration, and the API says it so that a UI can count down. */
describe('TIKTOK_TEXT_LIMIT', () => {
  let env: Awaited<ReturnType<typeof startAppWithSimulator>>;
  beforeAll(async () => {
    env = await startAppWithSimulator({
      app: { env: { WORKERS: 'false', TIKTOK_TEXT_LIMIT: '150' } },
    });
  });
  afterAll(() => env?.close());
  const as = (roles: string[]) => ({
    authorization: `Bearer ${env.t.token({ tenant: 'acme', roles })}`,
  });

  it('is textLimit in the policies and in the inbox settings (admins and agents; auditors 403)', async () => {
    const { t } = env;
    const pol = await request(t.url)
      .get('/api/v1/integrations/tiktok/policies')
      .set(as(['admin']))
      .expect(200);
    expect(pol.body.textLimit).toBe(150);
    for (const roles of [['admin'], ['agent']]) {
      const res = await request(t.url).get('/api/v1/inbox/settings').set(as(roles)).expect(200);
      expect(res.body).toEqual({ firstResponseTargetMinutes: null, textLimit: 150 });
    }
    const denied = await request(t.url)
      .get('/api/v1/inbox/settings')
      .set(as(['auditor']))
      .expect(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
  });

  it('bounds a reply in code points, and nothing is sent past it', async () => {
    const { t, sim } = env;
    const i = await seedIntegration(t, sim);
    const v = await seedVideo(t, sim, i);
    const [c] = await seedComments(t, sim, i, v, [{ text: 'a fan' }]);
    const long = await request(t.url)
      .post(`/api/v1/comments/${c.id}/replies`)
      .set(as(['admin']))
      .send({ text: '😀'.repeat(151) })
      .expect(400);
    expect(long.body.error.details).toEqual([
      { field: 'text', message: 'text must be at most 150 characters' },
    ]);
    expect(sim.control.calls({ path: 'business/comment/reply/create/' })).toHaveLength(0);
    const ok = await request(t.url)
      .post(`/api/v1/comments/${c.id}/replies`)
      .set(as(['admin']))
      .send({ text: '😀'.repeat(150) })
      .expect(201);
    expect(ok.body.delivery.state).toBe('sent');
  });
});
