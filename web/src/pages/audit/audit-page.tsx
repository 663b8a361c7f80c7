import { RoleRefused } from '../../components/role-refused';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, ok, shape } from '../../api/client';
import type { AuditEvent, Checkpoints, Page, VerifyResult } from '../../api/contract';
import { hasRole, useSession } from '../../auth/session';
import { ErrorMessage, Loading } from '../../components/error-message';
import { formatDateTime } from '../../components/format';
import { verifyCheckpoint } from './verify-signature';

interface EventFilters {
  type: string;
  actorId: string;
  integrationId: string;
  from: string;
  to: string;
}

const iso = (local: string): string | undefined =>
  local ? new Date(local).toISOString() : undefined;

/** The audit view: the tenant's event log, its verification, signed checkpoints and export. */
export function AuditPage() {
  const s = useSession();
  if (!hasRole(s, 'admin', 'auditor')) {
    return <RoleRefused title="Audit" forWhom="admins and auditors" />;
  }
  return (
    <>
      <h1>Audit</h1>
      <Verify />
      <CheckpointList />
      <Events />
    </>
  );
}

function Verify() {
  const verify = useMutation({
    mutationFn: () => ok(api.GET('/api/v1/events/verify'), shape<VerifyResult>()),
  });
  const exportLog = useMutation({
    mutationFn: async () => {
      const res = await api.GET('/api/v1/events/export', { parseAs: 'blob' });
      const url = URL.createObjectURL(res.data as unknown as Blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `events-${new Date().toISOString().slice(0, 10)}.ndjson`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  const r = verify.data;
  return (
    <section aria-labelledby="verify-heading" className="card">
      <h2 id="verify-heading">Verify and export</h2>
      <p className="muted">
        Verify recomputes every event&apos;s digest and hash chain on the service. Export downloads
        the log, one event a line.
      </p>
      <div className="actions">
        <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
          Verify
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => exportLog.mutate()}
          disabled={exportLog.isPending}
        >
          Export
        </button>
      </div>
      {verify.isPending && <Loading what="the verification" />}
      {r && (
        <p role="status" className={r.ok ? 'notice notice-success' : 'notice notice-error'}>
          {r.ok
            ? `The log is intact: ${r.checked} events checked${r.lastCheckpointSeq !== null ? `, signed up to event ${r.lastCheckpointSeq}` : ''}${r.redacted ? `, ${r.redacted} redacted` : ''}.`
            : `The log does not verify: the first bad event is number ${r.firstBadSeq ?? '?'} (${r.checked} checked). Report this to your security team.`}
        </p>
      )}
      <ErrorMessage error={verify.error} prefix="Could not verify." />
      <ErrorMessage error={exportLog.error} prefix="Could not export." />
    </section>
  );
}

function CheckpointList() {
  const checkpoints = useQuery({
    queryKey: ['checkpoints'],
    queryFn: async () => {
      const page = await ok(
        api.GET('/api/v1/events/checkpoints', { params: { query: { limit: 10 } } }),
        shape<Checkpoints>(),
      );
      const checked = await Promise.all(
        page.items.map(async (c) => ({
          ...c,
          valid: await verifyCheckpoint(page.publicKey, c).catch(() => false),
        })),
      );
      return { publicKey: page.publicKey, items: checked };
    },
  });
  return (
    <section aria-labelledby="checkpoints-heading" className="card">
      <h2 id="checkpoints-heading">Signed checkpoints</h2>
      <p className="muted">Each signature is checked in this browser against the published key.</p>
      {checkpoints.isPending && <Loading what="the checkpoints" />}
      <ErrorMessage error={checkpoints.error} prefix="The checkpoints could not be loaded." />
      {checkpoints.data && checkpoints.data.items.length === 0 && (
        <p className="muted">No checkpoint yet (one is signed within a minute of new events).</p>
      )}
      <ul className="checkpoints" aria-label="Checkpoints, newest first">
        {checkpoints.data?.items.map((c) => (
          <li key={`${c.seq}-${c.signedAt}`}>
            Up to event {c.seq}, signed {formatDateTime(c.signedAt)}:{' '}
            <strong className={c.valid ? 'ok' : 'bad'}>
              {c.valid ? 'signature valid' : 'signature NOT valid'}
            </strong>
          </li>
        ))}
      </ul>
      {checkpoints.data && (
        <button type="button" className="secondary" onClick={() => void checkpoints.refetch()}>
          Check again
        </button>
      )}
    </section>
  );
}

function Events() {
  const [filters, setFilters] = useState<EventFilters>({
    type: '',
    actorId: '',
    integrationId: '',
    from: '',
    to: '',
  });
  const [draft, setDraft] = useState(filters);
  const ids = { type: useId(), actor: useId(), account: useId(), from: useId(), to: useId() };
  const events = useInfiniteQuery({
    queryKey: ['events', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/api/v1/events', {
          params: {
            query: {
              limit: 50,
              ...(filters.type.trim() ? { type: filters.type.trim() } : {}),
              ...(filters.actorId.trim() ? { actorId: filters.actorId.trim() } : {}),
              ...(filters.integrationId.trim()
                ? { integrationId: filters.integrationId.trim() }
                : {}),
              ...(iso(filters.from) ? { from: iso(filters.from) } : {}),
              ...(iso(filters.to) ? { to: iso(filters.to) } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
        shape<Page<AuditEvent>>(),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const field = (k: keyof EventFilters) => ({
    value: draft[k],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value }),
  });
  return (
    <section aria-labelledby="events-heading" className="card">
      <h2 id="events-heading">Events</h2>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <div>
          <label htmlFor={ids.type}>Type</label>
          <input id={ids.type} placeholder="tiktok.comment.replied" {...field('type')} />
        </div>
        <div>
          <label htmlFor={ids.actor}>Actor (user id)</label>
          <input id={ids.actor} {...field('actorId')} />
        </div>
        <div>
          <label htmlFor={ids.account}>Account (integration id)</label>
          <input id={ids.account} {...field('integrationId')} />
        </div>
        <div>
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="datetime-local" {...field('from')} />
        </div>
        <div>
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="datetime-local" {...field('to')} />
        </div>
        <button type="submit">Apply filters</button>
      </form>
      {events.isPending && <Loading what="the events" />}
      <ErrorMessage error={events.error} prefix="The events could not be loaded." />
      {events.data && items.length === 0 && (
        <p className="muted">No event matches these filters.</p>
      )}
      <ul className="events" aria-label="Events, oldest first">
        {items.map((ev) => (
          <li key={ev.id}>
            <details>
              <summary>
                #{ev.seq} {ev.type} ·{' '}
                {ev.actor.type === 'user' ? ev.actor.id : `system (${ev.actor.id})`} ·{' '}
                {formatDateTime(ev.occurredAt)}
              </summary>
              <pre>
                {JSON.stringify(
                  { subject: ev.subject, data: ev.data, dataDigest: ev.dataDigest, hash: ev.hash },
                  null,
                  2,
                )}
              </pre>
            </details>
          </li>
        ))}
      </ul>
      {events.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() => void events.fetchNextPage()}
          disabled={events.isFetchingNextPage}
        >
          {events.isFetchingNextPage ? 'Loading more events…' : 'Show more events'}
        </button>
      )}
    </section>
  );
}
