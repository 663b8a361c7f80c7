/**
 * The baseline of the inbox benchmark: a bare `node:http` + `pg` server answering
 * `GET /comments` with the same SQL as the service and the same audit event, no framework and
 * no auth. Run as a child process by run.ts:
 *
 *   DATABASE_URL=<app role URL> BASELINE_TENANT=bench-a BASELINE_USER=agent-a BASELINE_ROLES=agent \
 *     node -r ./bench/register.js bench/inbox/baseline-server.ts
 *
 * and prints `{"port": n}` once listening. One transaction per request, exactly as the service's
 * list does its part: `begin` → `set_config('app.tenant_id', …, true)` (row-level security) →
 * the caller's access scope (the permissions module's SQL; admins skip it) → the page query
 * copied from `CommentRepository.page` (access filter included) → the `tiktok.comments.read`
 * event inserted into `event_log` with the statement `EventLog.append` runs (same row, same
 * JCS digest) → `commit`. The service does the scope lookup in a transaction of its own.
 *
 * It also answers `POST /comments/{id}/replies` `{"text"}` the bare way (issue 14's reply
 * baseline): transaction 1 (tenant, scope, the target locked, the "already answered" check, the
 * pending reply row and its `tiktok.reply.requested` event), ONE HTTP call to the simulator's
 * `business/comment/reply/create/` with the account's token (`BASELINE_TIKTOK`: JSON
 * `{"apiBaseUrl", "accounts": {integrationId: {openId, accessToken, username, displayName}}}`),
 * transaction 2 (`sent` with TikTok's id, the parent's reply count, the `tiktok.comment.replied`
 * event). No idempotency key, no rate budget, no token decryption: the floor under the service's
 * reply path.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { dataDigest } from '../../src/shared/event-log/chain';
import { EVENT_INSERT, SCOPE_SQL, pageQuery, pgArray, type Filters } from './page-sql';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tenant = process.env.BASELINE_TENANT ?? 'bench-a';
const userId = process.env.BASELINE_USER ?? 'agent-a';
const roles = (process.env.BASELINE_ROLES ?? 'agent').split(',');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.BASELINE_POOL ?? 10) });


class BadRequest extends Error {}

function parse(url: URL): { f: Filters; limit: number; cursor?: string; after?: { p: string; i: string } } {
  const s = url.searchParams;
  const uuid = (k: string) => {
    const v = s.get(k) ?? undefined;
    if (v !== undefined && !UUID_RE.test(v)) throw new BadRequest(k);
    return v;
  };
  const status = (s.get('status') ?? 'all') as Filters['status'];
  if (!['all', 'answered', 'unanswered'].includes(status)) throw new BadRequest('status');
  const limit = Number(s.get('limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new BadRequest('limit');
  const q = s.get('q') ?? undefined;
  if (q !== undefined && (q.length < 1 || q.length > 200)) throw new BadRequest('q');
  const sinceRaw = s.get('since');
  const since = sinceRaw ? new Date(sinceRaw) : undefined;
  if (since && Number.isNaN(since.getTime())) throw new BadRequest('since');
  const cursor = s.get('cursor') || undefined;
  let after: { p: string; i: string } | undefined;
  if (cursor) {
    try {
      after = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p: string; i: string };
    } catch {
      throw new BadRequest('cursor');
    }
    if (typeof after.p !== 'string' || Number.isNaN(Date.parse(after.p)) || typeof after.i !== 'string' || !UUID_RE.test(after.i)) throw new BadRequest('cursor');
  }
  return { f: { integrationId: uuid('integrationId'), videoId: uuid('videoId'), status, q, since }, limit, cursor, after };
}

interface Row {
  id: string;
  integration_id: string;
  video_id: string;
  tiktok_comment_id: string | null;
  parent_id: string | null;
  reply_to_id: string | null;
  author_username: string;
  author_display_name: string;
  author_avatar_url: string | null;
  text: string;
  like_count: number;
  reply_count: number;
  posted_at: Date;
  from_account: boolean;
  hidden: boolean;
  deleted: boolean;
  delivery_state: string | null;
  delivery_error: string | null;
  posted_by: string | null;
}

const view = (r: Row) => ({
  id: r.id,
  integrationId: r.integration_id,
  videoId: r.video_id,
  tiktokCommentId: r.tiktok_comment_id,
  parentId: r.parent_id,
  replyToId: r.reply_to_id,
  author: { username: r.author_username, displayName: r.author_display_name, avatarUrl: r.author_avatar_url },
  text: r.text,
  likeCount: r.like_count,
  replyCount: r.reply_count,
  postedAt: r.posted_at.toISOString(),
  fromAccount: r.from_account,
  hidden: r.hidden,
  deleted: r.deleted,
  delivery: r.delivery_state ? { state: r.delivery_state, error: r.delivery_error, postedBy: r.posted_by ?? '' } : null,
});

async function list(c: PoolClient, url: URL): Promise<unknown> {
  const { f, limit, cursor, after } = parse(url);
  await c.query(`select set_config('app.tenant_id', $1, true)`, [tenant]);
  const scope = roles.includes('admin')
    ? null
    : roles.includes('agent')
      ? (await c.query<{ integration_id: string }>(SCOPE_SQL, [tenant, userId])).rows.map((r) => r.integration_id)
      : [];
  const q = pageQuery(f, scope, after, limit + 1);
  const rows = (await c.query<Row>(q.text, q.values)).rows;
  const items = rows.slice(0, limit).map(view);
  const data = JSON.parse(
    JSON.stringify({
      tenant,
      ids: items.map((x) => x.id),
      filters: {
        integrationId: f.integrationId ?? null,
        videoId: f.videoId ?? null,
        status: f.status,
        q: f.q ?? null,
        since: f.since?.toISOString() ?? null,
        limit,
        cursor: cursor ?? null,
      },
    }),
  ) as Record<string, unknown>;
  const event = {
    id: randomUUID(),
    tenant_id: tenant,
    type: 'tiktok.comments.read',
    occurred_at: new Date().toISOString(),
    actor: { type: 'user', id: userId },
    subject: { type: 'comment-list', id: f.integrationId ?? tenant },
    data,
    data_digest: dataDigest(data),
    integration_id: f.integrationId ?? null,
  };
  await c.query(EVENT_INSERT, [JSON.stringify([event])]);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify({ p: last.postedAt, i: last.id })).toString('base64url') : null };
}

interface TikTokAccount {
  openId: string;
  accessToken: string;
  username: string;
  displayName: string;
}
const tiktok = JSON.parse(process.env.BASELINE_TIKTOK ?? '{"apiBaseUrl": "", "accounts": {}}') as { apiBaseUrl: string; accounts: Record<string, TikTokAccount> };

interface Target {
  id: string;
  integration_id: string;
  video_id: string;
  tiktok_video_id: string;
  tiktok_comment_id: string;
  parent_id: string | null;
  tiktok_parent_id: string | null;
  posted_at: Date;
}

function event(type: string, subjectId: string, integrationId: string, data: Record<string, unknown>) {
  return {
    id: randomUUID(),
    tenant_id: tenant,
    type,
    occurred_at: new Date().toISOString(),
    actor: { type: 'user', id: userId },
    subject: { type: 'comment', id: subjectId },
    data,
    data_digest: dataDigest(data),
    integration_id: integrationId,
  };
}

async function inTx<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('begin');
    await c.query(`select set_config('app.tenant_id', $1, true)`, [tenant]);
    const out = await work(c);
    await c.query('commit');
    c.release();
    return out;
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    c.release();
    throw err;
  }
}

async function reply(commentId: string, body: string): Promise<unknown> {
  const text = (JSON.parse(body) as { text?: unknown }).text;
  if (typeof text !== 'string' || text.trim().length === 0) throw new BadRequest('text');
  if (!UUID_RE.test(commentId)) throw new BadRequest('id');
  const id = randomUUID();
  const now = new Date();
  // transaction 1: the pending reply and its event
  const { target, account, data } = await inTx(async (c) => {
    const scope = (await c.query<{ integration_id: string }>(SCOPE_SQL, [tenant, userId])).rows.map((r) => r.integration_id);
    const target = (
      await c.query<Target>(
        `select id, integration_id, video_id, tiktok_video_id, tiktok_comment_id, parent_id, tiktok_parent_id, posted_at
           from tiktok_comment where tenant_id = current_setting('app.tenant_id') and id = $1 and not deleted
            and integration_id = any($2::uuid[]) for update`,
        [commentId, pgArray(scope)],
      )
    ).rows[0];
    if (!target || !target.tiktok_comment_id) throw new BadRequest('comment');
    const account = tiktok.accounts[target.integration_id];
    if (!account) throw new BadRequest('integration');
    await c.query(
      `select 1 from tiktok_comment where tenant_id = current_setting('app.tenant_id') and reply_to_id = $1 and from_account
          and posted_at >= $2 limit 1`,
      [target.id, new Date(now.getTime() - 3_600_000).toISOString()],
    );
    const parentId = target.parent_id ?? target.id;
    const tiktokParentId = target.tiktok_parent_id ?? target.tiktok_comment_id;
    await c.query(
      `insert into tiktok_comment (tenant_id, id, integration_id, video_id, tiktok_video_id, parent_id, tiktok_parent_id,
          reply_to_id, author_username, author_display_name, author_avatar_url, text, posted_at, from_account,
          delivery_state, posted_by, delivery_attempts, attempt_started_at, delivery_lease_until)
       values (current_setting('app.tenant_id'), $1, $2, $3, $4, $5, $6, $7, $8, $9, null, $10, $11, true,
               'pending', $12, 1, $11, $13)`,
      [id, target.integration_id, target.video_id, target.tiktok_video_id, parentId, tiktokParentId, target.id, account.username,
        account.displayName, text.trim(), now.toISOString(), userId, new Date(now.getTime() + 30_000).toISOString()],
    );
    const data = {
      tenant,
      integrationId: target.integration_id,
      videoId: target.video_id,
      tiktokVideoId: target.tiktok_video_id,
      commentId: id,
      kind: 'reply',
      parentId,
      tiktokParentId,
      replyToId: target.id,
      author: { username: account.username, displayName: account.displayName },
      text: text.trim(),
      postedBy: userId,
      postedAt: now.toISOString(),
    };
    await c.query(EVENT_INSERT, [JSON.stringify([event('tiktok.reply.requested', id, target.integration_id, { ...data, state: 'pending' })])]);
    return { target, account, data };
  });
  // the one call to TikTok
  const r = await fetch(new URL('business/comment/reply/create/', tiktok.apiBaseUrl), {
    method: 'POST',
    headers: { 'access-token': account.accessToken, 'content-type': 'application/json' },
    body: JSON.stringify({ business_id: account.openId, video_id: target.tiktok_video_id, comment_id: target.tiktok_comment_id, text: text.trim() }),
  });
  const answer = (await r.json()) as { code: number; data?: { comment_id?: string } };
  const tiktokCommentId = answer.data?.comment_id;
  if (answer.code !== 0 || !tiktokCommentId) throw new Error(`TikTok answered ${answer.code}`);
  // transaction 2: sent, the parent's count, the event
  await inTx(async (c) => {
    await c.query(
      `update tiktok_comment set delivery_state = 'sent', delivery_error = null, tiktok_comment_id = $2, outcome_unknown = false,
              delivery_lease_until = null, next_delivery_at = null, updated_at = now()
        where tenant_id = current_setting('app.tenant_id') and id = $1 and delivery_state <> 'sent'`,
      [id, tiktokCommentId],
    );
    await c.query(`update tiktok_comment set reply_count = reply_count + 1, updated_at = now() where tenant_id = current_setting('app.tenant_id') and id = $1`, [
      data.parentId,
    ]);
    await c.query(EVENT_INSERT, [JSON.stringify([event('tiktok.comment.replied', id, target.integration_id, { ...data, tiktokCommentId, state: 'sent' })])]);
  });
  return { id, tiktokCommentId, parentId: data.parentId, text: data.text, delivery: { state: 'sent', error: null, postedBy: userId } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const replyPath = /^\/comments\/([^/]+)\/replies$/.exec(url.pathname);
  if (req.method === 'POST' && replyPath) {
    try {
      const body = await reply(replyPath[1]!, await readBody(req));
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    } catch (err) {
      const bad = err instanceof BadRequest;
      res.writeHead(bad ? 400 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: bad ? 'VALIDATION_FAILED' : 'INTERNAL', message: String((err as Error).message) } }));
    }
    return;
  }
  if (req.method !== 'GET' || url.pathname !== '/comments') {
    res.writeHead(404).end();
    return;
  }
  const c = await pool.connect();
  let body: unknown;
  try {
    await c.query('begin');
    body = await list(c, url);
    await c.query('commit');
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    c.release();
    const bad = err instanceof BadRequest;
    res.writeHead(bad ? 400 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: bad ? 'VALIDATION_FAILED' : 'INTERNAL', message: String((err as Error).message) } }));
    return;
  }
  c.release();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => res.writeHead(500).end());
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof a === 'object' && a ? a.port : 0 })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
