import { Migration } from '@mikro-orm/migrations';

/**
 * `uuid_v7()`: a time-ordered UUID (RFC 9562 version 7; PostgreSQL 18 has one built in, 17 not),
 * as `uuidV7()` makes in the app. The ids of the rows written in bulk (comments, events) are
 * time-ordered so that their inserts land at the right edge of each B-tree rather than on a random
 * leaf (see src/shared/database/uuid.ts). Version bits 0111 over gen_random_uuid's 0100.
 */
export class Migration20261203000010UuidV7 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function uuid_v7() returns uuid language sql volatile parallel safe as $$
      select encode(
        set_bit(set_bit(
          overlay(uuid_send(gen_random_uuid())
                  placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                  from 1 for 6),
          52, 1), 53, 1),
        'hex')::uuid
    $$`);
  }
}
