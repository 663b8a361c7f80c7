import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { TokenCipher, tokenAad } from '@shared/crypto/token-cipher';
import { TIKTOK_API, type TikTokApi, type TikTokAuth, type TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { IngestCommentsCommand } from '@modules/comments/contracts';
import { UpsertVideosCommand } from '@modules/videos/contracts';
import type { RunningSimulator, SimComment } from '../../src/sandbox/tiktok-simulator';
import type { TestApp } from '../support/app';

/** A connected account as the inbox tests need it. */
export interface SeededIntegration {
  id: string;
  tenant: string;
  openId: string;
  username: string;
  auth: TikTokAuth;
}

/**
 * Inserts an active integration with real simulator tokens (encrypted as the service stores
 * them), skipping the OAuth flow that test/integrations covers.
 */
export async function seedIntegration(
  t: TestApp,
  sim: RunningSimulator,
  opts: { tenant?: string; username?: string; status?: 'active' | 'reauth_required' | 'disconnected' } = {},
): Promise<SeededIntegration> {
  const tenant = opts.tenant ?? 'acme';
  const username = opts.username ?? `acct_${randomUUID().slice(0, 8)}`;
  const account = sim.control.addAccount({ username, displayName: `${username} display` });
  const tokens = sim.control.grantTokens(account.openId);
  const id = randomUUID();
  const cipher = new TokenCipher(t.config);
  await t.db.inTenant(tenant, async (tx) => {
    await tx.run(
      `insert into tiktok_integration (tenant_id, id, open_id, username, display_name, status, granted_scopes, connected_at, connected_by)
       values ($1, $2, $3, $4, $5, $6, $7::text[], now(), 'seed')`,
      [tenant, id, account.openId, username, account.displayName, opts.status ?? 'active', tokens.scopes],
    );
    await tx.run(
      `insert into tiktok_token (tenant_id, integration_id, access_token_enc, refresh_token_enc, key_id, access_expires_at, refresh_expires_at)
       values ($1, $2, $3, $4, $5, now() + interval '1 day', now() + interval '300 days')`,
      [
        tenant,
        id,
        cipher.encrypt(tokens.accessToken, tokenAad(tenant, id, 'access')),
        cipher.encrypt(tokens.refreshToken, tokenAad(tenant, id, 'refresh')),
        cipher.currentKeyId,
      ],
    );
  });
  return { id, tenant, openId: account.openId, username, auth: { accessToken: tokens.accessToken, openId: account.openId } };
}

/** Adds a video at the simulator and stores it through the videos contract; returns its Echo id. */
export async function seedVideo(
  t: TestApp,
  sim: RunningSimulator,
  i: SeededIntegration,
  opts: { caption?: string; createTime?: number } = {},
): Promise<{ id: string; tiktokVideoId: string }> {
  const v = sim.control.addVideo(i.openId, { caption: opts.caption ?? 'a video', createTime: opts.createTime });
  const res = await t.app.get(CommandBus).execute(
    new UpsertVideosCommand(i.tenant, i.id, [
      { itemId: v.itemId, caption: v.caption, createTime: new Date(v.createTime * 1000), shareUrl: v.shareUrl, thumbnailUrl: v.thumbnailUrl, comments: 0 },
    ]),
  );
  const stored = await t.db.inTenant(i.tenant, (tx) =>
    tx.one<{ id: string }>('select id from tiktok_video where integration_id = $1 and tiktok_video_id = $2', [i.id, v.itemId]),
  );
  expect(res.insertedIds).toEqual([stored!.id]);
  return { id: stored!.id, tiktokVideoId: v.itemId };
}

/** TikTok's view of a simulator comment, as the client maps it. */
export function asTikTok(c: SimComment): TikTokComment {
  return {
    commentId: c.commentId,
    videoId: c.videoId,
    parentCommentId: c.parentCommentId ?? null,
    text: c.text,
    createTime: new Date(c.createTime * 1000),
    likes: c.likes,
    replies: 0,
    owner: c.owner,
    status: c.status,
    username: c.username,
    displayName: c.displayName,
    profileImage: c.profileImage,
    uniqueIdentifier: c.uniqueIdentifier,
  };
}

/**
 * Fans comment at the simulator, then the comments are read over real HTTP with the app's
 * TikTok client and stored through the ingest contract. Returns the Echo ids in creation order.
 */
export async function seedComments(
  t: TestApp,
  sim: RunningSimulator,
  i: SeededIntegration,
  video: { id: string; tiktokVideoId: string },
  inputs: { text: string; createTime?: number; parentCommentId?: string; owner?: boolean; username?: string }[],
): Promise<{ id: string; tiktokCommentId: string }[]> {
  const created = inputs.map((x) => sim.control.addComment(i.openId, video.tiktokVideoId, x));
  const api = t.app.get<TikTokApi>(TIKTOK_API);
  const listed = await api.getCommentsByIds(i.auth, video.tiktokVideoId, created.map((c) => c.commentId));
  expect(listed).toHaveLength(created.length);
  await t.app.get(CommandBus).execute(new IngestCommentsCommand(i.tenant, i.id, video.id, listed));
  const rows = await t.db.inTenant(i.tenant, (tx) =>
    tx.query<{ id: string; tiktok_comment_id: string }>(
      'select id, tiktok_comment_id from tiktok_comment where integration_id = $1 and tiktok_comment_id = any($2::text[])',
      [i.id, created.map((c) => c.commentId)],
    ),
  );
  const byTikTok = new Map(rows.map((r) => [r.tiktok_comment_id, r.id]));
  return created.map((c) => ({ id: byTikTok.get(c.commentId)!, tiktokCommentId: c.commentId }));
}

/** Puts an agent in a permission set that shares `integrationIds`. */
export async function shareWith(t: TestApp, tenant: string, userId: string, integrationIds: string[]): Promise<void> {
  const setId = randomUUID();
  await t.db.inTenant(tenant, async (tx) => {
    await tx.run('insert into permission_set (tenant_id, id, name) values ($1, $2, $3)', [tenant, setId, `set-${setId.slice(0, 8)}`]);
    for (const id of integrationIds) {
      await tx.run('insert into permission_set_integration (tenant_id, set_id, integration_id) values ($1, $2, $3)', [tenant, setId, id]);
    }
    await tx.run('insert into permission_set_member (tenant_id, set_id, user_id) values ($1, $2, $3)', [tenant, setId, userId]);
  });
}

/** Events of a type, oldest first, straight from the log (unsealed ones too). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- event payloads are asserted field by field
export async function eventsOf(t: TestApp, tenant: string, type: string): Promise<{ actor: { id: string }; subject: { type: string; id: string }; data: Record<string, any> }[]> {
  return t.db.inTenant(tenant, (tx) =>
    tx.query(`select actor, subject, data from event_log where type = $1 order by recorded_at, id`, [type]),
  );
}
