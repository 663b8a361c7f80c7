import { TextComposer } from '../../components/text-composer';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type RefObject } from 'react';
import { api, ok, shape } from '../../api/client';
import type { Comment, Reply } from '../../api/contract';
import { ErrorMessage, Loading } from '../../components/error-message';
import { formatDateTime } from '../../components/format';
import { commentKeys, countChars, useAttemptKey, useTextLimit, useThread } from './social-queries';

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

export function Thread({
  id,
  onClose,
  replyRef,
}: {
  id: string;
  onClose: () => void;
  /** the reply box, for the `r` key */
  replyRef: RefObject<HTMLTextAreaElement | null>;
}) {
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
            {c.fromAccount && <DeleteOwn comment={c} onDeleted={onClose} />}
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
                  {r.fromAccount && r.delivery?.state !== 'pending' && (
                    <DeleteOwn comment={r} onDeleted={refresh} />
                  )}
                </li>
              ))}
            </ul>
          )}
          <ReplyBox comment={c} onSent={refresh} textRef={replyRef} />
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
function ReplyBox({
  comment,
  onSent,
  textRef,
}: {
  comment: Comment;
  onSent: () => void;
  textRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const limit = useTextLimit();
  const [text, setText] = useState('');
  const attempt = useAttemptKey();
  const ids = { text: useId(), count: useId() };
  const reply = useMutation({
    mutationFn: (body: string) => {
      return ok(
        api.POST('/api/v1/comments/{id}/replies', {
          params: { path: { id: comment.id }, header: { 'Idempotency-Key': attempt.keyFor(body) } },
          body: { text: body },
        }),
        shape<Reply>(),
      );
    },
    onSuccess: () => {
      attempt.done();
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
      <TextComposer
        id={ids.text}
        countId={ids.count}
        label={<>Reply to {to}</>}
        value={text}
        onChange={setText}
        onSend={send}
        limit={limit}
        left={left}
        rows={3}
        textareaRef={textRef}
      />
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

/** "Delete" on the account's own comment or reply (API.md: only those), after a confirmation. */
function DeleteOwn({ comment, onDeleted }: { comment: Comment; onDeleted: () => void }) {
  const [asking, setAsking] = useState(false);
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.DELETE('/api/v1/comments/{id}', { params: { path: { id: comment.id } } }),
    onSuccess: () => {
      setAsking(false);
      void queryClient.invalidateQueries({ queryKey: ['comments'] });
      onDeleted();
    },
  });
  const what = comment.parentId ? 'reply' : 'comment';
  return (
    <>
      {!asking ? (
        <button type="button" className="secondary" onClick={() => setAsking(true)}>
          Delete
        </button>
      ) : (
        <div className="confirm" role="group" aria-label={`Confirm deleting this ${what}`}>
          <p>Delete this {what} of the account on TikTok? This cannot be undone.</p>
          <button
            type="button"
            className="danger"
            onClick={() => remove.mutate()}
            disabled={remove.isPending}
          >
            Yes, delete the {what}
          </button>
          <button type="button" className="secondary" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      )}
      <ErrorMessage error={remove.error} prefix={`Could not delete the ${what}.`} />
    </>
  );
}
