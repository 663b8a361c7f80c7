import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  /** sent byte for byte (no escaping, no checks): malformed paths reach the server as they are */
  target: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

function dechunk(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(raw.subarray(i, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/**
 * One HTTP/1.1 request over a fresh socket, written by hand so that anything (a bad escape, a NUL,
 * a TRACE) can be sent. Resolves with the answer, or null when the server closed the connection
 * (or `timeoutMs` passed) without answering. An event stream is read up to its headers only.
 */
export function rawRequest(
  url: string,
  req: RawRequest,
  timeoutMs = 15_000,
): Promise<RawResponse | null> {
  const { hostname, port } = new URL(url);
  const body =
    req.body === undefined
      ? undefined
      : Buffer.isBuffer(req.body)
        ? req.body
        : Buffer.from(req.body, 'utf8');
  const head =
    `${req.method} ${req.target} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nconnection: close\r\n` +
    Object.entries(req.headers ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    (body ? `content-length: ${body.length}\r\n` : '') +
    '\r\n';
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect(Number(port), hostname);
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const sep = raw.indexOf('\r\n\r\n');
      if (sep < 0) return resolve(null);
      const lines = raw.subarray(0, sep).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!m) return resolve(null);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const c = l.indexOf(':');
        if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      const rest = raw.subarray(sep + 4);
      const bodyBuf = headers['transfer-encoding']?.includes('chunked') ? dechunk(rest) : rest;
      resolve({ status: Number(m[1]), headers, body: bodyBuf.toString('utf8') });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // an event stream never ends by itself: its headers are the answer
      const soFar = Buffer.concat(chunks);
      if (
        soFar.indexOf('\r\n\r\n') >= 0 &&
        /content-type: text\/event-stream/i.test(soFar.toString('latin1'))
      )
        finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(head);
    if (body) socket.write(body);
  });
}
