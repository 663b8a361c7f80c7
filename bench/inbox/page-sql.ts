/**
 * The SQL of the inbox list, copied from the service so the baseline server and the plan check
 * (`explain analyze` in run.ts) run exactly what the service runs:
 * - the page query: src/modules/comments/infrastructure/comment.repository.ts `page()`;
 * - the access scope: src/modules/permissions/application/access-scope.handlers.ts;
 * - the event insert: src/shared/event-log/event-log.ts `append()`.
 * If those change, change this file too (the benchmark compares the service's page ids with
 * these, so a drift shows up as `sameItems: false`).
 */
// ---- copied from src/modules/comments/infrastructure/comment.repository.ts ----
export const COLUMNS = `c.tenant_id, c.id, c.integration_id, c.video_id, c.tiktok_video_id, c.tiktok_comment_id, c.parent_id,
  c.tiktok_parent_id, c.reply_to_id, c.author_username, c.author_display_name, c.author_avatar_url, c.text, c.like_count,
  c.reply_count, c.posted_at, c.from_account, c.hidden, c.deleted, c.delivery_state, c.delivery_error, c.posted_by,
  c.delivery_attempts, c.attempt_started_at, c.outcome_unknown, c.next_delivery_at, c.delivery_lease_until`;
export const ANSWERED = `exists (
  select 1 from tiktok_comment r
   where r.tenant_id = c.tenant_id and r.from_account and not r.deleted
     and (r.delivery_state is null or r.delivery_state in ('pending', 'sent'))
     and (r.reply_to_id = c.id
          or (r.reply_to_id is null and c.parent_id is null and r.parent_id = c.id)
          or (r.reply_to_id is null and c.parent_id is not null and r.parent_id = c.parent_id and r.posted_at >= c.posted_at)))`;
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
export const pgArray = (xs: string[]) => `{${xs.map((s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
// ---- copied from src/modules/permissions/application/access-scope.handlers.ts ----
export const SCOPE_SQL = `select distinct i.integration_id from permission_set_member m
         join permission_set_integration i on i.tenant_id = m.tenant_id and i.set_id = m.set_id
        where m.tenant_id = $1 and m.user_id = $2`;
export const EVENT_INSERT = `insert into event_log (id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id)
       select id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id
       from jsonb_to_recordset($1::jsonb) as x(id uuid, tenant_id text, type text, occurred_at timestamptz,
            actor jsonb, subject jsonb, data jsonb, data_digest text, integration_id uuid)`;

export interface Filters {
  integrationId?: string;
  videoId?: string;
  status: 'all' | 'answered' | 'unanswered';
  q?: string;
  since?: Date;
}

/** `CommentRepository.page` as one parameterised statement; `scope` null = every integration (admins). */
export function pageQuery(f: Filters, scope: string[] | null, after: { p: string; i: string } | undefined, limit: number): { text: string; values: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [`c.tenant_id = current_setting('app.tenant_id')`, 'not c.deleted'];
  if (scope) where.push(`c.integration_id = any(${p(pgArray(scope))}::uuid[])`);
  if (f.integrationId) where.push(`c.integration_id = ${p(f.integrationId)}::uuid`);
  if (f.videoId) where.push(`c.video_id = ${p(f.videoId)}::uuid`);
  if (f.since) where.push(`c.posted_at >= ${p(f.since.toISOString())}::timestamptz`);
  if (f.q) where.push(`c.text ilike ${p(likePattern(f.q))}`);
  if (f.status === 'unanswered') where.push(`not c.from_account and not ${ANSWERED}`);
  if (f.status === 'answered') where.push(`not c.from_account and ${ANSWERED}`);
  if (after) where.push(`(c.posted_at, c.id) < (${p(after.p)}::timestamptz, ${p(after.i)}::uuid)`);
  return {
    text: `select ${COLUMNS} from tiktok_comment c where ${where.join(' and ')}
        order by c.posted_at desc, c.id desc limit ${p(limit)}`,
    values: params,
  };
}
