import { RoleRefused } from '../../components/role-refused';
import type { Integration } from '../../api/contract';
import { hasRole, useSession } from '../../auth/session';
import { ErrorMessage, Loading } from '../../components/error-message';
import { navigate, useLocation } from '../../router';
import { AddVideo } from './add-video';
import { ExistingIntegrations } from './existing-integrations';
import { PermissionSets } from './permission-sets';
import { accountName, useConnect, useIntegrations, usePolicies } from './queries';
import { Videos } from './videos';

/** What to say when TikTok's consent came back with `?error=CODE` (API.md's callback codes). */
const RETURN_ERRORS: Record<string, string> = {
  STATE_INVALID:
    'The connection request expired, was already used, or was started in another browser, so nothing was connected. Press the accept button below again, in this browser, and finish on TikTok within 10 minutes.',
  ACCESS_DENIED:
    'TikTok says access was not granted (Deny was chosen, or the TikTok sign-in was cancelled), so nothing was connected. To connect, press the accept button below and choose Allow on TikTok.',
  TOKEN_EXCHANGE_FAILED:
    'TikTok did not complete the sign-in, so nothing was connected. Try again in a few minutes; if it keeps failing, contact Echo support with the time it happened.',
  PROFILE_FAILED:
    'TikTok did not give Echo the account’s profile, so nothing was connected. Try again in a few minutes.',
  SCOPES_MISSING:
    'The account is connected, but not every permission was granted, so Echo cannot read or answer its comments. Press Reconnect below and keep every permission selected on TikTok.',
};

export function IntegrationPage() {
  const s = useSession();
  const isAdmin = hasRole(s, 'admin');
  const canSee = hasRole(s, 'admin', 'agent');
  if (!canSee) {
    return <RoleRefused title="TikTok Integration" forWhom="admins and agents" />;
  }
  return (
    <>
      <h1>TikTok Integration</h1>
      <ReturnNotice />
      {isAdmin ? (
        <Policies />
      ) : (
        <p className="muted">
          You see the accounts shared with you. Connecting and managing accounts is for admins.
        </p>
      )}
      <ExistingIntegrations isAdmin={isAdmin} />
      {isAdmin && <PermissionSets />}
      <AddVideo />
      <Videos />
    </>
  );
}

/** Back from TikTok: `?connected=<id>` and/or `?error=CODE`, said in words. */
function ReturnNotice() {
  const { query } = useLocation();
  const integrations = useIntegrations();
  const connected = query.get('connected');
  const error = query.get('error');
  if (!connected && !error) return null;
  const account: Integration | undefined = integrations.data?.items.find((i) => i.id === connected);
  const dismiss = () => navigate('/integrations/tiktok', { replace: true });
  const errorText = error
    ? (RETURN_ERRORS[error] ??
      `Connecting did not complete (${error}). Press the accept button below to try again.`)
    : null;
  return (
    <div
      className={`notice ${error ? 'notice-error' : 'notice-success'}`}
      role={error ? 'alert' : 'status'}
    >
      {connected && !error && (
        <p>
          {account ? (
            <>
              <strong>{accountName(account)}</strong> is connected. Its videos and comments are
              being imported; add it to a permission set so that your staff can see it.
            </>
          ) : (
            'The account is connected.'
          )}
        </p>
      )}
      {errorText && <p>{account ? `${accountName(account)}: ${errorText}` : errorText}</p>}
      <button type="button" className="secondary" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

function Policies() {
  const policies = usePolicies(true);
  const connect = useConnect();
  return (
    <section aria-labelledby="policies-heading" className="card">
      <h2 id="policies-heading">Policies</h2>
      <p>
        Read TikTok&apos;s and Echo Global&apos;s terms and privacy policies before connecting a
        TikTok account.
      </p>
      {policies.isPending && <Loading what="the policies" />}
      <ErrorMessage error={policies.error} prefix="The policies could not be loaded." />
      {policies.data && (
        <>
          <ul className="policies">
            {policies.data.policies.map((p) => (
              <li key={p.id}>
                <a href={p.url} target="_blank" rel="noopener noreferrer">
                  {p.title}
                </a>{' '}
                <span className="muted">(version {p.version})</span>
              </li>
            ))}
          </ul>
          <ErrorMessage error={connect.error} prefix="Could not start connecting." />
          <button
            type="button"
            onClick={() => connect.mutate(policies.data.policyVersion)}
            disabled={connect.isPending}
          >
            I have read and accept all policies above for both TikTok and Echo Global
          </button>
          {connect.isPending && (
            <p role="status" className="muted">
              Opening TikTok…
            </p>
          )}
        </>
      )}
    </section>
  );
}
