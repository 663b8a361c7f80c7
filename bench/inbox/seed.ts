/**
 * Bulk load of the inbox benchmark: integrations (with real simulator tokens), 2,000 videos and
 * 1,000,000 comments over 2 tenants, written with `insert ... select generate_series` on one
 * connection of the app role in the system scope (row-level security stays on).
 *
 * The mix (fixed seed, so every run loads the same shape):
 * - 700,000 fans' top-level comments: 4 integrations (2 per tenant) × 500 videos, comments skewed
 *   towards some videos and towards the days after a video is posted, over ~9 months;
 * - 230,000 fans' replies in those threads (a few threads get most of them);
 * - 70,000 replies from the account: 40,000 written in TikTok's app (thread replies, no
 *   `reply_to_id`) and 30,000 posted from Echo (`reply_to_id` set, `delivery_state` sent, 2 %
 *   failed without a TikTok id);
 * - 1 % hidden, 0.3 % deleted; texts of 2-9 words from a ~120-word vocabulary plus emoji, with
 *   `giveaway` in ~0.5 % of them (the `q` scenario) and `refund` in ~3 %.
 *
 * The secondary indexes of `tiktok_comment` are dropped before the load and re-created from
 * their own `pg_get_indexdef` afterwards (same definitions as the migrations; building an index
 * once is much faster than maintaining it row by row). Then `vacuum (analyze)`.
 */
import type { Client } from 'pg';

export const TENANTS = ['bench-a', 'bench-b'] as const;
export const TOP_LEVEL = 700_000;
export const FAN_REPLIES = 230_000;
export const NATIVE_REPLIES = 40_000;
export const ECHO_REPLIES = 30_000;
export const VIDEOS_PER_INTEGRATION = 500;
export const SEARCH_WORD = 'giveaway';

export interface SeedIntegration {
  tenant: string;
  id: string;
  openId: string;
  username: string;
  displayName: string;
  scopes: string[];
  accessTokenEnc: string;
  refreshTokenEnc: string;
  keyId: string;
}

const WORDS = (
  'love this so cute omg where did you get that need the link please amazing video song name wow best ever first lol haha ' +
  'more part 2 when drop new collab price how much ship to uk canada size color restock sold out still waiting my order never ' +
  'arrived customer service great quality fake dm me follow back queen king fire vibes tutorial recipe outfit makeup shade dupe ' +
  'review honest tried it works does not work broke after one week day pls reply answer question can i use on sensitive skin ' +
  'discount code sale black friday coupon thank you for sharing obsessed with your content literally same here who else ' +
  'watching in 2026 this is the way need this in my life'
).split(' ');
const EMOJI = ['🔥', '😍', '😂', '❤️', '🙌', '👏', '😭', '💀', '✨', '🥰'];

/** A deterministic version-4-shaped UUID from a text expression (the API validates ids as RFC 4122). */
const u4 = (expr: string) => `overlay(overlay(md5(${expr}) placing '4' from 13) placing '8' from 17)::uuid`;
const lit = (xs: readonly string[]) => `array[${xs.map((w) => `'${w.replace(/'/g, "''")}'`).join(',')}]::text[]`;

/** A text expression of 2-9 words (plus optional emoji and search words) from the random columns r1..r9 of `x`. */
const TEXT = `concat_ws(' ',
    w[1 + floor(x.r1 * nw)::int], w[1 + floor(x.r2 * nw)::int],
    case when x.r3 < 0.8 then w[1 + floor(x.r3 / 0.8 * nw)::int] end,
    case when x.r4 < 0.6 then w[1 + floor(x.r4 / 0.6 * nw)::int] end,
    case when x.r5 < 0.4 then w[1 + floor(x.r5 / 0.4 * nw)::int] end,
    case when x.r6 < 0.03 then 'refund' end,
    case when x.r6 > 0.995 then '${SEARCH_WORD}' end,
    case when x.r7 < 0.3 then w[1 + floor(x.r7 / 0.3 * nw)::int] end,
    case when x.r8 < 0.35 then e[1 + floor(x.r8 / 0.35 * ne)::int] end,
    case when x.r9 < 0.2 then w[1 + floor(x.r9 / 0.2 * nw)::int] || ' ' || w[1 + floor((1 - x.r9) * nw)::int] end)`;
const RANDOMS = 'random() as r1, random() as r2, random() as r3, random() as r4, random() as r5, random() as r6, random() as r7, random() as r8, random() as r9';
const VOCAB = `(select ${lit(WORDS)} as w, ${WORDS.length} as nw, ${lit(EMOJI)} as e, ${EMOJI.length} as ne) voc`;

/** `tiktok_comment` columns every insert below writes, in order. */
const COLS = `tenant_id, id, integration_id, video_id, tiktok_video_id, tiktok_comment_id, parent_id, tiktok_parent_id, reply_to_id,
  author_username, author_display_name, author_avatar_url, author_unique_id, text, like_count, reply_count, posted_at,
  from_account, hidden, deleted, deleted_at, delivery_state, delivery_error, posted_by, delivery_attempts, received_at, updated_at`;

