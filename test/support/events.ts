import type { Database } from '@shared/database/database';
import type { EventLog } from '@shared/event-log/event-log';
import type { NewEvent } from '@shared/event-log/event.types';

/** A plain test event (`test.thing.happened`), numbered so assertions can find it. */
export function testEvent(n: number, extra: Partial<NewEvent> = {}): NewEvent {
  return {
    type: 'test.thing.happened',
    actor: { type: 'user', id: `user-${n % 7}` },
    subject: { type: 'thing', id: `thing-${n}` },
    data: { n, text: `event ${n} ünïcödé 😀`, nested: { b: [1, 2.5, null, true], a: 'x' } },
    ...extra,
  };
}

/** Appends events for a tenant through the real path (one transaction). Returns their ids. */
export function appendEvents(db: Database, log: EventLog, tenant: string, events: NewEvent[]): Promise<string[]> {
  return db.inTenant(tenant, (tx) => log.append(tx, events));
}
