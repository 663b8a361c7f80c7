import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';

/** A one-dimensional PostgreSQL array literal (`{"a","b"}`), elements quoted and escaped. */
export function pgArray(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    const s = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

/**
 * Converts `$1`-style SQL to knex bindings. Arrays are turned into PostgreSQL array literals up
 * front (knex would otherwise splice them into a comma list), so `= any($1::uuid[])` works.
 */
export function toKnexRaw(sql: string, params: readonly unknown[]): { sql: string; bindings: unknown[] } {
  const bindings: unknown[] = [];
  const text = sql.replace(/\?/g, '\\?').replace(/\$(\d+)/g, (_m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`SQL parameter $${n} has no value`);
    const v = params[i];
    bindings.push(Array.isArray(v) ? pgArray(v) : v === undefined ? null : v);
    return '?';
  });
  return { sql: text, bindings };
}

const TIMESTAMP_OIDS = new Set([1114, 1184]); // timestamp, timestamptz

/** PostgreSQL's timestamp text (`2026-11-25 10:07:17.123456+00`) as a Date (millisecond precision). */
export function parsePgTimestamp(text: string): Date | string {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d)?)?$/.exec(text);
  if (!m) return text; // 'infinity' and friends stay text
  const tz = m[3] ? (m[3].length === 3 ? `${m[3]}:00` : m[3].replace(/^([+-]\d\d)(\d\d)$/, '$1:$2')) : 'Z';
  const d = new Date(`${m[1]}T${m[2]}${tz}`);
  return Number.isNaN(d.getTime()) ? text : d;
}

/**
 * MikroORM's PostgreSQL connection installs type parsers that return timestamps as text (it
 * maps them itself for entities). Raw SQL here gets `Date`s back, whatever those parsers do.
 */
function reviveTimestamps<T>(res: { rows: T[]; fields?: { name: string; dataTypeID: number }[] }): T[] {
  const cols = (res.fields ?? []).filter((f) => TIMESTAMP_OIDS.has(f.dataTypeID)).map((f) => f.name);
  if (cols.length === 0) return res.rows;
  for (const row of res.rows as Record<string, unknown>[]) {
    for (const c of cols) {
      const v = row[c];
      if (typeof v === 'string') row[c] = parsePgTimestamp(v);
    }
  }
  return res.rows;
}

/** What a transaction is for: one tenant (row-level security applies) or the system scope. */
export type TxScope = { kind: 'tenant'; tenant: string } | { kind: 'system' };

/**
 * One database transaction. All SQL of a unit of work goes through it, so the change and the
 * events it records commit or roll back together.
 */
export class Tx {
  private readonly afterCommitHooks: (() => void)[] = [];

  constructor(
    readonly em: EntityManager,
    readonly scope: TxScope,
  ) {}

  /** The tenant of this transaction; throws in system scope. */
  get tenant(): string {
    if (this.scope.kind !== 'tenant') throw new Error('no tenant in system scope');
    return this.scope.tenant;
  }

  private trx(): Knex.Transaction {
    const ctx = this.em.getTransactionContext<Knex.Transaction>();
    if (!ctx) throw new Error('Tx used outside its transaction');
    return ctx;
  }

  /** Runs one statement with `$n` parameters and returns its rows. */
  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const { sql: text, bindings } = toKnexRaw(sql, params);
    const res = await this.trx().raw<{ rows: T[]; fields?: { name: string; dataTypeID: number }[] }>(text, bindings as Knex.RawBinding[]);
    return reviveTimestamps(res);
  }

  /** Runs one statement and returns the number of rows it touched. */
  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const { sql: text, bindings } = toKnexRaw(sql, params);
    const res = await this.trx().raw<{ rowCount: number | null }>(text, bindings as Knex.RawBinding[]);
    return res.rowCount ?? 0;
  }

  async one<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  /** Called once after this transaction commits (never after a rollback). */
  afterCommit(fn: () => void): void {
    this.afterCommitHooks.push(fn);
  }

  /** @internal */
  runAfterCommit(): void {
    for (const fn of this.afterCommitHooks.splice(0)) {
      try {
        fn();
      } catch {
        /* hooks are hints; they must not turn a commit into an error */
      }
    }
  }
}
