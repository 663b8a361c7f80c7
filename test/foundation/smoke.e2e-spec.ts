import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('health answers', async () => {
    const r = await request(t.url).get('/health');
    expect(r.status).toBe(200);
    const ready = await request(t.url).get('/health/ready');
    expect(ready.status).toBe(200);
  });

  it('unknown route is a JSON 404', async () => {
    const r = await request(t.url).get('/api/v1/nope');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it('events need a token', async () => {
    const r = await request(t.url).get('/api/v1/events');
    expect(r.status).toBe(401);
    const ok = await request(t.url).get('/api/v1/events').set('authorization', `Bearer ${t.token()}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ items: [], nextCursor: null });
  });
});
