import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { hasRole, session, useSession } from './auth/session';
import { Link } from './components/link';
import { IntegrationPage } from './pages/integrations/integration-page';
import { SignInPage } from './pages/sign-in/sign-in-page';
import { SocialPage } from './pages/social/social-page';
import { AuditPage } from './pages/audit/audit-page';
import { navigate, useLocation } from './router';

const ROLE_WORDS: Record<string, string> = { admin: 'admin', agent: 'agent', auditor: 'auditor' };

export function App() {
  const s = useSession();
  const { path } = useLocation();
  const queryClient = useQueryClient();

  // Nothing cached for one user may show to the next one signing in on this tab: forget it all on
  // sign-out (a button, or a 401), but not on the first render without a session.
  const signedIn = useRef(false);
  useEffect(() => {
    if (signedIn.current && !s) queryClient.clear();
    signedIn.current = !!s;
  }, [s, queryClient]);

  useEffect(() => {
    if (s && path === '/')
      navigate(hasRole(s, 'admin', 'agent') ? '/integrations/tiktok' : '/audit', { replace: true });
  }, [s, path]);

  if (!s) return <SignInPage />;

  return (
    <>
      <header className="topbar">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <span className="brand">Echo</span>
        <nav aria-label="Main">
          <ul>
            {hasRole(s, 'admin', 'agent') && (
              <li>
                <Link
                  to="/integrations/tiktok"
                  aria-current={path === '/integrations/tiktok' ? 'page' : undefined}
                >
                  TikTok Integration
                </Link>
              </li>
            )}
            {hasRole(s, 'admin', 'agent') && (
              <li>
                <Link to="/social" aria-current={path === '/social' ? 'page' : undefined}>
                  Social Media
                </Link>
              </li>
            )}
            {hasRole(s, 'admin', 'auditor') && (
              <li>
                <Link to="/audit" aria-current={path === '/audit' ? 'page' : undefined}>
                  Audit
                </Link>
              </li>
            )}
          </ul>
        </nav>
        <div className="who">
          <span>
            {s.name ?? s.sub} · {s.tenant} ·{' '}
            {s.roles.map((r) => ROLE_WORDS[r] ?? r).join(', ') || 'no role'}
          </span>
          <button type="button" className="secondary" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <Page path={path} />
      </main>
    </>
  );
}

function Page({ path }: { path: string }) {
  switch (path) {
    case '/':
      return null;
    case '/integrations/tiktok':
      return <IntegrationPage />;
    case '/social':
      return <SocialPage />;
    case '/audit':
      return <AuditPage />;
    default:
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            There is no page at this address. Go to the{' '}
            <Link to="/integrations/tiktok">TikTok Integration</Link> page.
          </p>
        </section>
      );
  }
}
