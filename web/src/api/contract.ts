/**
 * Response shapes of API.md, used where the OpenAPI document does not describe a response yet.
 * `ApiData` prefers the generated type whenever the document has one, so once the complete
 * document is generated these names only fill gaps, and a disagreement shows as a type error.
 */

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: { field: string; message: string }[];
    requestId: string;
  };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Policy {
  id: string;
  title: string;
  url: string;
  version: string;
}

export interface Policies {
  policies: Policy[];
  policyVersion: string;
  scopes: string[];
  textLimit?: number;
}

export interface ConnectStarted {
  authorizeUrl: string;
  state: string;
  expiresAt: string;
}

export type IntegrationStatus = 'active' | 'reauth_required' | 'disconnected';

export interface Integration {
  id: string;
  tiktokAccountId: string;
  username: string | null;
  displayName: string;
  avatarUrl: string | null;
  status: IntegrationStatus;
  grantedScopes: string[];
  missingScopes: string[];
  connectedAt: string;
  connectedBy: string;
  lastSyncedAt: string | null;
  lastSyncError: string | null;
  sync: {
    stage: 'backfill' | 'live' | 'paused';
    videosKnown: number;
    videosBackfilled: number;
    commentsStored: number;
    nextRunAt: string | null;
    webhookHealthy?: boolean | null;
  };
  permissionSetIds: string[];
}

export interface PermissionSet {
  id: string;
  name: string;
  integrationIds: string[];
  memberIds: string[];
  createdAt: string;
}

export interface Video {
  id: string;
  integrationId: string;
  tiktokVideoId: string;
  url: string;
  caption: string;
  thumbnailUrl: string | null;
  postedAt: string;
  commentCount: number;
  lastCommentAt: string | null;
  source: 'sync' | 'url';
  addedAt: string;
  promoted?: boolean | null;
}

/** The generated response type when the document has one, else the contract's. */
export type ApiData<Generated, Contract> = [Generated] extends [never]
  ? Contract
  : unknown extends Generated
    ? Contract
    : [Generated] extends [undefined]
      ? Contract
      : Generated;

export interface Delivery {
  state: 'pending' | 'sent' | 'failed';
  error: string | null;
  postedBy: string;
}

export interface Comment {
  id: string;
  integrationId: string;
  videoId: string;
  tiktokCommentId: string | null;
  parentId: string | null;
  author: { username: string; displayName: string; avatarUrl: string | null };
  text: string;
  likeCount: number;
  replyCount: number;
  postedAt: string;
  fromAccount: boolean;
  hidden: boolean;
  deleted: boolean;
  delivery: Delivery | null;
}

export interface CommentThread extends Comment {
  replies: Comment[];
}

export interface Reply extends Comment {
  warnings?: { code: string; message: string }[];
}

export interface AuditEvent {
  seq: number;
  id: string;
  type: string;
  occurredAt: string;
  tenant: string;
  actor: { type: string; id: string };
  subject: { type: string; id: string };
  data: Record<string, unknown>;
  dataDigest: string;
  prevHash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  lastCheckpointSeq: number | null;
  redacted: number;
}

export interface Checkpoint {
  tenant: string;
  seq: number;
  hash: string;
  signedAt: string;
  signature: string;
}

export interface Checkpoints extends Page<Checkpoint> {
  publicKey: string;
}
