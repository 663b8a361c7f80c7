import { Injectable } from '@nestjs/common';
import type { Tx } from '@shared/database/tx';

export interface IdempotencyRow {
  request_hash: string;
  comment_id: string;
  status_code: number;
  warnings: { code: string; message: string }[];
  completed_at: Date | null;
  created_at: Date;
  /** the first request's claim on the key has lapsed (it died mid-way) */
  stale: boolean;
}

export interface IdempotencyKey {
  userId: string;
  route: string;
  key: string;
}

/** SQL of `comment_idempotency`: one row per (tenant, user, route, key), kept 24 hours. */
@Injectable()
export class IdempotencyRepository {
  /** The live (unexpired) row of a key, or undefined. `staleAfterMs`: how long "in progress" may last. */
  async find(tx: Tx, k: IdempotencyKey, staleAfterMs: number): Promise<IdempotencyRow | undefined> {
    return tx.one<IdempotencyRow>(
      `select request_hash, comment_id, status_code, warnings, completed_at, created_at,
              created_at < now() - make_interval(secs => $4::double precision / 1000) as stale
         from comment_idempotency
        where user_id = $1 and route = $2 and key = $3 and expires_at > now()`,
      [k.userId, k.route, k.key, staleAfterMs],
    );
  }

  /**
   * Claims the key for a new request, in the transaction that writes the pending post. An expired
   * row is taken over; a live one is left alone and `false` comes back. A concurrent claim of the
   * same key waits on the primary key until this transaction ends, then sees the row.
   */
  async claim(
    tx: Tx,
    k: IdempotencyKey,
    v: { requestHash: string; commentId: string; statusCode: number; warnings: { code: string; message: string }[] },
  ): Promise<boolean> {
    const n = await tx.run(
      `insert into comment_idempotency as i (tenant_id, user_id, route, key, request_hash, comment_id, status_code, warnings, expires_at)
       values (current_setting('app.tenant_id'), $1, $2, $3, $4, $5, $6, $7::jsonb, now() + interval '24 hours')
       on conflict (tenant_id, user_id, route, key) do update set
         request_hash = excluded.request_hash, comment_id = excluded.comment_id, status_code = excluded.status_code,
         warnings = excluded.warnings, completed_at = null, created_at = now(), expires_at = excluded.expires_at
       where i.expires_at <= now()`,
      [k.userId, k.route, k.key, v.requestHash, v.commentId, v.statusCode, JSON.stringify(v.warnings)],
    );
    return n === 1;
  }

  async complete(tx: Tx, k: IdempotencyKey): Promise<void> {
    await tx.run(`update comment_idempotency set completed_at = now() where user_id = $1 and route = $2 and key = $3`, [
      k.userId,
      k.route,
      k.key,
    ]);
  }
}
