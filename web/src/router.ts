import { useSyncExternalStore } from 'react';

/** The console lives under /admin; paths below are relative to it ("/integrations/tiktok"). */
export const BASE = '/admin';
const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

const snapshot = (): string => window.location.pathname + window.location.search;

/** The current location: `path` without the /admin base (at least "/"), `query` its search parameters. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const full = useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, snapshot);
  const url = new URL(full, window.location.origin);
  const path = url.pathname.startsWith(BASE)
    ? url.pathname.slice(BASE.length) || '/'
    : url.pathname;
  return { path: path.replace(/\/+$/, '') || '/', query: url.searchParams };
}

/** Moves to a console path ("/integrations/tiktok?x=1") without reloading. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const href = to.startsWith(BASE) ? to : BASE + to;
  if (opts.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  listeners.forEach((l) => l());
}
