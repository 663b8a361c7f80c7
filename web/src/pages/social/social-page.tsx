import { RoleRefused } from '../../components/role-refused';
import { TextComposer } from '../../components/text-composer';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import { api, ok, shape } from '../../api/client';
import type { Comment, Reply } from '../../api/contract';
import { hasRole, useSession } from '../../auth/session';
import { ErrorMessage, Loading } from '../../components/error-message';
import { formatDateTime } from '../../components/format';
import { accountName, useIntegrations, useVideos } from '../integrations/queries';
import { useInboxStream } from './inbox-stream';
import {
  countChars,
  useAttemptKey,
  useComments,
  useTextLimit,
  type CommentFilters,
  type StatusFilter,
} from './social-queries';
import { Thread } from './thread';

/** True while the person types in a field: single-letter shortcuts stay letters there. */
const typing = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement &&
  (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

/** The Social Media area: fans' comments on the accounts the caller may see, and the answers. */
export function SocialPage() {
  const s = useSession();
  const allowed = hasRole(s, 'admin', 'agent');
  const [filters, setFilters] = useState<CommentFilters>({
    integrationId: '',
    videoId: '',
    status: 'unanswered',
    q: '',
    since: '',
  });
  const [open, setOpen] = useState<string | null>(null);
  const replyRef = useRef<HTMLTextAreaElement | null>(null);
  const listRef = useRef<HTMLUListElement | null>(null);

  // keyboard: j/k move between comments, r goes to the reply box, Esc closes the thread
  useEffect(() => {
    if (!allowed) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        if (open) {
          e.preventDefault();
          setOpen(null);
        }
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (e.key === 'j' || e.key === 'k') {
        const buttons = Array.from(
          listRef.current?.querySelectorAll<HTMLButtonElement>('button[data-comment-id]') ?? [],
        );
        if (buttons.length === 0) return;
        const at = buttons.findIndex((b) => b.dataset.commentId === open);
        const next =
          at < 0 ? 0 : Math.min(buttons.length - 1, Math.max(0, at + (e.key === 'j' ? 1 : -1)));
        e.preventDefault();
        buttons[next].focus();
        setOpen(buttons[next].dataset.commentId!);
      } else if (e.key === 'r' && open) {
        e.preventDefault();
        replyRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [allowed, open]);

  if (!allowed) {
    return <RoleRefused title="Social Media" forWhom="admins and agents" />;
  }
  return (
    <>
      <h1>Social Media</h1>
      <LiveUpdates />
      <p className="muted">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> next and previous comment, <kbd>r</kbd> reply,{' '}
        <kbd>Ctrl</kbd>+<kbd>Enter</kbd> send, <kbd>Esc</kbd> close the thread.
      </p>
      <div className="social">
        <div>
          <Filters filters={filters} onChange={setFilters} />
          {filters.integrationId && filters.videoId && (
            <CommentOnVideo integrationId={filters.integrationId} videoId={filters.videoId} />
          )}
          <CommentList filters={filters} open={open} onOpen={setOpen} listRef={listRef} />
        </div>
        {open ? (
          <Thread id={open} onClose={() => setOpen(null)} replyRef={replyRef} />
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

/** Follows `GET /inbox/stream` while the page is open (a component, so the hook runs only for allowed roles). */
function LiveUpdates() {
  useInboxStream();
  return null;
}

function Filters({
  filters,
  onChange,
}: {
  filters: CommentFilters;
  onChange: (f: CommentFilters) => void;
}) {
  const integrations = useIntegrations();
  const videos = useVideos(filters.integrationId || null);
  const ids = { account: useId(), video: useId(), status: useId(), q: useId(), since: useId() };
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
            onChange={(e) => onChange({ ...filters, integrationId: e.target.value, videoId: '' })}
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
          <label htmlFor={ids.video}>Video</label>
          <select
            id={ids.video}
            value={filters.videoId}
            disabled={!filters.integrationId}
            onChange={(e) => onChange({ ...filters, videoId: e.target.value })}
          >
            <option value="">
              {filters.integrationId ? 'All videos' : 'Choose an account first'}
            </option>
            {videos.data?.pages
              .flatMap((p) => p.items)
              .map((v) => (
                <option key={v.id} value={v.id}>
                  {(v.caption || v.tiktokVideoId).slice(0, 60)} ({formatDateTime(v.postedAt)})
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

/** "Comment": a new top-level comment from the account on the chosen video (one key per attempt, as replies). */
function CommentOnVideo({ integrationId, videoId }: { integrationId: string; videoId: string }) {
  const limit = useTextLimit();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const attempt = useAttemptKey();
  const ids = { text: useId(), count: useId() };
  const post = useMutation({
    mutationFn: (body: string) => {
      return ok(
        api.POST('/api/v1/integrations/tiktok/{id}/videos/{videoId}/comments', {
          params: {
            path: { id: integrationId, videoId },
            header: { 'Idempotency-Key': attempt.keyFor(body) },
          },
          body: { text: body },
        }),
        shape<Reply>(),
      );
    },
    onSuccess: () => {
      attempt.done();
      setText('');
      void queryClient.invalidateQueries({ queryKey: ['comments'] });
    },
  });
  const used = countChars(text);
  const left = limit - used;
  const send = () => {
    if (used > 0 && left >= 0 && !post.isPending) post.mutate(text.trim());
  };
  return (
    <section aria-labelledby="comment-on-video-heading" className="card">
      <h2 id="comment-on-video-heading">Comment on this video</h2>
      <form
        className="reply-box"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <TextComposer
          id={ids.text}
          countId={ids.count}
          label="New comment from the account"
          value={text}
          onChange={setText}
          onSend={send}
          limit={limit}
          left={left}
          rows={2}
        />
        {post.data && (
          <p role="status" className="notice notice-success">
            Comment {post.data.delivery?.state === 'sent' ? 'posted' : 'on its way'}.
          </p>
        )}
        <ErrorMessage error={post.error} prefix="The comment was not posted." />
        <button type="submit" disabled={used === 0 || left < 0 || post.isPending}>
          Comment
        </button>
      </form>
    </section>
  );
}

function CommentList({
  filters,
  open,
  onOpen,
  listRef,
}: {
  filters: CommentFilters;
  open: string | null;
  onOpen: (id: string) => void;
  listRef: RefObject<HTMLUListElement | null>;
}) {
  const comments = useComments(filters);
  const items: Comment[] = comments.data?.pages.flatMap((p) => p.items) ?? [];
  const more = useRef<HTMLDivElement | null>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = comments;
  // infinite scroll: the next keyset page when the end of the list comes into view ("Show more" stays for keyboards and screen readers)
  useEffect(() => {
    const el = more.current;
    if (!el || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  return (
    <section aria-labelledby="comments-heading" className="card">
      <h2 id="comments-heading">Comments</h2>
      {comments.isPending && <Loading what="the comments" />}
      <ErrorMessage error={comments.error} prefix="The comments could not be loaded." />
      {comments.data && items.length === 0 && (
        <p className="muted">No comment matches these filters.</p>
      )}
      <ul className="comments" aria-label="Comments, newest first" ref={listRef}>
        {items.map((c) => (
          <li key={c.id} className={c.id === open ? 'comment open' : 'comment'}>
            <button
              type="button"
              className="comment-open"
              data-comment-id={c.id}
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
      <div ref={more}>
        {hasNextPage && (
          <button
            type="button"
            className="secondary"
            onClick={() => void fetchNextPage()}
            disabled={isFetchingNextPage}
          >
            {isFetchingNextPage ? 'Loading more comments…' : 'Show more comments'}
          </button>
        )}
      </div>
    </section>
  );
}
