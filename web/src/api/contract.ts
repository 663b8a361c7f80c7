/**
 * Names for the generated schema's types (`schema.d.ts`, from the OpenAPI document; never written
 * by hand), for the console's props and state. `Page<T>` is the list envelope every list shares.
 */
import type { components } from './schema';

type Schemas = components['schemas'];

export type ApiErrorBody = Schemas['ErrorResponse'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Policy = Schemas['Policy'];
export type Policies = Schemas['Policies'];
export type ConnectStarted = Schemas['ConnectStarted'];
export type Integration = Schemas['Integration'];
export type IntegrationStatus = Integration['status'];
export type PermissionSet = Schemas['PermissionSet'];
export type Video = Schemas['Video'];
export type Delivery = Schemas['CommentDelivery'];
export type Comment = Schemas['Comment'];
export type CommentThread = Schemas['CommentWithReplies'];
export type Reply = Schemas['PostedComment'];
export type AuditEvent = Schemas['Event'];
export type VerifyResult = Schemas['VerifyResult'];
export type Checkpoint = Schemas['Checkpoint'];
export type Checkpoints = Schemas['CheckpointList'];

/** The generated response type when the document has one, else the contract's. */
export type ApiData<Generated, Contract> = [Generated] extends [never]
  ? Contract
  : unknown extends Generated
    ? Contract
    : [Generated] extends [undefined]
      ? Contract
      : Generated;
