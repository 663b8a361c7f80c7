import { startTestApp, type TestApp } from '../support/app';

/**
 * The `q` search must be able to use its trigram index for the app role, under row-level
 * security. PostgreSQL only lets a LEAKPROOF function drive an index there; the database
 * bootstrap marks `texticlike` so (bootstrap-database.ts). Without it this plan filters rows.
 */
describe('inbox search plan under row-level security', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false' } });
  });
  afterAll(async () => t?.close());

  it('ilike is leakproof in the app database and the trigram index carries the q condition', async () => {
    const plan = await t.db.inTenant('acme', async (tx) => {
      const [lp] = await tx.query<{ proleakproof: boolean }>(`select proleakproof from pg_proc where oid = 'pg_catalog.texticlike(text, text)'::regprocedure`);
      expect(lp?.proleakproof).toBe(true);
      // enough rows, most not matching, that the planner prefers an index for a selective pattern
      await tx.run(
        `insert into tiktok_video (tenant_id, id, integration_id, tiktok_video_id, posted_at, source)
         values ('acme', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '7000000000000000001', now(), 'sync')`,
      );
      await tx.run(
        `insert into tiktok_comment (tenant_id, id, integration_id, video_id, tiktok_video_id, tiktok_comment_id, text, posted_at)
         select 'acme', gen_random_uuid(), '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001',
                '7000000000000000001', (7100000000000000000 + n)::text,
                case when n % 500 = 0 then 'giveaway please ' || n else 'lovely video number ' || n end, now() - n * interval '1 minute'
           from generate_series(1, 20000) n`,
      );
      await tx.run('analyze tiktok_comment');
      // seq scans off: the plan then shows what may drive an index (what the rows cost is not the point)
      await tx.run('set local enable_seqscan = off');
      const rows = await tx.query<{ 'QUERY PLAN': unknown }>(
        `explain (format json) select id from tiktok_comment c
          where c.tenant_id = current_setting('app.tenant_id') and not c.deleted and c.text ilike $1`,
        ['%giveaway%'],
      );
      return JSON.stringify(rows[0]!['QUERY PLAN']);
    });
    expect(plan).toContain('tiktok_comment_text_trgm_idx');
    expect(plan).toMatch(/"Index Cond":"[^"]*~~\*/);
  });
});
