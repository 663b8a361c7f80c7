import { Injectable } from '@nestjs/common';
import type { Tx } from '@shared/database/tx';
import type { Database } from '@shared/database/database';
import { isUuid } from '@shared/database/uuid';
import { TokenCipher, tokenAad } from '@shared/crypto/token-cipher';
import type { TokenSet } from '@shared/tiktok/tiktok-api.port';

/** A decrypted token pair, only ever held in memory for one call. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  refreshExpiresAt: Date;
  version: number;
}

interface TokenRow {
  tenant_id: string;
  integration_id: string;
  access_token_enc: string;
  refresh_token_enc: string;
  key_id: string;
  access_expires_at: Date;
  refresh_expires_at: Date;
  version: number;
}

/** Tokens at rest: AES-256-GCM ciphertexts bound to tenant + integration + kind. */
@Injectable()
export class TokenStore {
  constructor(private readonly cipher: TokenCipher) {}

  async save(tx: Tx, tenant: string, integrationId: string, t: TokenSet): Promise<void> {
    await tx.run(
      `insert into tiktok_token (tenant_id, integration_id, access_token_enc, refresh_token_enc, key_id, access_expires_at, refresh_expires_at)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (tenant_id, integration_id) do update set access_token_enc = excluded.access_token_enc,
         refresh_token_enc = excluded.refresh_token_enc, key_id = excluded.key_id, access_expires_at = excluded.access_expires_at,
         refresh_expires_at = excluded.refresh_expires_at, version = tiktok_token.version + 1, updated_at = now()`,
      [
        tenant,
        integrationId,
        this.cipher.encrypt(t.accessToken, tokenAad(tenant, integrationId, 'access')),
        this.cipher.encrypt(t.refreshToken, tokenAad(tenant, integrationId, 'refresh')),
        this.cipher.currentKeyId,
        t.accessExpiresAt,
        t.refreshExpiresAt,
      ],
    );
  }

  /** `lock` takes the row lock that serialises refreshes of one integration across instances. */
  async load(tx: Tx, tenant: string, integrationId: string, lock = false): Promise<StoredTokens | null> {
    const row = await tx.one<TokenRow>(
      `select * from tiktok_token where tenant_id = $1 and integration_id = $2 ${lock ? 'for update' : ''}`,
      [tenant, integrationId],
    );
    if (!row) return null;
    return {
      accessToken: this.cipher.decrypt(row.access_token_enc, tokenAad(tenant, integrationId, 'access')),
      refreshToken: this.cipher.decrypt(row.refresh_token_enc, tokenAad(tenant, integrationId, 'refresh')),
      accessExpiresAt: row.access_expires_at,
      refreshExpiresAt: row.refresh_expires_at,
      version: row.version,
    };
  }

  /**
   * What a TikTok call needs, in one round trip (`Database.readInTenant`): the integration's status
   * and account, and its access token (decrypted; the refresh token stays encrypted). Undefined: no
   * such integration.
   */
  async loadForCall(
    db: Database,
    tenant: string,
    integrationId: string,
  ): Promise<
    | {
        status: string;
        openId: string;
        unavailableFields: string[];
        token: { accessToken: string; accessExpiresAt: Date; version: number } | null;
      }
    | undefined
  > {
    if (!isUuid(integrationId)) return undefined;
    const [row] = await db.readInTenant<{
      status: string;
      open_id: string;
      unavailable_fields: string[];
      access_token_enc: string | null;
      access_expires_at: Date | null;
      version: number | null;
    }>(
      tenant,
      `select i.status, i.open_id, i.unavailable_fields, t.access_token_enc, t.access_expires_at, t.version
         from tiktok_integration i
         left join tiktok_token t on t.tenant_id = i.tenant_id and t.integration_id = i.id
        where i.tenant_id = current_setting('app.tenant_id') and i.id = $1`,
      [integrationId],
    );
    if (!row) return undefined;
    const token =
      row.access_token_enc === null || row.access_expires_at === null || row.version === null
        ? null
        : {
            accessToken: this.cipher.decrypt(row.access_token_enc, tokenAad(tenant, integrationId, 'access')),
            accessExpiresAt: row.access_expires_at,
            version: row.version,
          };
    return {
      status: row.status,
      openId: row.open_id,
      unavailableFields: row.unavailable_fields,
      token,
    };
  }

  async delete(tx: Tx, tenant: string, integrationId: string): Promise<void> {
    await tx.run('delete from tiktok_token where tenant_id = $1 and integration_id = $2', [tenant, integrationId]);
  }

  /** Re-encrypts every row not under the current key (system scope). Returns how many moved. */
  async reencryptAll(tx: Tx): Promise<number> {
    const rows = await tx.query<TokenRow>('select * from tiktok_token where key_id <> $1 for update', [this.cipher.currentKeyId]);
    for (const r of rows) {
      const access = this.cipher.decrypt(r.access_token_enc, tokenAad(r.tenant_id, r.integration_id, 'access'));
      const refresh = this.cipher.decrypt(r.refresh_token_enc, tokenAad(r.tenant_id, r.integration_id, 'refresh'));
      await tx.run(
        `update tiktok_token set access_token_enc = $3, refresh_token_enc = $4, key_id = $5 where tenant_id = $1 and integration_id = $2`,
        [
          r.tenant_id,
          r.integration_id,
          this.cipher.encrypt(access, tokenAad(r.tenant_id, r.integration_id, 'access')),
          this.cipher.encrypt(refresh, tokenAad(r.tenant_id, r.integration_id, 'refresh')),
          this.cipher.currentKeyId,
        ],
      );
    }
    return rows.length;
  }
}
