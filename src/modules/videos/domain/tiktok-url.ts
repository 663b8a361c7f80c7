/**
 * TikTok video URLs (TIKTOK-API.md section 7, API.md "Videos"). Pure: no network. Short links
 * are recognised here and resolved by the caller (following redirects), whose every hop must
 * again be a TikTok host.
 */

/** Hosts a video URL or a short link may be on. */
const VIDEO_HOSTS = new Set(['tiktok.com', 'www.tiktok.com', 'm.tiktok.com']);
const SHORT_HOSTS = new Set(['vm.tiktok.com', 'vt.tiktok.com']);
/** TikTok ids are 19 digits today; accept 15–20. */
const ID = '(\\d{15,20})';

const PATTERNS: RegExp[] = [
  new RegExp(`^/@[^/]+/(?:video|photo)/${ID}/?$`),
  new RegExp(`^/v/${ID}\\.html$`),
  new RegExp(`^/embed/(?:v2/)?${ID}/?$`),
];

export type ParsedTikTokUrl = { kind: 'video'; videoId: string } | { kind: 'short'; url: URL };

/** True for a host whose redirects we may follow. */
export function isTikTokHost(host: string): boolean {
  const h = host.toLowerCase();
  return VIDEO_HOSTS.has(h) || SHORT_HOSTS.has(h);
}

/**
 * A video id, a short link to resolve, or null when it is not a TikTok video URL. Only http(s), no
 * credentials, no port; the query string and fragment are ignored.
 */
export function parseTikTokUrl(input: string): ParsedTikTokUrl | null {
  if (typeof input !== 'string' || input.length > 2048) return null;
  let raw = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) raw = `https://${raw}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.port) return null;
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  if (SHORT_HOSTS.has(host)) return /^\/[A-Za-z0-9]+\/?$/.test(path) ? { kind: 'short', url } : null;
  if (!VIDEO_HOSTS.has(host)) return null;
  if (/^\/t\/[A-Za-z0-9]+\/?$/.test(path)) return { kind: 'short', url };
  for (const re of PATTERNS) {
    const m = re.exec(path);
    if (m) return { kind: 'video', videoId: m[1] };
  }
  return null;
}
