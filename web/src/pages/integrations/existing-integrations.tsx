import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, ok, shape } from '../../api/client';
import type { Integration, IntegrationStatus, PermissionSet } from '../../api/contract';
import { ErrorMessage, Loading } from '../../components/error-message';
import { formatCount, formatDateTime } from '../../components/format';
import { Picture } from '../../components/picture';
import {
  accountName,
  keys,
  useConnect,
  useIntegrations,
  usePermissionSets,
  usePolicies,
} from './queries';

const STATUS_WORDS: Record<IntegrationStatus, string> = {
  active: 'Active',
  reauth_required: 'Needs reconnecting',
  disconnected: 'Disconnected',
};

const STAGE_WORDS: Record<Integration['sync']['stage'], string> = {
  backfill: 'importing history',
  live: 'live',
  paused: 'paused',
};

export function ExistingIntegrations({ isAdmin }: { isAdmin: boolean }) {
  const integrations = useIntegrations();
  const sets = usePermissionSets(isAdmin);
  return (
    <section aria-labelledby="existing-heading" className="card">
      <h2 id="existing-heading">Existing Integrations</h2>
      {integrations.isPending && <Loading what="the connected accounts" />}
      <ErrorMessage
        error={integrations.error}
        prefix="The connected accounts could not be loaded."
      />
      {integrations.data && integrations.data.items.length === 0 && (
        <p className="muted">
          {isAdmin
            ? 'No TikTok account is connected yet. Accept the policies above to connect one.'
            : 'No TikTok account is shared with you yet.'}
        </p>
      )}
      <ul className="integrations">
        {integrations.data?.items.map((i) => (
          <IntegrationRow
            key={i.id}
            integration={i}
            isAdmin={isAdmin}
            sets={sets.data?.items ?? []}
          />
        ))}
      </ul>
    </section>
  );
}

function IntegrationRow({
  integration: i,
  isAdmin,
  sets,
}: {
  integration: Integration;
  isAdmin: boolean;
  sets: PermissionSet[];
}) {
  const name = accountName(i);
  const queryClient = useQueryClient();
  const [confirm, setConfirm] = useState<'disconnect' | 'reconnect' | null>(null);
  const [synced, setSynced] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.integrations });
  const sync = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/v1/integrations/tiktok/{id}/sync', { params: { path: { id: i.id } } }),
        shape<unknown>(),
      ),
    onSuccess: () => {
      setSynced(true);
      void refresh();
    },
  });
  const disconnect = useMutation({
    mutationFn: () =>
      ok(
        api.DELETE('/api/v1/integrations/tiktok/{id}', { params: { path: { id: i.id } } }),
        shape<unknown>(),
      ),
    onSuccess: () => {
      setConfirm(null);
      void refresh();
    },
  });
  const headingId = useId();
  const s = i.sync;
  return (
    <li className="integration" aria-labelledby={headingId}>
      <div className="integration-head">
        <Picture className="avatar" src={i.avatarUrl} width={48} height={48} />
        <div>
          <h3 id={headingId}>{name}</h3>
          <p className="muted">{i.displayName}</p>
        </div>
        <p className={`status status-${i.status}`}>Status: {STATUS_WORDS[i.status]}</p>
      </div>
      <dl className="sync">
        <div>
          <dt>Sync</dt>
          <dd>{STAGE_WORDS[s.stage]}</dd>
        </div>
        <div>
          <dt>Videos</dt>
          <dd>
            {formatCount(s.videosBackfilled)} of {formatCount(s.videosKnown)} imported
          </dd>
        </div>
        <div>
          <dt>Comments</dt>
          <dd>{formatCount(s.commentsStored)}</dd>
        </div>
        <div>
          <dt>Last synced</dt>
          <dd>{formatDateTime(i.lastSyncedAt)}</dd>
        </div>
        {s.webhookHealthy !== undefined && s.webhookHealthy !== null && (
          <div>
            <dt>Webhooks</dt>
            <dd>{s.webhookHealthy ? 'arriving' : 'not arriving'}</dd>
          </div>
        )}
      </dl>
      {i.lastSyncError && (
        <p className="notice notice-error">The last sync failed: {i.lastSyncError}</p>
      )}
      {i.missingScopes.length > 0 && (
        <p className="notice notice-error">
          Permissions not granted: {i.missingScopes.join(', ')}. Reconnect and keep them all
          selected.
        </p>
      )}
      {isAdmin && (
        <div className="actions">
          <button
            type="button"
            className="secondary"
            onClick={() => setConfirm('reconnect')}
            aria-label={`Reconnect ${name}`}
          >
            Reconnect
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => sync.mutate()}
            disabled={i.status !== 'active' || sync.isPending}
            aria-label={`Sync now ${name}`}
          >
            Sync now
          </button>
          {i.status !== 'disconnected' && (
            <button
              type="button"
              className="danger"
              onClick={() => setConfirm('disconnect')}
              aria-label={`Disconnect ${name}`}
            >
              Disconnect
            </button>
          )}
        </div>
      )}
      {synced && !sync.error && (
        <p role="status" className="muted">
          A sync of {name} was requested.
        </p>
      )}
      <ErrorMessage error={sync.error} prefix={`Could not sync ${name}.`} />
      {confirm === 'disconnect' && (
        <div className="confirm" role="group" aria-label={`Confirm disconnecting ${name}`}>
          <p>
            Disconnect {name}? New comments stop arriving and replies can no longer be sent. Its
            videos, comments and history stay in Echo.
          </p>
          <button
            type="button"
            className="danger"
            onClick={() => disconnect.mutate()}
            disabled={disconnect.isPending}
          >
            Yes, disconnect {name}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirm(null)}>
            Cancel
          </button>
          <ErrorMessage error={disconnect.error} prefix={`Could not disconnect ${name}.`} />
        </div>
      )}
      {confirm === 'reconnect' && (
        <ConfirmReconnect name={name} onCancel={() => setConfirm(null)} />
      )}
      {isAdmin && <AddToPermissionSet integration={i} sets={sets} />}
    </li>
  );
}

