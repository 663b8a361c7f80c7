/** The slice of a node-postgres client a transaction uses. */
export interface PgConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null; fields?: { name: string; dataTypeID: number }[] }>;
}

/** A one-dimensional PostgreSQL array literal (`{"a","b"}`), elements quoted and escaped. */
export function pgArray(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    const s = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
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
export function reviveTimestamps<T>(res: { rows: T[]; fields?: { name: string; dataTypeID: number }[] }): T[] {
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
 * One database transaction on one pooled connection. All SQL of a unit of work goes through it,
 * so the change and the events it records commit or roll back together.
 */
export class Tx {
  private readonly afterCommitHooks: (() => void)[] = [];
  private durable = false;

  constructor(
    private readonly conn: PgConnection,
    readonly scope: TxScope,
  ) {}

  /** The tenant of this transaction; throws in system scope. */
  get tenant(): string {
    if (this.scope.kind !== 'tenant') throw new Error('no tenant in system scope');
    return this.scope.tenant;
  }

  private exec(sql: string, params: readonly unknown[]) {
    // Arrays become PostgreSQL array literals here, so `= any($1::uuid[])` works for any element type.
    return this.conn.query(sql, params.map((v) => (Array.isArray(v) ? pgArray(v) : v === undefined ? null : v)));
  }

  /** Runs one statement with `$n` parameters and returns its rows. */
  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const res = await this.exec(sql, params);
    return reviveTimestamps(res as { rows: T[]; fields?: { name: string; dataTypeID: number }[] });
  }

  /** Runs one statement and returns the number of rows it touched. */
  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const res = await this.exec(sql, params);
    return res.rowCount ?? 0;
  }

  async one<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  /**
   * This transaction's commit must wait for its WAL flush even when it was opened with
   * `deferredCommit` (e.g. it settled something a client was told about, or appended an event
   * that is not redone from a source).
   */
  requireDurableCommit(): void {
    this.durable = true;
  }

  /** @internal */
  get durableCommitRequired(): boolean {
    return this.durable;
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
