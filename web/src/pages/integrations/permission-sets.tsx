import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ok, shape } from '../../api/client';
import type { Integration, PermissionSet } from '../../api/contract';
import { ErrorMessage, Loading } from '../../components/error-message';
import { accountName, keys, useIntegrations, usePermissionSets } from './queries';

/** Permission sets: which agents see which accounts (admins only). */
export function PermissionSets() {
  const sets = usePermissionSets(true);
  const integrations = useIntegrations();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const nameId = useId();
  const create = useMutation({
    mutationFn: (n: string) =>
      ok(api.POST('/api/v1/permission-sets', { body: { name: n } }), shape<PermissionSet>()),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: keys.permissionSets });
    },
  });
  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate(name.trim());
  };
  return (
    <section aria-labelledby="sets-heading" className="card">
      <h2 id="sets-heading">Permission sets</h2>
      <p className="muted">Agents see the accounts of the permission sets they are members of.</p>
      <form className="inline" onSubmit={onCreate}>
        <label htmlFor={nameId}>New permission set name</label>
        <input
          id={nameId}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          autoComplete="off"
        />
        <button type="submit" disabled={!name.trim() || create.isPending}>
          Create permission set
        </button>
      </form>
      <ErrorMessage error={create.error} prefix="Could not create the permission set." />
      {sets.isPending && <Loading what="the permission sets" />}
      <ErrorMessage error={sets.error} prefix="The permission sets could not be loaded." />
      {sets.data && sets.data.items.length === 0 && <p className="muted">No permission set yet.</p>}
      <ul className="sets">
        {sets.data?.items.map((s) => (
          <PermissionSetItem key={s.id} set={s} integrations={integrations.data?.items ?? []} />
        ))}
      </ul>
    </section>
  );
}

function PermissionSetItem({
  set,
  integrations,
}: {
  set: PermissionSet;
  integrations: Integration[];
}) {
  const queryClient = useQueryClient();
  const ids = { rename: useId(), account: useId(), member: useId(), heading: useId() };
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(set.name);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [account, setAccount] = useState('');
  const [member, setMember] = useState('');
  const done = () => {
    void queryClient.invalidateQueries({ queryKey: keys.permissionSets });
    void queryClient.invalidateQueries({ queryKey: keys.integrations });
  };
  const path = { id: set.id };
  const change = useMutation({
    mutationFn: async (
      op:
        | { kind: 'rename'; name: string }
        | { kind: 'delete' }
        | { kind: 'add-account' | 'remove-account'; integrationId: string }
        | { kind: 'add-member' | 'remove-member'; userId: string },
    ) => {
      switch (op.kind) {
        case 'rename':
          return ok(
            api.PATCH('/api/v1/permission-sets/{id}', {
              params: { path },
              body: { name: op.name },
            }),
            shape<PermissionSet>(),
          );
        case 'delete':
          return ok(
            api.DELETE('/api/v1/permission-sets/{id}', { params: { path } }),
            shape<unknown>(),
          );
        case 'add-account':
          return ok(
            api.PUT('/api/v1/permission-sets/{id}/integrations/{integrationId}', {
              params: { path: { ...path, integrationId: op.integrationId } },
            }),
            shape<unknown>(),
          );
        case 'remove-account':
          return ok(
            api.DELETE('/api/v1/permission-sets/{id}/integrations/{integrationId}', {
              params: { path: { ...path, integrationId: op.integrationId } },
            }),
            shape<unknown>(),
          );
        case 'add-member':
          return ok(
            api.PUT('/api/v1/permission-sets/{id}/members/{userId}', {
              params: { path: { ...path, userId: op.userId } },
            }),
            shape<unknown>(),
          );
        case 'remove-member':
          return ok(
            api.DELETE('/api/v1/permission-sets/{id}/members/{userId}', {
              params: { path: { ...path, userId: op.userId } },
            }),
            shape<unknown>(),
          );
      }
    },
    onSuccess: (_r, op) => {
      if (op.kind === 'rename') setRenaming(false);
      if (op.kind === 'add-account') setAccount('');
      if (op.kind === 'add-member') setMember('');
      done();
    },
  });
  const byId = new Map(integrations.map((i) => [i.id, i]));
  const addable = integrations.filter((i) => !set.integrationIds.includes(i.id));
  return (
    <li className="set" aria-labelledby={ids.heading}>
      <h3 id={ids.heading}>{set.name}</h3>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => setRenaming((r) => !r)}
          aria-expanded={renaming}
          aria-label={`Rename ${set.name}`}
        >
          Rename
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => setConfirmDelete(true)}
          aria-label={`Delete ${set.name}`}
        >
          Delete
        </button>
      </div>
      {renaming && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (newName.trim()) change.mutate({ kind: 'rename', name: newName.trim() });
          }}
        >
          <label htmlFor={ids.rename}>New name for {set.name}</label>
          <input
            id={ids.rename}
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
            maxLength={100}
          />
          <button type="submit" disabled={!newName.trim() || change.isPending}>
            Save name
          </button>
        </form>
      )}
      {confirmDelete && (
        <div className="confirm" role="group" aria-label={`Confirm deleting ${set.name}`}>
          <p>
            Delete the permission set {set.name}? Its members stop seeing its accounts (unless
            another set shows them).
          </p>
          <button
            type="button"
            className="danger"
            onClick={() => change.mutate({ kind: 'delete' })}
            disabled={change.isPending}
          >
            Yes, delete {set.name}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
            Cancel
          </button>
        </div>
      )}
      <h4>Accounts</h4>
      {set.integrationIds.length === 0 ? (
        <p className="muted">No account yet.</p>
      ) : (
        <ul aria-label={`Accounts in ${set.name}`}>
          {set.integrationIds.map((id) => {
            const i = byId.get(id);
            const label = i ? accountName(i) : 'an account';
            return (
              <li key={id}>
                {label}{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => change.mutate({ kind: 'remove-account', integrationId: id })}
                  aria-label={`Remove ${label} from ${set.name}`}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {addable.length > 0 && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (account) change.mutate({ kind: 'add-account', integrationId: account });
          }}
        >
          <label htmlFor={ids.account}>Account to add to {set.name}</label>
          <select id={ids.account} value={account} onChange={(e) => setAccount(e.target.value)}>
            <option value="">Choose an account</option>
            {addable.map((i) => (
              <option key={i.id} value={i.id}>
                {accountName(i)}
              </option>
            ))}
          </select>
          <button type="submit" disabled={!account || change.isPending}>
            Add account
          </button>
        </form>
      )}
      <h4>Members</h4>
      {set.memberIds.length === 0 ? (
        <p className="muted">No member yet.</p>
      ) : (
        <ul aria-label={`Members of ${set.name}`}>
          {set.memberIds.map((m) => (
            <li key={m}>
              {m}{' '}
              <button
                type="button"
                className="link"
                onClick={() => change.mutate({ kind: 'remove-member', userId: m })}
                aria-label={`Remove ${m} from ${set.name}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (member.trim()) change.mutate({ kind: 'add-member', userId: member.trim() });
        }}
      >
        <label htmlFor={ids.member}>User id to add to {set.name}</label>
        <input
          id={ids.member}
          value={member}
          onChange={(e) => setMember(e.target.value)}
          maxLength={200}
          autoComplete="off"
        />
        <button type="submit" disabled={!member.trim() || change.isPending}>
          Add member
        </button>
      </form>
      <ErrorMessage error={change.error} prefix={`Could not change ${set.name}.`} />
    </li>
  );
}