/** Reconnecting is the connect flow again: the same policies are accepted, on purpose. */
function ConfirmReconnect({ name, onCancel }: { name: string; onCancel: () => void }) {
  const policies = usePolicies(true);
  const connect = useConnect();
  return (
    <div className="confirm" role="group" aria-label={`Confirm reconnecting ${name}`}>
      <p>
        Reconnecting {name} asks TikTok for access again. Continuing accepts the policies listed
        above.
      </p>
      <button
        type="button"
        onClick={() => policies.data && connect.mutate(policies.data.policyVersion)}
        disabled={!policies.data || connect.isPending}
      >
        Accept the policies and reconnect {name}
      </button>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
      <ErrorMessage
        error={policies.error ?? connect.error}
        prefix={`Could not reconnect ${name}.`}
      />
    </div>
  );
}

function AddToPermissionSet({
  integration: i,
  sets,
}: {
  integration: Integration;
  sets: PermissionSet[];
}) {
  const queryClient = useQueryClient();
  const candidates = sets.filter((s) => !s.integrationIds.includes(i.id));
  const [chosen, setChosen] = useState('');
  const selectId = useId();
  const name = accountName(i);
  const add = useMutation({
    mutationFn: (setId: string) =>
      ok(
        api.PUT('/api/v1/permission-sets/{id}/integrations/{integrationId}', {
          params: { path: { id: setId, integrationId: i.id } },
        }),
        shape<unknown>(),
      ),
    onSuccess: () => {
      setChosen('');
      void queryClient.invalidateQueries({ queryKey: keys.permissionSets });
      void queryClient.invalidateQueries({ queryKey: keys.integrations });
    },
  });
  const inSets = sets.filter((s) => s.integrationIds.includes(i.id));
  return (
    <div className="add-to-set">
      <p className="muted">
        {inSets.length
          ? `In permission sets: ${inSets.map((s) => s.name).join(', ')}.`
          : 'Not in any permission set: only admins see it.'}
      </p>
      {candidates.length > 0 && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen) add.mutate(chosen);
          }}
        >
          <label htmlFor={selectId}>Permission set for {name}</label>
          <select id={selectId} value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">Choose a permission set</option>
            {candidates.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          <button type="submit" disabled={!chosen || add.isPending}>
            Add to permission set
          </button>
        </form>
      )}
      <ErrorMessage error={add.error} prefix={`Could not add ${name} to the permission set.`} />
    </div>
  );
}
