import type { FastifyReply } from 'fastify';
import { firstValueFrom, race, timer, type Observable } from 'rxjs';
import { ValidationFailedError } from '../errors/domain-error';
import type { EventLogReader } from './event-log-reader';
import type { SealedEvent } from './event.types';

/**
 * The seq a stream starts after: `Last-Event-ID` (a reconnecting browser) wins over `?after`;
 * undefined when neither was sent (each stream then picks its own start).
 */
export function resumeAfter(
  after: number | undefined,
  lastEventId: string | undefined,
): number | undefined {
  if (lastEventId === undefined || lastEventId === '') return after;
  if (!/^\d+$/.test(lastEventId) || !Number.isSafeInteger(Number(lastEventId))) {
    throw new ValidationFailedError([
      { field: 'Last-Event-ID', message: 'Last-Event-ID must be a seq' },
    ]);
  }
  return Number(lastEventId);
}

export interface SealedEventStream {
  reader: EventLogReader;
  /** the sealer's hint that new events may be readable */
  sealed$: Observable<unknown>;
  /** fires when the application shuts down: open streams end first, so the server can close */
  closing$: Observable<void>;
  isClosing: () => boolean;
  tenant: string;
  after: number;
  /** The SSE messages (complete, ending in a blank line) for one batch of the tenant's events, in order. */
  render: (batch: SealedEvent[]) => Promise<string[]> | string[];
}

/**
 * Writes a tenant's sealed events as Server-Sent Events from a seq on, then new seals as they
 * happen. Reads in short transactions and waits on the sealer's hint or a poll tick, never inside
 * a transaction. The audit stream and the inbox stream differ only in `render`.
 */
export async function streamSealedEvents(reply: FastifyReply, s: SealedEventStream): Promise<void> {
  let after = s.after;
  reply.hijack();
  const raw = reply.raw;
  // hijacked: Fastify's onSend hooks do not run, so carry over what they and the CORS plugin set
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'x-request-id': String(reply.request.id),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let open = true;
  raw.on('close', () => {
    open = false;
  });
  raw.write(': stream open\nretry: 2000\n\n');
  let idle = 0;
  while (open && !s.isClosing()) {
    let messages: string[];
    let batch: SealedEvent[];
    try {
      batch = await s.reader.page(s.tenant, { afterSeq: after }, 200);
      messages = batch.length > 0 ? await s.render(batch) : [];
    } catch {
      break;
    }
    for (const m of messages) {
      if (!open) break;
      raw.write(m);
    }
    if (batch.length > 0) after = batch.at(-1)!.seq;
    if (batch.length === 200) continue;
    await firstValueFrom(race(s.sealed$, timer(500), s.closing$));
    if (++idle % 30 === 0 && open) raw.write(': keep-alive\n\n');
  }
  if (!raw.writableEnded) raw.end();
}
