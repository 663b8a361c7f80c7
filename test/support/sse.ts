/** One Server-Sent Event as the stream sent it. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * A small fetch-based SSE client (what browsers use with a bearer header): connects, parses
 * `id:` / `event:` / `data:` fields, and hands out messages as they arrive. `close()` disconnects.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  status = 0;
  headers: Headers | null = null;
  private readonly ac = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;

  static async connect(url: string, headers: Record<string, string>): Promise<SseClient> {
    const c = new SseClient();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: c.ac.signal });
    c.status = res.status;
    c.headers = res.headers;
    if (res.body) c.done = c.pump(res.body);
    return c;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const msg: SseMessage = { data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line === '' || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') msg.id = value;
            else if (field === 'event') msg.event = value;
            else if (field === 'data') data.push(value);
          }
          if (data.length === 0) continue;
          msg.data = data.join('\n');
          this.messages.push(msg);
          this.wake?.();
        }
      }
    } catch {
      /* aborted */
    }
  }

  /** Waits until at least `n` messages arrived (or throws after `timeoutMs`). */
  async waitFor(n: number, timeoutMs = 10_000): Promise<SseMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`SSE: ${this.messages.length} of ${n} messages after ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, Math.min(left, 100));
      });
    }
    return this.messages;
  }

  async close(): Promise<void> {
    this.ac.abort();
    await this.done;
  }
}
