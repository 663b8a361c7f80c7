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
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { dataDigest } from '../../src/shared/event-log/chain';
import { EVENT_INSERT, SCOPE_SQL, pageQuery, type Filters } from './page-sql';

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

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
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
