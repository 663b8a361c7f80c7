import type { Actor } from '@shared/event-log/event.types';
import {
  permissionSetChanged,
  permissionSetCreated,
  permissionSetDeleted,
  type PermissionSetChange,
} from '../contracts';
import { PermissionSetNameInvalidError } from './permission-set.errors';

export const PERMISSION_SET_NAME_MAX = 100;

/** An event the set recorded, to be appended to the log in the transaction that saves the set. */
export type PermissionSetRecordedEvent = ReturnType<
  typeof permissionSetCreated | typeof permissionSetChanged | typeof permissionSetDeleted
>;

/** What the repository stores and gives back. Lists keep the order they were loaded in. */
export interface PermissionSetState {
  id: string;
  name: string;
  integrationIds: string[];
  memberIds: string[];
}

/**
 * A permission set: a named group of users (token subs) who may see a group of the tenant's
 * integrations. Each change records its `permissions.set.*` event; a change that changes
 * nothing (adding a member twice, renaming to the same name) records none, which makes every
 * PUT/DELETE of the API idempotent. Name uniqueness spans sets, so it is the repository's
 * (the database's unique constraint), not this class's.
 */
export class PermissionSet {
  private readonly events: PermissionSetRecordedEvent[] = [];
  private deleted = false;

  private constructor(
    readonly id: string,
    private currentName: string,
    private readonly integrations: string[],
    private readonly members: string[],
  ) {}

  /** A new, empty set; records `permissions.set.created`. */
  static create(id: string, name: string, actor: Actor): PermissionSet {
    const set = new PermissionSet(id, PermissionSet.validName(name), [], []);
    set.recordEvent(permissionSetCreated(actor, { permissionSetId: id, name: set.currentName }));
    return set;
  }

  /** A stored set, as the repository loaded it (records nothing). */
  static restore(state: PermissionSetState): PermissionSet {
    return new PermissionSet(state.id, state.name, [...state.integrationIds], [...state.memberIds]);
  }

  /** Trimmed; 1–100 characters (code points), as API.md says. */
  static validName(name: string): string {
    const trimmed = name.trim();
    const length = [...trimmed].length;
    if (length < 1 || length > PERMISSION_SET_NAME_MAX) throw new PermissionSetNameInvalidError();
    return trimmed;
  }

  get name(): string {
    return this.currentName;
  }

  get state(): PermissionSetState {
    return {
      id: this.id,
      name: this.currentName,
      integrationIds: [...this.integrations],
      memberIds: [...this.members],
    };
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  rename(name: string, actor: Actor): void {
    this.assertNotDeleted();
    const to = PermissionSet.validName(name);
    if (to === this.currentName) return;
    const from = this.currentName;
    this.currentName = to;
    this.changed(actor, { kind: 'renamed', from, to });
  }

  /** Records `permissions.set.deleted` with what the set held, so the log alone tells who lost access to what. */
  delete(actor: Actor): void {
    this.assertNotDeleted();
    this.deleted = true;
    this.recordEvent(
      permissionSetDeleted(actor, {
        permissionSetId: this.id,
        name: this.currentName,
        integrationIds: [...this.integrations],
        memberIds: [...this.members],
      }),
    );
  }

  addIntegration(integrationId: string, actor: Actor): void {
    this.assertNotDeleted();
    if (this.integrations.includes(integrationId)) return;
    this.integrations.push(integrationId);
    this.changed(actor, { kind: 'integration-added', integrationId });
  }

  removeIntegration(integrationId: string, actor: Actor): void {
    this.assertNotDeleted();
    if (!remove(this.integrations, integrationId)) return;
    this.changed(actor, { kind: 'integration-removed', integrationId });
  }

  addMember(userId: string, actor: Actor): void {
    this.assertNotDeleted();
    if (this.members.includes(userId)) return;
    this.members.push(userId);
    this.changed(actor, { kind: 'member-added', userId });
  }

  removeMember(userId: string, actor: Actor): void {
    this.assertNotDeleted();
    if (!remove(this.members, userId)) return;
    this.changed(actor, { kind: 'member-removed', userId });
  }

  /** The events recorded since the last call, oldest first; the handler appends them in its transaction. */
  pullEvents(): PermissionSetRecordedEvent[] {
    return this.events.splice(0);
  }

  /** Whether changes wait to be saved (recorded and not yet pulled). */
  get hasChanges(): boolean {
    return this.events.length > 0;
  }

  private changed(actor: Actor, change: PermissionSetChange): void {
    this.recordEvent(permissionSetChanged(actor, { permissionSetId: this.id, ...change }));
  }

  private recordEvent(event: PermissionSetRecordedEvent): void {
    this.events.push(event);
  }

  private assertNotDeleted(): void {
    // a programming error (handlers load sets afresh), not a client's
    if (this.deleted) throw new Error(`permission set ${this.id} is deleted`);
  }
}

function remove(list: string[], value: string): boolean {
  const i = list.indexOf(value);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
