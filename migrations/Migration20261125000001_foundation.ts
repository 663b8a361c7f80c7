import { Migration } from '@mikro-orm/migrations';
import { tenantRlsSql } from '../src/shared/database/rls';

/**
 * The event log: append-only events, a pending queue the sealer drains, insert-only seals that
 * give each tenant a gap-free seq and hash chain, signed checkpoints, and consumer bookkeeping.
 */
export class Migration20261125000001Foundation extends Migration {
  override async up(): Promise<void> {
    const sql = [
      `create extension if not exists pg_trgm`,
      `create table event_log (
        id uuid primary key,
        tenant_id text not null,
        type text not null,
        occurred_at timestamptz not null,
        actor jsonb not null,
        subject jsonb not null,
        data jsonb not null,
        data_digest text not null,
        integration_id uuid,
        recorded_at timestamptz not null default clock_timestamp()
      )`,
      `create index event_log_tenant_type_idx on event_log (tenant_id, type)`,
      `create index event_log_tenant_integration_idx on event_log (tenant_id, integration_id) where integration_id is not null`,
      `create index event_log_tenant_actor_idx on event_log (tenant_id, (actor->>'id'))`,
      // Queue of committed-but-unsealed events. Filled by a statement trigger so writers do one insert.
      `create table event_pending (
        n bigserial primary key,
        tenant_id text not null,
        event_id uuid not null
      )`,
      `create function event_log_enqueue() returns trigger language plpgsql as $$
       begin
         insert into event_pending (tenant_id, event_id) select tenant_id, id from new_rows;
         return null;
       end $$`,
      `create trigger event_log_enqueue after insert on event_log
         referencing new table as new_rows for each statement execute function event_log_enqueue()`,
      `create table event_seal (
        tenant_id text not null,
        seq bigint not null,
        event_id uuid not null unique references event_log (id),
        position bigint not null unique,
        prev_hash text not null,
        hash text not null,
        sealed_at timestamptz not null default clock_timestamp(),
        primary key (tenant_id, seq)
      )`,
      `create table event_chain_head (
        tenant_id text primary key,
        seq bigint not null,
        hash text not null,
        updated_at timestamptz not null default now()
      )`,
      `create table event_sealer_state (id int primary key check (id = 1), position bigint not null)`,
      `insert into event_sealer_state (id, position) values (1, 0)`,
      `create table event_checkpoint (
        id bigserial,
        tenant_id text not null,
        seq bigint not null,
        hash text not null,
        signed_at timestamptz not null,
        signature text not null,
        public_key text not null,
        primary key (tenant_id, id)
      )`,
      `create index event_checkpoint_tenant_seq_idx on event_checkpoint (tenant_id, seq desc)`,
      `create table consumer_checkpoint (
        consumer text primary key,
        position bigint not null default 0,
        updated_at timestamptz not null default now()
      )`,
      `create table handled_event (
        tenant_id text not null,
        consumer text not null,
        event_id uuid not null,
        handled_at timestamptz not null default now(),
        primary key (tenant_id, consumer, event_id)
      )`,
      // The database itself refuses to change history. The one exception is a redaction that
      // replaces data with {"redacted": true} and keeps every other column (and the digest).
      `create function event_log_guard() returns trigger language plpgsql as $$
       begin
         if tg_op = 'UPDATE'
            and current_setting('app.redaction', true) = 'on'
            and new.data = '{"redacted": true}'::jsonb
            and (new.id, new.tenant_id, new.type, new.occurred_at, new.actor, new.subject, new.data_digest)
                = (old.id, old.tenant_id, old.type, old.occurred_at, old.actor, old.subject, old.data_digest)
         then
           return new;
         end if;
         raise exception 'event log is append-only: % on % refused', tg_op, tg_table_name
           using errcode = 'insufficient_privilege';
       end $$`,
      `create function append_only_guard() returns trigger language plpgsql as $$
       begin
         raise exception '% is append-only: % refused', tg_table_name, tg_op
           using errcode = 'insufficient_privilege';
       end $$`,
      `create trigger event_log_guard before update or delete on event_log for each row execute function event_log_guard()`,
      `create trigger event_log_no_truncate before truncate on event_log for each statement execute function append_only_guard()`,
      `create trigger event_seal_guard before update or delete on event_seal for each row execute function append_only_guard()`,
      `create trigger event_seal_no_truncate before truncate on event_seal for each statement execute function append_only_guard()`,
      `create trigger event_checkpoint_guard before update or delete on event_checkpoint for each row execute function append_only_guard()`,
      `create trigger event_checkpoint_no_truncate before truncate on event_checkpoint for each statement execute function append_only_guard()`,
      `revoke delete, truncate on event_log from current_user`,
      `revoke update, delete, truncate on event_seal, event_checkpoint from current_user`,
      ...tenantRlsSql('event_log'),
      ...tenantRlsSql('event_pending'),
      ...tenantRlsSql('event_seal'),
      ...tenantRlsSql('event_chain_head'),
      ...tenantRlsSql('event_checkpoint'),
      ...tenantRlsSql('handled_event'),
    ];
    for (const s of sql) this.addSql(s);
  }
}
