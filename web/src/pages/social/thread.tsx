import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { api, ok, shape } from '../../api/client';
import type { Comment, Reply } from '../../api/contract';
import { ErrorMessage, Loading } from '../../components/error-message';
import { formatDateTime } from '../../components/format';
import { commentKeys, countChars, useTextLimit, useThread } from './social-queries';

/** A random idempotency key (getRandomValues works on plain-http hosts too, unlike randomUUID). */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A delivery state in words (API.md: pending, sent, failed with its code). */
function deliveryWords(c: Comment): string | null {
  const d = c.delivery;
  if (!d) return null;
  switch (d.state) {
    case 'pending':
      return 'Sending…';
    case 'sent':
      return 'Sent';
    case 'failed':
      return d.error === 'OUTCOME_UNKNOWN'
        ? 'Outcome unknown: check TikTok, then resend'
        : `Failed: ${d.error ?? 'TikTok refused it'}`;
  }
}

export function Thread({ id, onClose }: { id: string; onClose: () => void }) {
  const thread = useThread(id);
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: commentKeys.thread(id) });
    void queryClient.invalidateQueries({ queryKey: ['comments'] });
  };
  const moderate = useMutation({
    mutationFn: (action: 'hide' | 'unhide') =>
      action === 'hide'
        ? ok(api.POST('/api/v1/comments/{id}/hide', { params: { path: { id } } }), shape<Comment>())
        : ok(
            api.POST('/api/v1/comments/{id}/unhide', { params: { path: { id } } }),
            shape<Comment>(),
          ),
    onSuccess: refresh,
  });
  const c = thread.data;
  return (
    <section aria-labelledby="thread-heading" className="card thread">
      <h2 id="thread-heading">Thread</h2>
      <button type="button" className="secondary" onClick={onClose}>
        Close thread
      </button>
      {thread.isPending && <Loading what="the thread" />}
      <ErrorMessage error={thread.error} prefix="The thread could not be loaded." />
      {c && (
        <>
          <article className="comment-full" aria-label={`Comment by @${c.author.username}`}>
            <p className="comment-author">
              {c.author.displayName} <span className="muted">@{c.author.username}</span>
            </p>
            <p>{c.text}</p>
            <p className="muted">
              {formatDateTime(c.postedAt)} · {c.likeCount} likes
              {c.hidden ? ' · hidden from the public' : ''}
            </p>
            {!c.fromAccount && (
              <button
                type="button"
                className="secondary"
                onClick={() => moderate.mutate(c.hidden ? 'unhide' : 'hide')}
                disabled={moderate.isPending}
              >
                {c.hidden ? 'Unhide' : 'Hide'}
              </button>
            )}
            <ErrorMessage error={moderate.error} prefix="Could not change the comment." />
          </article>
          <h3>Replies</h3>
          {c.replies.length === 0 ? (
            <p className="muted">No reply yet.</p>
          ) : (
            <ul className="replies" aria-label="Replies">
              {c.replies.map((r) => (
                <li key={r.id} className={r.fromAccount ? 'reply ours' : 'reply'}>
                  <p className="comment-author">
                    {r.fromAccount ? 'The account' : `@${r.author.username}`}
                  </p>
                  <p>{r.text}</p>
                  <p className="muted">
                    {formatDateTime(r.postedAt)}
                    {r.hidden ? ' · hidden' : ''}
                  </p>
                  {deliveryWords(r) && (
                    <p className={`delivery delivery-${r.delivery?.state}`}>{deliveryWords(r)}</p>
                  )}
                </li>
              ))}
            </ul>
          )}
          <ReplyBox comment={c} onSent={refresh} />
        </>
      )}
    </section>
  );
}

/**
 * The reply box. One `Idempotency-Key` per attempt: the key is made when a text is first sent
 * and kept while the same text is sent again (a double click, a retry after a network error), so
 * the service posts it at most once; a changed text or a sent reply starts a new attempt.
 */
function ReplyBox({ comment, onSent }: { comment: Comment; onSent: () => void }) {
  const limit = useTextLimit();
  const [text, setText] = useState('');
  const attempt = useRef<{ key: string; text: string } | null>(null);
  const ids = { text: useId(), count: useId() };
  const reply = useMutation({
    mutationFn: (body: string) => {
      if (!attempt.current || attempt.current.text !== body)
        attempt.current = { key: newKey(), text: body };
      return ok(
        api.POST('/api/v1/comments/{id}/replies', {
          params: { path: { id: comment.id }, header: { 'Idempotency-Key': attempt.current.key } },
          body: { text: body },
        }),
        shape<Reply>(),
      );
    },
    onSuccess: () => {
      attempt.current = null;
      setText('');
      onSent();
    },
  });
  const used = countChars(text);
  const left = limit - used;
  const send = () => {
    if (used > 0 && left >= 0 && !reply.isPending) reply.mutate(text.trim());
  };
  const to = comment.fromAccount ? 'the account' : `@${comment.author.username}`;
  return (
    <form
      className="reply-box"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label htmlFor={ids.text}>Reply to {to}</label>
      <textarea
        id={ids.text}
        value={text}
        rows={3}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
        aria-describedby={ids.count}
        aria-invalid={left < 0 || undefined}
      />
      <p id={ids.count} className={left < 0 ? 'count over' : 'count'} aria-live="polite">
        {left >= 0
          ? `${left} of ${limit} characters left`
          : `${-left} characters over the limit of ${limit}`}
      </p>
      {reply.data?.warnings?.map((w) => (
        <p key={w.code} role="status" className="notice">
          {w.message}
        </p>
      ))}
      <ErrorMessage error={reply.error} prefix="The reply was not sent." />
      <button type="submit" disabled={used === 0 || left < 0 || reply.isPending}>
        Reply
      </button>
    </form>
  );
}
