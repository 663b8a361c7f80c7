import { Controller, Get, Headers, Query, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@shared/http/openapi';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Subject } from 'rxjs';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';
import { Roles, User } from '@shared/auth/decorators';
import type { CurrentUser } from '@shared/auth/current-user';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { EventLogReader } from '@shared/event-log/event-log-reader';
import { Sealer } from '@shared/event-log/sealer';
import { resumeAfter, streamSealedEvents } from '@shared/event-log/event-stream';
import { decodeCursor, encodeCursor, type Page } from '@shared/http/cursor';
import type { SealedEvent } from '@shared/event-log/event.types';
import { CheckpointsQueryDto, ExportEventsQueryDto, ListEventsQueryDto, StreamEventsQueryDto } from './events.dto';
import { CheckpointListResponse, EventListResponse, VerifyResultResponse } from './events.responses';

const isSeqCursor = (v: Record<string, unknown>): v is { s: number } => Number.isInteger(v.s) && (v.s as number) >= 0;
const isIdCursor = (v: Record<string, unknown>): v is { i: number } => Number.isInteger(v.i) && (v.i as number) > 0;

/** The tenant's event log for auditors and admins. */
@ApiTags('events')
@ApiBearerAuth()
@Roles('admin', 'auditor')
@Controller('events')
export class EventsController implements BeforeApplicationShutdown {
  private closing = false;
  private readonly closing$ = new Subject<void>();

  constructor(
    private readonly reader: EventLogReader,
    private readonly eventLog: EventLog,
    private readonly db: Database,
    private readonly sealer: Sealer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Open streams end first, so the server can close. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    this.closing$.next();
  }

  @Get()
  @ApiOperation({ operationId: 'listEvents', summary: 'The tenant’s events, oldest first by seq' })
  @ApiOkResponse({ type: EventListResponse })
  @ApiErrors({ 400: 'VALIDATION_FAILED: a bad filter, limit outside 1–200, or a bad cursor' })
  async list(@User() user: CurrentUser, @Query() q: ListEventsQueryDto): Promise<Page<SealedEvent>> {
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor, isSeqCursor)?.s ?? 0;
    const items = await this.reader.page(user.tenant, { ...q, afterSeq: after }, limit + 1);
    const more = items.length > limit;
    const page = items.slice(0, limit);
    return { items: page, nextCursor: more ? encodeCursor({ s: page.at(-1)!.seq }) : null };
  }

  @Get('verify')
  @ApiOperation({ operationId: 'verifyEvents', summary: 'Recompute the tenant’s hash chain and check it against the signed checkpoints' })
  @ApiOkResponse({ type: VerifyResultResponse })
  verify(@User() user: CurrentUser) {
    return this.reader.verify(user.tenant);
  }

  @Get('checkpoints')
  @ApiOperation({ operationId: 'listCheckpoints', summary: 'The signed checkpoints of the tenant’s chain, newest first' })
  @ApiOkResponse({ type: CheckpointListResponse })
  @ApiErrors({ 400: 'VALIDATION_FAILED: limit outside 1–200, or a bad cursor' })
  async checkpoints(@User() user: CurrentUser, @Query() q: CheckpointsQueryDto) {
    const limit = q.limit ?? 50;
    const before = decodeCursor(q.cursor, isIdCursor)?.i;
    const rows = await this.reader.checkpoints(user.tenant, before, limit + 1);
    const page = rows.slice(0, limit);
    return {
      publicKey: this.config.audit.publicKeySpkiBase64,
      items: page.map(({ id: _id, ...c }) => c),
      nextCursor: rows.length > limit ? encodeCursor({ i: page.at(-1)!.id }) : null,
    };
  }

  /** Streamed NDJSON, read in pages (no long transaction). The export itself is recorded. */
  @Get('export')
  @ApiOperation({ operationId: 'exportEvents', summary: 'Every event of the tenant as NDJSON, streamed (the export is recorded)' })
  @ApiOkResponse({
    description: 'one Event (JSON) a line',
    content: { 'application/x-ndjson': { schema: { type: 'string', description: 'lines of Event JSON' } } },
  })
  @ApiErrors({ 400: 'VALIDATION_FAILED: from or to is not a time' })
  async export(@User() user: CurrentUser, @Query() q: ExportEventsQueryDto, @Res() reply: FastifyReply): Promise<void> {
    await this.db.inTenant(user.tenant, (tx) =>
      this.eventLog.append(tx, {
        type: 'audit.events.exported',
        actor: { type: 'user', id: user.id },
        subject: { type: 'event-log', id: user.tenant },
        data: { from: q.from?.toISOString() ?? null, to: q.to?.toISOString() ?? null },
      }),
    );
    const reader = this.reader;
    async function* lines(): AsyncGenerator<string> {
      let after = 0;
      for (;;) {
        const batch = await reader.page(user.tenant, { from: q.from, to: q.to, afterSeq: after }, 1000);
        if (batch.length === 0) return;
        yield batch.map((e) => JSON.stringify(e)).join('\n') + '\n';
        after = batch.at(-1)!.seq;
      }
    }
    void reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="events-${user.tenant}.ndjson"`)
      .send(Readable.from(lines()));
  }

  /**
   * Server-Sent Events from `after` (or `Last-Event-ID`), then new seals as they happen. Reads in
   * short transactions and waits on the sealer's hint or a poll tick, never inside a transaction.
   */
  @Get('stream')
  @ApiOperation({
    operationId: 'streamEvents',
    summary: 'Server-Sent Events of the tenant’s events from a seq on (id: seq, event: type, data: the Event)',
    description: 'Resumable with Last-Event-ID. Needs the bearer header like every route (browsers use a fetch-based SSE client).',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this seq (wins over ?after)', schema: { type: 'string', pattern: '^[0-9]+$' } })
  @ApiOkResponse({
    description: 'an endless event stream',
    content: { 'text/event-stream': { schema: { type: 'string', description: 'id: <seq>\nevent: <type>\ndata: <Event JSON>\n\n' } } },
  })
  @ApiErrors({ 400: 'VALIDATION_FAILED: after or Last-Event-ID is not a seq' })
  async stream(
    @User() user: CurrentUser,
    @Query() q: StreamEventsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await streamSealedEvents(reply, {
      reader: this.reader,
      sealed$: this.sealer.sealed$,
      closing$: this.closing$,
      isClosing: () => this.closing,
      tenant: user.tenant,
      after: resumeAfter(q.after, lastEventId) ?? 0,
      render: (batch) => batch.map((e) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`),
    });
  }
}
