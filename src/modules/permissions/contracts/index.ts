import type { Actor, NewEvent } from '@shared/event-log/event.types';

/**
 * The permissions module's public surface: the `permissions.set.*` events it writes to the log,
 * one typed builder per payload (nothing else builds them). The access-scope queries it answers
 * are the platform's (`@shared/auth/access-scope`) and `ListPermissionSetIdsByIntegrationQuery`
 * is integrations' (`@modules/integrations/contracts`): no module imports permissions for them.
 */

/** A stored event whose `type` and `data` are known (what a builder returns). */
export type PermissionSetEvent<TType extends string, TData extends Record<string, unknown>> = Omit<
  NewEvent,
  'type' | 'data'
> & {
  type: TType;
  data: TData;
};

export const PERMISSION_SET_CREATED = 'permissions.set.created';
export const PERMISSION_SET_CHANGED = 'permissions.set.changed';
export const PERMISSION_SET_DELETED = 'permissions.set.deleted';

/** `data` of `permissions.set.created`. */
export type PermissionSetCreatedData = { permissionSetId: string; name: string };

/** What changed in a set (`kind`), with the fields of that kind. */
export type PermissionSetChange =
  | { kind: 'renamed'; from: string; to: string }
  | { kind: 'integration-added' | 'integration-removed'; integrationId: string }
  | { kind: 'member-added' | 'member-removed'; userId: string };

/** `data` of `permissions.set.changed`. */
export type PermissionSetChangedData = { permissionSetId: string } & PermissionSetChange;

/** `data` of `permissions.set.deleted`: what the set was, so the log alone says who lost access. */
export type PermissionSetDeletedData = {
  permissionSetId: string;
  name: string;
  integrationIds: string[];
  memberIds: string[];
};

function subject(permissionSetId: string) {
  return { type: 'permission-set', id: permissionSetId };
}

export function permissionSetCreated(
  actor: Actor,
  data: PermissionSetCreatedData,
): PermissionSetEvent<typeof PERMISSION_SET_CREATED, PermissionSetCreatedData> {
  return { type: PERMISSION_SET_CREATED, actor, subject: subject(data.permissionSetId), data };
}

/** An integration change carries the integration, so `GET /events?integrationId=` finds it. */
export function permissionSetChanged(
  actor: Actor,
  data: PermissionSetChangedData,
): PermissionSetEvent<typeof PERMISSION_SET_CHANGED, PermissionSetChangedData> {
  return {
    type: PERMISSION_SET_CHANGED,
    actor,
    subject: subject(data.permissionSetId),
    data,
    integrationId: 'integrationId' in data ? data.integrationId : null,
  };
}

export function permissionSetDeleted(
  actor: Actor,
  data: PermissionSetDeletedData,
): PermissionSetEvent<typeof PERMISSION_SET_DELETED, PermissionSetDeletedData> {
  return { type: PERMISSION_SET_DELETED, actor, subject: subject(data.permissionSetId), data };
}
