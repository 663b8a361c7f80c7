import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUuid } from '@shared/database/uuid';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { Database } from '@shared/database/database';
import { NotFoundError } from '@shared/errors/domain-error';
import { TIKTOK_API, type TikTokApi } from '@shared/tiktok/tiktok-api.port';
import { CanAccessIntegrationQuery, type Caller } from '@shared/auth/access-scope';
import { GetIntegrationQuery, ImportVideoCommentsCommand, IntegrationNotActiveError, TIKTOK_ACCESS, type TikTokAccess } from '@modules/integrations/contracts';
import { FindVideoByTikTokIdQuery, UpsertVideosCommand } from '../../../contracts';
import { parseTikTokUrl } from '../../../domain/tiktok-url';
import type { VideoView } from '../../../domain/video';
import { InvalidVideoUrlError, VideoNotInAccountError } from './add-video-by-url.errors';
import { resolveShortLink } from './short-link-resolver';
import { VideoRepository } from '../../../infrastructure/video.repository';

const SHORT_LINK_TIMEOUT_MS = 5_000;

/**
 * `POST /integrations/tiktok/{id}/videos {url}`: parse (short links resolved), check with TikTok
 * that the account lists the video, store it as `source: "url"` (`tiktok.video.added`, by the
 * user), then import its comments in the background. The same video again answers the stored one.
 * Later syncs keep it: it is a stored video like any other (polled, reconciled).
 */
@Injectable()
export class AddVideoByUrl {
  private readonly log = new Logger('AddVideoByUrl');

  constructor(
    private readonly db: Database,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly videos: VideoRepository,
    @Inject(TIKTOK_ACCESS) private readonly access: TikTokAccess,
    @Inject(TIKTOK_API) private readonly api: TikTokApi,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(caller: Caller, integrationId: string, url: string): Promise<{ created: boolean; video: VideoView }> {
    if (!isUuid(integrationId)) throw new NotFoundError('Integration');
    const [integration, allowed] = await Promise.all([
      this.queries.execute(new GetIntegrationQuery(caller.tenant, integrationId)),
      this.queries.execute(new CanAccessIntegrationQuery(caller, integrationId)),
    ]);
    if (!integration || !allowed) throw new NotFoundError('Integration');
    if (integration.status !== 'active') throw new IntegrationNotActiveError(integration.status);

    const parsed = parseTikTokUrl(url);
    if (!parsed) throw new InvalidVideoUrlError();
    const tiktokVideoId =
      parsed.kind === 'video'
        ? parsed.videoId
        : await resolveShortLink(parsed.url, { shortLinkBase: this.config.tiktok.shortLinkBase, timeoutMs: SHORT_LINK_TIMEOUT_MS });
    if (!tiktokVideoId) throw new InvalidVideoUrlError();

    const existing = await this.queries.execute(new FindVideoByTikTokIdQuery(caller.tenant, integrationId, tiktokVideoId));
    if (existing && !existing.goneAt) return { created: false, video: await this.view(caller.tenant, existing.id) };

    const listed = await this.access.withAccess(caller.tenant, integrationId, (auth) => this.api.getVideosByIds(auth, [tiktokVideoId]));
    const video = listed.find((v) => v.itemId === tiktokVideoId);
    if (!video) throw new VideoNotInAccountError();
    const res = await this.commands.execute(new UpsertVideosCommand(caller.tenant, integrationId, [video], 'url', caller.userId));
    const stored = await this.queries.execute(new FindVideoByTikTokIdQuery(caller.tenant, integrationId, tiktokVideoId));
    if (!stored) throw new Error('video not stored');
    // Right after: not awaited, so a video with thousands of comments does not hold the request.
    // Should it fail, the video has never been reconciled, so the sync reconciles it first.
    this.commands.execute(new ImportVideoCommentsCommand(caller.tenant, integrationId, stored.id)).then(
      (r) => this.log.log({ msg: 'comments of added video imported', tenant: caller.tenant, integrationId, videoId: stored.id, newComments: r.newComments }),
      (err: unknown) => this.log.warn({ msg: 'comment import of added video failed; the sync will reconcile it', tenant: caller.tenant, integrationId, videoId: stored.id, err: (err as Error).message }),
    );
    return { created: res.insertedIds.length > 0, video: await this.view(caller.tenant, stored.id) };
  }

  private async view(tenant: string, id: string): Promise<VideoView> {
    const v = await this.db.inTenant(tenant, (tx) => this.videos.view(tx, id));
    if (!v) throw new NotFoundError('Video');
    return v;
  }
}
