import { useSyncExternalStore } from 'react';

/** Who is signed in, read from the token's claims (for display and for hiding what the API would refuse). */
export interface Session {
  token: string;
  sub: string;
  tenant: string;
  roles: string[];
  name: string | null;
  expiresAt: number | null;
}

const KEY = 'echo.console.token';
let current: Session | null = null;
const listeners = new Set<() => void>();

function decode(token: string): Session | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const c = JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
    if (typeof c.sub !== 'string' || typeof c.tenant !== 'string') return null;
    return {
      token,
      sub: c.sub,
      tenant: c.tenant,
      roles: Array.isArray(c.roles)
        ? c.roles.filter((r): r is string => typeof r === 'string')
        : [],
      name: typeof c.name === 'string' ? c.name : null,
      expiresAt: typeof c.exp === 'number' ? c.exp * 1000 : null,
    };
  } catch {
    return null;
  }
}

function emit(): void {
  for (const l of listeners) l();
}

/**
 * The token lives in memory and in sessionStorage (this tab only, gone when it closes), never in a
 * cookie: the API reads bearer headers only, so a forged cross-site request carries nothing.
 */
export const session = {
  get: (): Session | null => {
    if (current) return current;
    const stored = sessionStorage.getItem(KEY);
    current = stored ? decode(stored) : null;
    return current;
  },
  /** Returns false when the text is not a token with `sub` and `tenant`. */
  signIn(token: string): boolean {
    const s = decode(token.trim());
    if (!s) return false;
    current = s;
    sessionStorage.setItem(KEY, s.token);
    emit();
    return true;
  },
  signOut(): void {
    current = null;
    sessionStorage.removeItem(KEY);
    emit();
  },
  subscribe: (l: () => void): (() => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export function useSession(): Session | null {
  return useSyncExternalStore(session.subscribe, session.get);
}

export const hasRole = (s: Session | null, ...roles: string[]): boolean =>
  !!s && roles.some((r) => s.roles.includes(r));
