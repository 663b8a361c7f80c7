import { useId, useState } from 'react';
import type { Comment } from '../../api/contract';
import { hasRole, useSession } from '../../auth/session';
import { ErrorMessage, Loading } from '../../components/error-message';
import { formatDateTime } from '../../components/format';
import { accountName, useIntegrations } from '../integrations/queries';
import { useComments, type CommentFilters, type StatusFilter } from './social-queries';
import { Thread } from './thread';

/** The Social Media area: fans' comments on the accounts the caller may see, and the answers. */
export function SocialPage() {
  const s = useSession();
  const [filters, setFilters] = useState<CommentFilters>({
    integrationId: '',
    status: 'unanswered',
    q: '',
    since: '',
  });
  const [open, setOpen] = useState<string | null>(null);
  if (!hasRole(s, 'admin', 'agent')) {
    return (
      <section>
        <h1>Social Media</h1>
        <p role="alert" className="notice notice-error">
          Your role does not allow this page. It is for admins and agents; ask an admin of your
          company if you need it.
        </p>
      </section>
    );
  }
  return (
    <>
      <h1>Social Media</h1>
      <div className="social">
        <div>
          <Filters filters={filters} onChange={setFilters} />
          <CommentList filters={filters} open={open} onOpen={setOpen} />
        </div>
        {open ? (
          <Thread id={open} onClose={() => setOpen(null)} />
        ) : (
          <section aria-labelledby="thread-heading" className="card">
            <h2 id="thread-heading">Thread</h2>
            <p className="muted">Open a comment to read its thread and reply.</p>
          </section>
        )}
      </div>
    </>
  );
}

function Filters({
  filters,
  onChange,
}: {
  filters: CommentFilters;
  onChange: (f: CommentFilters) => void;
}) {
  const integrations = useIntegrations();
  const ids = { account: useId(), status: useId(), q: useId(), since: useId() };
  const [q, setQ] = useState(filters.q);
  return (
    <section aria-labelledby="filters-heading" className="card">
      <h2 id="filters-heading">Filters</h2>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ ...filters, q });
        }}
      >
        <div>
          <label htmlFor={ids.account}>Account</label>
          <select
            id={ids.account}
            value={filters.integrationId}
            onChange={(e) => onChange({ ...filters, integrationId: e.target.value })}
          >
            <option value="">All accounts</option>
            {integrations.data?.items.map((i) => (
              <option key={i.id} value={i.id}>
                {accountName(i)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={ids.status}>Show</label>
          <select
            id={ids.status}
            value={filters.status}
            onChange={(e) => onChange({ ...filters, status: e.target.value as StatusFilter })}
          >
            <option value="unanswered">Unanswered</option>
            <option value="answered">Answered</option>
            <option value="all">All</option>
          </select>
        </div>
        <div>
          <label htmlFor={ids.since}>Since</label>
          <input
            id={ids.since}
            type="date"
            value={filters.since}
            onChange={(e) => onChange({ ...filters, since: e.target.value })}
          />
        </div>
        <div>
          <label htmlFor={ids.q}>Search text</label>
          <input id={ids.q} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <button type="submit">Search</button>
      </form>
    </section>
  );
}

function CommentList({
  filters,
  open,
  onOpen,
}: {
  filters: CommentFilters;
  open: string | null;
  onOpen: (id: string) => void;
}) {
  const comments = useComments(filters);
  const items: Comment[] = comments.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="comments-heading" className="card">
      <h2 id="comments-heading">Comments</h2>
      {comments.isPending && <Loading what="the comments" />}
      <ErrorMessage error={comments.error} prefix="The comments could not be loaded." />
      {comments.data && items.length === 0 && (
        <p className="muted">No comment matches these filters.</p>
      )}
      <ul className="comments" aria-label="Comments, newest first">
        {items.map((c) => (
          <li key={c.id} className={c.id === open ? 'comment open' : 'comment'}>
            <button
              type="button"
              className="comment-open"
              onClick={() => onOpen(c.id)}
              aria-current={c.id === open ? 'true' : undefined}
            >
              <span className="comment-author">
                {c.fromAccount ? 'The account' : `@${c.author.username}`}
                {c.parentId ? ' (reply)' : ''}
              </span>
              <span className="comment-text">{c.text}</span>
              <span className="muted">
                {formatDateTime(c.postedAt)}
                {c.hidden ? ' · hidden' : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {comments.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() => void comments.fetchNextPage()}
          disabled={comments.isFetchingNextPage}
        >
          {comments.isFetchingNextPage ? 'Loading more comments…' : 'Show more comments'}
        </button>
      )}
    </section>
  );
}
