import { Module } from '@nestjs/common';
import { EventsController } from './api/events.controller';

/** Auditors' and admins' window on the event log (the log itself lives in shared/event-log). */
@Module({ controllers: [EventsController] })
export class AuditModule {}
