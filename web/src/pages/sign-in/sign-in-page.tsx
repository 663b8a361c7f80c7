import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ok, shape } from '../../api/client';
import { ApiError } from '../../api/errors';
import { session } from '../../auth/session';
import { ErrorMessage } from '../../components/error-message';

const ROLES = ['admin', 'agent', 'auditor'] as const;

/**
 * Sign-in: in production Echo's SSO hands over the token (pasted or passed in); outside production
 * "Sign in as" asks the development route for one. That route exists only with generated
 * development secrets, so the section shows only where a probe finds it.
 */
export function SignInPage() {
  const [token, setToken] = useState('');
  const [invalid, setInvalid] = useState(false);
  const tokenId = useId();
  const devAvailable = useQuery({
    queryKey: ['dev-sign-in'],
    queryFn: probeDevSignIn,
    retry: false,
    staleTime: Infinity,
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setInvalid(!session.signIn(token));
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Echo</h1>
      <form onSubmit={onSubmit} className="card">
        <label htmlFor={tokenId}>Access token</label>
        <textarea
          id={tokenId}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          rows={3}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${tokenId}-help`}
          aria-invalid={invalid || undefined}
        />
        <p id={`${tokenId}-help`} className="muted">
          The token Echo&apos;s sign-in gave you. It stays in this browser tab only.
        </p>
        {invalid && (
          <p role="alert" className="notice notice-error">
            That is not a valid access token. Copy the whole token and try again.
          </p>
        )}
        <button type="submit" disabled={!token.trim()}>
          Sign in
        </button>
      </form>
      {devAvailable.data === true && <DevSignIn />}
    </main>
  );
}

/**
 * Whether the service has the development route: an empty request answers 400 (the route checks
 * its body) where it exists and 404 where it does not. Nothing is signed by the probe.
 */
async function probeDevSignIn(): Promise<boolean> {
  try {
    await api.POST('/api/v1/dev/token', { body: { tenant: '', sub: '', roles: [] } });
    return false;
  } catch (e) {
    return e instanceof ApiError && e.status === 400;
  }
}

function DevSignIn() {
  const [tenant, setTenant] = useState('acme');
  const [sub, setSub] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('admin');
  const ids = { tenant: useId(), sub: useId(), role: useId() };
  const signIn = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/v1/dev/token', {
          body: { tenant: tenant.trim(), sub: sub.trim(), roles: [role], name: sub.trim() },
        }),
        shape<{ token: string }>(),
      ),
    onSuccess: (res) => session.signIn(res.token),
  });
  return (
    <section aria-labelledby="dev-sign-in" className="card">
      <h2 id="dev-sign-in">Sign in as (development only)</h2>
      <p className="muted">
        This service runs with generated development secrets, so it can make a token for anyone.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          signIn.mutate();
        }}
      >
        <label htmlFor={ids.tenant}>Tenant</label>
        <input
          id={ids.tenant}
          value={tenant}
          onChange={(e) => setTenant(e.target.value)}
          autoComplete="off"
          required
        />
        <label htmlFor={ids.sub}>User id</label>
        <input
          id={ids.sub}
          value={sub}
          onChange={(e) => setSub(e.target.value)}
          autoComplete="off"
          required
        />
        <label htmlFor={ids.role}>Role</label>
        <select
          id={ids.role}
          value={role}
          onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <ErrorMessage error={signIn.error} prefix="Could not sign in." />
        <button type="submit" disabled={signIn.isPending || !sub.trim() || !tenant.trim()}>
          Sign in as
        </button>
      </form>
    </section>
  );
}
