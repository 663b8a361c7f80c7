import { Migration } from '@mikro-orm/migrations';

/**
 * `videos_known` and `comments_stored` of an integration count what is stored, however it came
 * (sync, webhook, add by URL): a consumer of `tiktok.video.added` and `tiktok.comment.received`
 * adds the events it has not counted yet (`counted_position`, the global log position of the last
 * one), so a redelivery counts nothing twice. Here they start exact, from the tables, as of the
 * sealed log's position.
 */
export class Migration20261203000011IntegrationCounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table tiktok_integration add column counted_position bigint not null default 0`,
    );
    // every tenant's rows: the system scope of row-level security, for this transaction only
    this.addSql(`select set_config('app.scope', 'system', true)`);
    this.addSql(`update tiktok_integration i set
        videos_known = (select count(*) from tiktok_video v where v.tenant_id = i.tenant_id and v.integration_id = i.id),
        comments_stored = (select count(*) from tiktok_comment c
                            where c.tenant_id = i.tenant_id and c.integration_id = i.id and c.tiktok_comment_id is not null and c.delivery_state is null),
        counted_position = (select position from event_sealer_state where id = 1)`);
  }
}
