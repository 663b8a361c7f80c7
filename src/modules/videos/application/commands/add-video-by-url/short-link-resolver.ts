import { isTikTokHost, parseTikTokUrl } from '../../../domain/tiktok-url';

export const MAX_HOPS = 5;

/**
 * Follows a TikTok short link (`vm.`/`vt.tiktok.com/<code>`, `www.tiktok.com/t/<code>`) to the
 * video id, by reading redirects ourselves (`redirect: 'manual'`): every hop must stay on a
 * TikTok host, at most `MAX_HOPS` hops, within one overall timeout. Nothing is fetched from
 * anywhere else (no SSRF through a crafted link). Null when it does not lead to a video URL.
 *
 * Tests: with `shortLinkBase` set, `https://<host><path>` is fetched from
 * `<shortLinkBase><host><path>` instead (the simulator serves the redirects); the host checks
 * apply to the original URLs all the same.
 */
export async function resolveShortLink(
  start: URL,
  opts: { shortLinkBase?: string; timeoutMs: number; fetchFn?: typeof fetch },
): Promise<string | null> {
  const fetchFn = opts.fetchFn ?? fetch;
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let current = start;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (!isTikTokHost(current.hostname) || (current.protocol !== 'https:' && current.protocol !== 'http:')) return null;
    const target = opts.shortLinkBase ? `${opts.shortLinkBase}${current.host}${current.pathname}${current.search}` : current.href;
    let res: Response;
    try {
      res = await fetchFn(target, { method: 'GET', redirect: 'manual', signal, headers: { accept: 'text/html' } });
    } catch {
      return null;
    }
    await res.body?.cancel().catch(() => undefined);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) return null;
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return null;
    }
    if (!isTikTokHost(next.hostname)) return null;
    const parsed = parseTikTokUrl(next.href);
    if (!parsed) return null;
    if (parsed.kind === 'video') return parsed.videoId;
    current = parsed.url;
  }
  return null;
}
