import net from 'node:net';

export interface RawResponse {
  status: number;
  /** lower-case names */
  headers: Record<string, string>;
  text: string;
  /** the parsed body, or undefined when it is not JSON */
  json: unknown;
}

export interface RawRequest {
  method: string;
  /** sent byte for byte (no escaping, no checks): malformed paths reach the server as they are */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
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

function parse(raw: Buffer): RawResponse | null {
  const sep = raw.indexOf('\r\n\r\n');
  if (sep < 0) return null;
  const lines = raw.subarray(0, sep).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  const rest = raw.subarray(sep + 4);
  const text = (headers['transfer-encoding']?.includes('chunked') ? dechunk(rest) : rest).toString(
    'utf8',
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: Number(m[1]), headers, text, json };
}

/**
 * One HTTP/1.1 request written by hand on its own connection, so that anything (a bad escape, a
 * NUL, a TRACE) reaches the server as given, for what supertest or `http.request` would normalise
 * or refuse. Rejects when the connection ends (or `timeoutMs` passes) without an HTTP answer. An
 * event stream never ends by itself: its headers are the answer.
 */
export function rawRequest(
  baseUrl: string,
  req: RawRequest,
  timeoutMs = 15_000,
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body =
    req.body === undefined
      ? undefined
      : Buffer.isBuffer(req.body)
        ? req.body
        : Buffer.from(req.body, 'utf8');
  const head =
    `${req.method} ${req.path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nconnection: close\r\n` +
    Object.entries(req.headers ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    (body && !Object.keys(req.headers ?? {}).some((k) => k.toLowerCase() === 'content-length')
      ? `content-length: ${body.length}\r\n`
      : '') +
    '\r\n';
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect(Number(port), hostname);
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const res = parse(Buffer.concat(chunks));
      if (res) resolve(res);
      else reject(new Error(`no HTTP answer to ${req.method} ${req.path.slice(0, 200)}`));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const soFar = Buffer.concat(chunks);
      if (
        soFar.indexOf('\r\n\r\n') >= 0 &&
        /\r\ncontent-type: text\/event-stream/i.test(soFar.toString('latin1'))
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

/** Writes raw bytes on a socket and returns what came back before the server closed it ('' when nothing). */
export function rawSocket(baseUrl: string, bytes: string | Buffer): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(url.port), url.hostname, () => socket.end(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE'
        ? resolve(Buffer.concat(chunks).toString('utf8'))
        : reject(err),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
