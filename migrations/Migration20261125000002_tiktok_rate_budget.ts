import { Migration } from '@mikro-orm/migrations';

/**
 * Rate budgets for TikTok calls (DESIGN.md section 2), shared by every instance.
 *
 * One row per bucket: `acct:<open_id>:<endpoint>` for one TikTok account and endpoint, and the
 * app-wide `app:window` / `app:second`. `hits` holds the epoch-millisecond times of the calls in
 * the current sliding window (a small ring, pruned on every take). A taker locks all its rows
 * (`select ... for update`, in bucket order so takers never deadlock), checks them all and
 * appends to all of them, or to none, in one transaction.
 *
 * Not a tenant table, so no row-level security: TikTok counts requests per TikTok account and
 * per app, not per tenant. Two tenants may connect the same account and must share one budget;
 * keying by tenant would let each of them spend TikTok's whole allowance. The rows hold no
 * personal data (an open_id, an endpoint path and timestamps) and are reached only through
 * `Database.inSystem`.
 */
export class Migration20261125000002TikTokRateBudget extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table tiktok_rate_bucket (
      bucket text primary key,
      hits bigint[] not null default '{}',
      updated_at timestamptz not null default now()
    )`);
  }
}
