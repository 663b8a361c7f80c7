import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, ok, shape } from '../../api/client';
import type { Comment, CommentThread, Page } from '../../api/contract';

export type StatusFilter = 'unanswered' | 'answered' | 'all';

export interface CommentFilters {
  integrationId: string;
  /** a video of the chosen account, or '' */
  videoId: string;
  status: StatusFilter;
  q: string;
  /** a date (YYYY-MM-DD), local midnight */
  since: string;
}

export const commentKeys = {
  list: (f: CommentFilters) => ['comments', f] as const,
  thread: (id: string) => ['comment', id] as const,
};

const PAGE = 30;

/** The comment list, newest first, a keyset page at a time (each read is audited by the service). */
export const useComments = (f: CommentFilters) =>
  useInfiniteQuery({
    queryKey: commentKeys.list(f),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/api/v1/comments', {
          params: {
            query: {
              limit: PAGE,
              status: f.status,
              ...(f.integrationId ? { integrationId: f.integrationId } : {}),
              ...(f.videoId ? { videoId: f.videoId } : {}),
              ...(f.q.trim() ? { q: f.q.trim() } : {}),
              ...(f.since ? { since: new Date(`${f.since}T00:00:00`).toISOString() } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
        shape<Page<Comment>>(),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const useThread = (id: string | null) =>
  useQuery({
    queryKey: commentKeys.thread(id ?? ''),
    enabled: !!id,
    queryFn: () =>
      ok(
        api.GET('/api/v1/comments/{id}', { params: { path: { id: id! } } }),
        shape<CommentThread>(),
      ),
    // a pending reply becomes sent or failed by itself: look again while one is pending
    refetchInterval: (q) =>
      q.state.data &&
      [q.state.data, ...q.state.data.replies].some((c) => c.delivery?.state === 'pending')
        ? 2_000
        : false,
  });

export const DEFAULT_TEXT_LIMIT = 1200;

/**
 * The most characters of a reply, from `GET /inbox/settings` (admins and agents); TikTok's default
 * while it loads.
 */
export function useTextLimit(): number {
  const settings = useQuery({
    queryKey: ['inbox-settings'],
    queryFn: () => ok(api.GET('/api/v1/inbox/settings'), shape<{ textLimit: number }>()),
    staleTime: 5 * 60_000,
  });
  const limit = settings.data?.textLimit;
  return typeof limit === 'number' && limit > 0 ? limit : DEFAULT_TEXT_LIMIT;
}

/** Characters as TikTok counts them: Unicode code points of the trimmed text. */
export const countChars = (text: string): number => [...text.trim()].length;

/** A random idempotency key (getRandomValues works on plain-http hosts too, unlike randomUUID). */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * One `Idempotency-Key` per attempt: the same text sent again (a double click, a retry after an
 * error) keeps its key, so TikTok gets it once; another text, or a send after a success, gets a new one.
 */
export function useAttemptKey(): { keyFor: (text: string) => string; done: () => void } {
  const attempt = useRef<{ key: string; text: string } | null>(null);
  return {
    keyFor: (text) => {
      if (!attempt.current || attempt.current.text !== text)
        attempt.current = { key: newKey(), text };
      return attempt.current.key;
    },
    done: () => {
      attempt.current = null;
    },
  };
}
