import { Migration } from '@mikro-orm/migrations';
import { tenantRlsSql } from '../src/shared/database/rls';

/**
 * Connected TikTok accounts (one row per tenant and account: two tenants may connect the same
 * account, each with its own tokens and history), their encrypted tokens, OAuth states, and
 * permission sets. The sync saga's state lives on the integration (it is that aggregate's state).
 */
export class Migration20261125000003IntegrationsPermissions extends Migration {
  override async up(): Promise<void> {
    const sql = [
      `create table tiktok_integration (
        tenant_id text not null,
        id uuid not null,
        open_id text not null,
        username text,
        display_name text not null default '',
        avatar_url text,
        status text not null check (status in ('active', 'reauth_required', 'disconnected')),
        granted_scopes text[] not null default '{}',
        missing_scopes text[] not null default '{}',
        reauth_reason text,
        connected_at timestamptz not null,
        connected_by text not null,
        disconnected_at timestamptz,
        revoke_pending boolean not null default false,
        revoke_attempts int not null default 0,
        refresh_expires_at timestamptz,
        refresh_warned_at timestamptz,
        last_synced_at timestamptz,
        last_sync_error text,
        sync_stage text not null default 'backfill' check (sync_stage in ('backfill', 'live', 'paused')),
        sync_state jsonb not null default '{}'::jsonb,
        sync_failures int not null default 0,
        next_sync_at timestamptz,
        lease_owner text,
        lease_until timestamptz,
        videos_known int not null default 0,
        videos_backfilled int not null default 0,
        comments_stored int not null default 0,
        primary key (tenant_id, id),
        unique (tenant_id, open_id)
      )`,
      `create unique index tiktok_integration_id_idx on tiktok_integration (id)`,
      `create index tiktok_integration_open_id_idx on tiktok_integration (open_id)`,
      `create index tiktok_integration_due_idx on tiktok_integration (next_sync_at) where status = 'active'`,
      // Ciphertexts only: AES-256-GCM, tenant + integration + kind as associated data, key id beside.
      `create table tiktok_token (
        tenant_id text not null,
        integration_id uuid not null,
        access_token_enc text not null,
        refresh_token_enc text not null,
        key_id text not null,
        access_expires_at timestamptz not null,
        refresh_expires_at timestamptz not null,
        version int not null default 1,
        updated_at timestamptz not null default now(),
        primary key (tenant_id, integration_id),
        foreign key (tenant_id, integration_id) references tiktok_integration (tenant_id, id)
      )`,
      `create table oauth_state (
        state_hash text primary key,
        tenant_id text not null,
        user_id text not null,
        nonce_hash text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        used_at timestamptz
      )`,
      `create index oauth_state_tenant_idx on oauth_state (tenant_id, created_at)`,
      `create table permission_set (
        tenant_id text not null,
        id uuid not null,
        name text not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        unique (tenant_id, name)
      )`,
      `create table permission_set_integration (
        tenant_id text not null,
        set_id uuid not null,
        integration_id uuid not null,
        primary key (tenant_id, set_id, integration_id),
        foreign key (tenant_id, set_id) references permission_set (tenant_id, id) on delete cascade
      )`,
      `create index permission_set_integration_by_integration on permission_set_integration (tenant_id, integration_id)`,
      `create table permission_set_member (
        tenant_id text not null,
        set_id uuid not null,
        user_id text not null,
        primary key (tenant_id, set_id, user_id),
        foreign key (tenant_id, set_id) references permission_set (tenant_id, id) on delete cascade
      )`,
      `create index permission_set_member_by_user on permission_set_member (tenant_id, user_id)`,
      ...tenantRlsSql('tiktok_integration'),
      ...tenantRlsSql('tiktok_token'),
      ...tenantRlsSql('oauth_state'),
      ...tenantRlsSql('permission_set'),
      ...tenantRlsSql('permission_set_integration'),
      ...tenantRlsSql('permission_set_member'),
    ];
    for (const s of sql) this.addSql(s);
  }
}