/** Loads everything; returns the step timings in seconds. */
export async function seedInbox(c: Client, integrations: SeedIntegration[], log: (m: string) => void): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const t0 = Date.now();
    await c.query(sql, params);
    timings[name] = (timings[name] ?? 0) + (Date.now() - t0) / 1000;
  };
  await c.query(`select set_config('app.scope', 'system', false)`);
  await c.query(`set work_mem = '256MB'`);
  await c.query(`set maintenance_work_mem = '1GB'`);
  await c.query(`select setseed(0.4242)`);

  for (const i of integrations) {
    await c.query(
      `insert into tiktok_integration (tenant_id, id, open_id, username, display_name, status, granted_scopes, connected_at, connected_by,
          sync_stage, last_synced_at, next_sync_at)
       values ($1, $2, $3, $4, $5, 'active', $6::text[], now() - interval '300 days', 'bench', 'live', now(), null)`,
      [i.tenant, i.id, i.openId, i.username, i.displayName, `{${i.scopes.join(',')}}`],
    );
    await c.query(
      `insert into tiktok_token (tenant_id, integration_id, access_token_enc, refresh_token_enc, key_id, access_expires_at, refresh_expires_at)
       values ($1, $2, $3, $4, $5, now() + interval '1 day', now() + interval '300 days')`,
      [i.tenant, i.id, i.accessTokenEnc, i.refreshTokenEnc, i.keyId],
    );
  }

  // videos: integration k gets n in (k*500, (k+1)*500]; posted over the last ~270 days
  await c.query(`create temp table bv (n int primary key, k int, tenant_id text, id uuid, integration_id uuid, tiktok_video_id text, posted_at timestamptz)`);
  await c.query(
    `insert into bv
     select n, (n - 1) / ${VIDEOS_PER_INTEGRATION}, ($1::text[])[1 + (n - 1) / ${VIDEOS_PER_INTEGRATION}], ${u4("'video-' || n")},
            ($2::uuid[])[1 + (n - 1) / ${VIDEOS_PER_INTEGRATION}], (7300000000000000000 + n)::text,
            now() - interval '270 days' * random()
       from generate_series(1, ${integrations.length * VIDEOS_PER_INTEGRATION}) n`,
    [`{${integrations.map((i) => i.tenant).join(',')}}`, `{${integrations.map((i) => i.id).join(',')}}`],
  );
  await step(
    'videos',
    `insert into tiktok_video (tenant_id, id, integration_id, tiktok_video_id, url, caption, thumbnail_url, posted_at, source, last_polled_at)
     select tenant_id, id, integration_id, tiktok_video_id, 'https://www.tiktok.com/@brand/video/' || tiktok_video_id,
            'video ' || n || ' #fyp #brand', 'https://p16-sign.tiktokcdn.com/obj/' || tiktok_video_id || '.jpeg', posted_at, 'sync', now()
       from bv`,
  );

  // drop secondary indexes (re-created below from their own definitions)
  const idx = await c.query<{ name: string; def: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
       from pg_index i where i.indrelid = 'tiktok_comment'::regclass and not i.indisprimary and not i.indisunique`,
  );
  for (const r of idx.rows) await c.query(`drop index ${r.name}`);
  log(`dropped ${idx.rows.length} secondary indexes of tiktok_comment for the load`);

  const nInt = integrations.length;
  const fan = `'fan_' || floor(x.ru * 80000)::int`;
  // 1. top-level comments: integration uniform, video skewed inside it, time skewed after the video
  await step(
    'top-level',
    `insert into tiktok_comment (${COLS})
     select v.tenant_id, ${u4("'c-' || x.g")}, v.integration_id, v.id, v.tiktok_video_id, (7400000000000000000 + x.g)::text, null, null, null,
            ${fan}, initcap(${fan}), case when x.ru < 0.8 then 'https://p16.tiktokcdn.com/avatar/' || floor(x.ru * 80000)::int || '.jpeg' end,
            md5('user-' || floor(x.ru * 80000)::int), ${TEXT}, floor(power(x.rl, 4) * 500)::int, 0,
            least(now() - interval '1 minute', v.posted_at + (now() - v.posted_at) * power(x.rt, 3)),
            false, x.rh < 0.01, x.rh > 0.997, case when x.rh > 0.997 then now() end, null, null, null, 0, now(), now()
       from (select g, random() as ri, random() as rv, random() as rt, random() as ru, random() as rl, random() as rh, ${RANDOMS}
               from generate_series(1, ${TOP_LEVEL}) g) x
       join bv v on v.n = 1 + floor(x.ri * ${nInt})::int * ${VIDEOS_PER_INTEGRATION} + floor(power(x.rv, 2) * ${VIDEOS_PER_INTEGRATION})::int
       cross join ${VOCAB}`,
  );
  // 2. fans' replies: the parent is a top-level comment (skewed: some threads get most replies)
  await step(
    'fan-replies',
    `insert into tiktok_comment (${COLS})
     select p.tenant_id, ${u4("'r-' || x.g")}, p.integration_id, p.video_id, p.tiktok_video_id, (7500000000000000000 + x.g)::text,
            p.id, p.tiktok_comment_id, null,
            ${fan}, initcap(${fan}), case when x.ru < 0.8 then 'https://p16.tiktokcdn.com/avatar/' || floor(x.ru * 80000)::int || '.jpeg' end,
            md5('user-' || floor(x.ru * 80000)::int), ${TEXT}, floor(power(x.rl, 5) * 100)::int, 0,
            least(now() - interval '1 minute', p.posted_at + interval '3 days' * power(x.rt, 3)),
            false, x.rh < 0.01, x.rh > 0.997, case when x.rh > 0.997 then now() end, null, null, null, 0, now(), now()
       from (select g, 1 + floor(power(random(), 3) * ${TOP_LEVEL})::int as pi, random() as rt, random() as ru, random() as rl, random() as rh, ${RANDOMS}
               from generate_series(1, ${FAN_REPLIES}) g) x
       join tiktok_comment p on p.id = ${u4("'c-' || x.pi")}
       cross join ${VOCAB}`,
  );
  // 3a. the account's replies written in TikTok's app: thread replies to a top-level comment
  const acct = `join tiktok_integration i on i.tenant_id = p.tenant_id and i.id = p.integration_id`;
  await step(
    'account-replies',
    `insert into tiktok_comment (${COLS})
     select p.tenant_id, ${u4("'a-' || x.g")}, p.integration_id, p.video_id, p.tiktok_video_id, (7600000000000000000 + x.g)::text,
            p.id, p.tiktok_comment_id, null,
            i.username, i.display_name, null, md5('acct-' || i.open_id), ${TEXT}, 0, 0,
            least(now() - interval '1 minute', p.posted_at + interval '2 days' * power(x.rt, 2)),
            true, false, x.rh > 0.998, case when x.rh > 0.998 then now() end, null, null, null, 0, now(), now()
       from (select g, 1 + floor(random() * ${TOP_LEVEL})::int as pi, random() as rt, random() as rh, ${RANDOMS}
               from generate_series(1, ${NATIVE_REPLIES}) g) x
       join tiktok_comment p on p.id = ${u4("'c-' || x.pi")}
       ${acct}
       cross join ${VOCAB}`,
  );
  // 3b. replies posted from Echo: they name the comment they answer (a top-level one or a fan's reply)
  await step(
    'account-replies',
    `insert into tiktok_comment (${COLS})
     select p.tenant_id, ${u4("'e-' || x.g")}, p.integration_id, p.video_id, p.tiktok_video_id,
            case when x.rh < 0.98 then (7700000000000000000 + x.g)::text end,
            coalesce(p.parent_id, p.id), coalesce(p.tiktok_parent_id, p.tiktok_comment_id), p.id,
            i.username, i.display_name, null, md5('acct-' || i.open_id), ${TEXT}, 0, 0,
            least(now() - interval '1 minute', p.posted_at + interval '1 day' * power(x.rt, 2)),
            true, false, false, null, case when x.rh < 0.98 then 'sent' else 'failed' end,
            case when x.rh >= 0.98 then 'TEXT_REJECTED' end, 'agent-' || floor(x.rt * 5)::int, 1, now(), now()
       from (select g, case when random() < 0.67 then ${u4(`'c-' || (1 + floor(random() * ${TOP_LEVEL})::int)`)}
                            else ${u4(`'r-' || (1 + floor(random() * ${FAN_REPLIES})::int)`)} end as pid,
                    random() as rt, random() as rh, ${RANDOMS}
               from generate_series(1, ${ECHO_REPLIES}) g) x
       join tiktok_comment p on p.id = x.pid
       ${acct}
       cross join ${VOCAB}`,
  );
  await step(
    'video-counters',
    `update tiktok_video v set comment_count = s.n, last_comment_at = s.last
       from (select tenant_id, video_id, count(*) as n, max(posted_at) as last from tiktok_comment group by 1, 2) s
      where v.tenant_id = s.tenant_id and v.id = s.video_id`,
  );
  for (const r of idx.rows) {
    const t0 = Date.now();
    await c.query(r.def);
    timings[`index ${r.name}`] = (Date.now() - t0) / 1000;
  }
  await step('vacuum-analyze', `vacuum (analyze) tiktok_comment`);
  await step('vacuum-analyze', `vacuum (analyze) tiktok_video`);
  await c.query(`analyze`);
  return timings;
}
