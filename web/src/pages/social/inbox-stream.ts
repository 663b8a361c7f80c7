import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../../api/client';
import { useSession } from '../../auth/session';

/** One line of `GET /inbox/stream` (API.md "Live"): ids and a kind, never the text. */
export interface InboxLine {
  id: string | null;
  kind: string;
  commentId: string;
}

/** Splits a Server-Sent Events text into messages; returns them and the unfinished rest. */
export function parseSse(buffer: string): { lines: InboxLine[]; rest: string } {
  const lines: InboxLine[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let id: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) continue;
    try {
      const d = JSON.parse(data.join('\n')) as { kind?: unknown; commentId?: unknown };
      if (typeof d.kind === 'string' && typeof d.commentId === 'string')
        lines.push({ id, kind: d.kind, commentId: d.commentId });
    } catch {
      /* not a line of ours */
    }
  }
  return { lines, rest };
}

const RETRY_MS = 2_000;
/** Several lines in a burst (a sync page) cause one re-read, not one each: every read is audited. */
const SETTLE_MS = 250;

/**
 * Follows the inbox stream while the Social area is open: a fetch-based SSE client (the bearer
 * header goes through the typed client; EventSource cannot send it). Each line marks the comment
 * list and threads stale, so TanStack Query reads them again through the audited routes. After a
 * drop it reconnects with `Last-Event-ID`, so nothing that happened meanwhile is missed.
 */
export function useInboxStream(): void {
  const queryClient = useQueryClient();
  const token = useSession()?.token;
  useEffect(() => {
    if (!token) return;
    const ac = new AbortController();
    let lastId: string | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: ['comments'] });
        void queryClient.invalidateQueries({ queryKey: ['comment'] });
      }, SETTLE_MS);
    };
    const follow = async (): Promise<void> => {
      const { data } = await api.GET('/api/v1/inbox/stream', {
        params: lastId ? { header: { 'Last-Event-ID': lastId } } : {},
        parseAs: 'stream',
        signal: ac.signal,
      });
      if (!data) return;
      const reader = data.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const { lines, rest } = parseSse(buffer + value);
        buffer = rest;
        for (const l of lines) if (l.id) lastId = l.id;
        if (lines.length > 0) refresh();
      }
    };
    void (async () => {
      while (!ac.signal.aborted) {
        try {
          await follow();
        } catch {
          /* dropped or refused: try again shortly (a 401 has signed out and unmounted us) */
        }
        if (ac.signal.aborted) break;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    })();
    return () => {
      ac.abort();
      if (timer) clearTimeout(timer);
    };
  }, [token, queryClient]);
}
