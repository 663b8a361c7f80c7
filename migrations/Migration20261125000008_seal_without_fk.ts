import { Migration } from '@mikro-orm/migrations';

/**
 * `event_seal.event_id` no longer references `event_log`. The foreign key's check took a key-share
 * lock on every sealed event, which rewrites that event's row header (a heap write and a WAL
 * record per event, on the busiest table, just after it was written): about a tenth of the
 * database's work during a backfill (bench/sync-backfill). What it guarded is held otherwise:
 * the sealer seals only events it has just read from `event_log` (joined to its pending queue),
 * and an event can never be deleted (`event_log_guard`, owned by the audit owner). One seal per
 * event stays enforced by the unique index on `event_id`, and `GET /events/verify` still proves
 * every seal against its event.
 */
export class Migration20261125000008SealWithoutFk extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table event_seal drop constraint event_seal_event_id_fkey`);
  }
}
