import {
  Controller,
  Get,
  Headers,
  Query,
  Res,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Subject } from 'rxjs';
import { scopeIncludes } from '@shared/auth/access-scope';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import { EventLogReader } from '@shared/event-log/event-log-reader';
import { resumeAfter, streamSealedEvents } from '@shared/event-log/event-stream';
import type { SealedEvent } from '@shared/event-log/event.types';
import { Sealer } from '@shared/event-log/sealer';
import { ApiErrors } from '@shared/http/openapi';
import { CommentAccess } from '../application/access';
import { COMMENT_EVENTS } from '../domain/comment-events';
import { InboxStreamQueryDto } from './comments.dto';

/** Which inbox line a stored comment event becomes; the other types (reads, ...) are not sent. */
const KIND_OF: Readonly<Record<string, 'comment.received' | 'comment.changed'>> = {
  [COMMENT_EVENTS.received]: 'comment.received',
  [COMMENT_EVENTS.changed]: 'comment.changed',
  [COMMENT_EVENTS.replyRequested]: 'comment.changed',
  [COMMENT_EVENTS.replied]: 'comment.changed',
  [COMMENT_EVENTS.posted]: 'comment.changed',
  [COMMENT_EVENTS.replyFailed]: 'comment.changed',
  [COMMENT_EVENTS.hidden]: 'comment.changed',
  [COMMENT_EVENTS.unhidden]: 'comment.changed',
  [COMMENT_EVENTS.deleted]: 'comment.changed',
};

const ids = (d: Record<string, unknown>) =>
  typeof d.commentId === 'string' &&
  typeof d.integrationId === 'string' &&
  typeof d.videoId === 'string'
    ? { commentId: d.commentId, integrationId: d.integrationId, videoId: d.videoId }
    : null;

/** API.md "Team inbox", "Live": ids and kinds only, never the text; the console reads the item through the audited routes. */
@ApiTags('comments')
@ApiBearerAuth()
@Roles('admin', 'agent')
@Controller('inbox')
export class InboxStreamController implements BeforeApplicationShutdown {
  private closing = false;
  private readonly closing$ = new Subject<void>();

  constructor(
    private readonly reader: EventLogReader,
    private readonly sealer: Sealer,
    private readonly access: CommentAccess,
  ) {}

  beforeApplicationShutdown(): void {
    this.closing = true;
    this.closing$.next();
  }

  @Get('stream')
  @ApiOperation({
    operationId: 'streamInbox',
    summary:
      'Server-Sent Events about the comments the caller may see (ids and kinds only, never the text)',
    description:
      'event: inbox, data: {kind, commentId, integrationId, videoId}; id: the position in the event log of the event that caused it. ' +
      'Without after or Last-Event-ID it starts at the newest event (live only). Resumable with Last-Event-ID. Needs the bearer header like every route (browsers use a fetch-based SSE client).',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'resume after this position (wins over ?after)',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  })
  @ApiOkResponse({
    description: 'an endless event stream',
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          description:
            'id: <position>\nevent: inbox\ndata: {"kind":"comment.received"|"comment.changed","commentId","integrationId","videoId"}\n\n',
        },
      },
    },
  })
  @ApiErrors({ 400: 'VALIDATION_FAILED: after or Last-Event-ID is not a position' })
  async stream(
    @User() user: CurrentUser,
    @Query() q: InboxStreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await streamSealedEvents(reply, {
      reader: this.reader,
      sealed$: this.sealer.sealed$,
      closing$: this.closing$,
      isClosing: () => this.closing,
      tenant: user.tenant,
      // a live feed: without a position, from now on (the console reads the list itself first)
      after: resumeAfter(q.after, lastEventId) ?? (await this.reader.headSeq(user.tenant)),
      render: (batch) => this.render(user, batch),
    });
  }

  private async render(user: CurrentUser, batch: SealedEvent[]): Promise<string[]> {
    const lines = batch.flatMap((e) => {
      const kind = KIND_OF[e.type];
      const item = kind && ids(e.data);
      return item ? [{ seq: e.seq, kind, ...item }] : [];
    });
    if (lines.length === 0) return [];
    // asked again for every batch: sharing an integration with an agent (or unsharing it) shows at once
    const scope = await this.access.scope(user);
    return lines
      .filter((l) => scopeIncludes(scope, l.integrationId))
      .map(({ seq, ...data }) => `id: ${seq}\nevent: inbox\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
