import { Client } from 'pg';
import { canonicalJson, jcsObjectSql } from '@shared/event-log/jcs';
import { dataDigest } from '@shared/event-log/chain';
import { EventLog } from '@shared/event-log/event-log';
import { receivedDataJcsSql } from '@modules/comments/infrastructure/received-event.sql';
import { commentEventData } from '@modules/comments/domain/comment-events';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * Events whose data a statement writes (the ingest's `tiktok.comment.received`) get their JCS text
 * and digest from PostgreSQL: they must be byte for byte what the JavaScript side (canonicalJson,
 * dataDigest, and so GET /events/verify and any auditor) computes for the same values.
 */
describe('event data written in SQL: JCS and digest as in JavaScript', () => {
  let db: TestDatabase;
  let c: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    c = new Client({ connectionString: db.url });
    await c.connect();
  });
  afterAll(async () => {
    await c?.end();
    await db?.drop();
  });

  const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');
  const tricky = [
    '',
    'plain',
    controls,
    'quote " backslash \\ slash / apostrophe \' percent % dollar $1',
    '\u007f\u0080\u00a0é€😀👍🏽\u2028\u2029\ufeff\ufffd\uffff',
    '</script><b>&amp;</b>',
    'x'.repeat(5000) + '😀',
  ];

  it('jcsObjectSql writes what canonicalJson writes, for every tricky string, null and boolean', async () => {
    for (const s of tricky) {
      for (const flag of [true, false, null]) {
        const value = { zeta: s, alpha: null, mid: { b: s, a: flag }, Upper: flag, n1: 'x' };
        const sql = jcsObjectSql({
          zeta: { text: '$1::text' },
          alpha: { text: 'null::text' },
          mid: { object: { b: { text: '$1::text' }, a: { boolean: '$2::boolean' } } },
          Upper: { boolean: '$2::boolean' },
          n1: { text: `'x'` },
        });
        const { rows } = await c.query<{ jcs: string; digest: string; data: unknown }>(
          `select j as jcs, ${EventLog.dataDigestSql('j')} as digest, j::jsonb as data from (select ${sql} as j) q`,
          [s, flag],
        );
        expect(rows[0].jcs).toBe(canonicalJson(value));
        expect(rows[0].digest).toBe(dataDigest(value));
        // what jsonb gives back serialises to the same text: GET /events/verify recomputes this
        expect(canonicalJson(rows[0].data)).toBe(rows[0].jcs);
      }
    }
  });

  it('the received event data of a comment and of a reply: the object commentEventData describes, in JCS', async () => {
    const comment = {
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      video_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      tiktok_video_id: '7436604295954899730',
      tiktok_comment_id: '7923744542000252387',
      parent_id: null as string | null,
      tiktok_parent_id: null as string | null,
      author_username: 'fan "one"',
      author_display_name: 'Fan\u0001 😀',
      text: tricky[3] + tricky[4],
      from_account: false,
      hidden: true,
      posted_at: '2026-12-03T04:10:41.000Z',
    };
    const reply = {
      ...comment,
      id: '019ae3b2-6f00-7abc-8def-0123456789ab',
      tiktok_comment_id: '7923744542000252388',
      parent_id: comment.id,
      tiktok_parent_id: comment.tiktok_comment_id,
      text: tricky[2],
      from_account: true,
      hidden: false,
    };
    const integrationId = '9b2e3c2a-6f6b-4d5e-9a57-8d0b1c2d3e4f';
    await c.query(`select set_config('app.tenant_id', 'acme', false)`);
    const { rows } = await c.query<{ jcs: string }>(
      `select ${receivedDataJcsSql('x', '$2::text')} as jcs
         from json_to_recordset($1::json) as x(id text, video_id text, tiktok_video_id text, tiktok_comment_id text, parent_id text,
              tiktok_parent_id text, author_username text, author_display_name text, text text, from_account boolean, hidden boolean, posted_at text)`,
      [JSON.stringify([comment, reply]), integrationId],
    );
    expect(rows.map((r) => r.jcs)).toEqual(
      [comment, reply].map((row) =>
        canonicalJson(
          commentEventData('acme', integrationId, {
            commentId: row.id,
            videoId: row.video_id,
            tiktokVideoId: row.tiktok_video_id,
            tiktokCommentId: row.tiktok_comment_id,
            parentId: row.parent_id,
            tiktokParentId: row.tiktok_parent_id,
            authorUsername: row.author_username,
            authorDisplayName: row.author_display_name,
            text: row.text,
            fromAccount: row.from_account,
            hidden: row.hidden,
            postedAt: row.posted_at,
          }),
        ),
      ),
    );
    expect(JSON.parse(rows[1].jcs)).toMatchObject({ parentId: comment.id, tiktokParentId: comment.tiktok_comment_id, fromAccount: true });
  });

  it('refuses a key that would need escaping', () => {
    expect(() => jcsObjectSql({ "it's": { text: 'x' } })).toThrow(/plain name/);
  });
});
