import type { Tx } from '@shared/database/tx';
import type { PermissionSet, PermissionSetState } from './permission-set.aggregate';

/** A stored set as reads show it. */
export interface PermissionSetRecord extends PermissionSetState {
  createdAt: Date;
}

/** Injection token of the `PermissionSetRepositoryPort`. */
export const PERMISSION_SET_REPOSITORY = Symbol('PERMISSION_SET_REPOSITORY');

/**
 * Where permission sets live. Every method runs in the caller's tenant transaction (`tx`), so a
 * set and the events it recorded commit together. Lists come back ordered: sets by creation
 * (then id), a set's integrations by id, its members by user id.
 */
export interface PermissionSetRepositoryPort {
  /** The set, locked against concurrent changes until the transaction ends; null when the tenant has no such set. */
  load(tx: Tx, id: string): Promise<PermissionSet | null>;
  /** Stores a new set; false (nothing stored) when another set of the tenant has its name. */
  insert(tx: Tx, set: PermissionSet): Promise<boolean>;
  /** Writes a loaded set's name, integrations and members; false when another set of the tenant has its name. */
  save(tx: Tx, set: PermissionSet): Promise<boolean>;
  /** Deletes the set with its integrations and members. */
  delete(tx: Tx, set: PermissionSet): Promise<void>;

  /** One set for reading (not locked), or null. */
  find(tx: Tx, id: string): Promise<PermissionSetRecord | null>;
  /** Every set of the tenant. */
  list(tx: Tx): Promise<PermissionSetRecord[]>;
  /** The integrations shared with a user by every set they belong to (distinct). */
  integrationIdsSharedWith(tx: Tx, userId: string): Promise<string[]>;
  /** Whether a set the user belongs to shares the integration. */
  isSharedWith(tx: Tx, userId: string, integrationId: string): Promise<boolean>;
  /** `(integration, set)` pairs for the given integrations, ordered by set id. */
  setIdsByIntegration(
    tx: Tx,
    integrationIds: readonly string[],
  ): Promise<{ integrationId: string; setId: string }[]>;
}
