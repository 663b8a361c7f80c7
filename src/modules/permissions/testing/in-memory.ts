import type { QueryBus } from '@nestjs/cqrs';
import type { IntegrationSummary } from '@modules/integrations/contracts';
import type { Database } from '@shared/database/database';
import { Tx } from '@shared/database/tx';
import type { EventLog } from '@shared/event-log/event-log';
import type { NewEvent } from '@shared/event-log/event.types';
import { PermissionSet } from '../domain/permission-set.aggregate';
import type {
  PermissionSetRecord,
  PermissionSetRepositoryPort,
} from '../domain/permission-set.repository.port';

/**
 * In-memory stand-ins for the handlers' ports (for their specs; no database): a repository with
 * the database's rules that matter to the handlers (per-tenant rows, unique names, the orders the
 * port promises), an event log, and transactions that keep both or roll both back.
 */
export class InMemoryPermissionSets implements PermissionSetRepositoryPort {
  rows = new Map<string, PermissionSetRecord & { tenant: string }>();
  private clock = Date.parse('2026-12-01T00:00:00.000Z');

  private of(tx: Tx): (PermissionSetRecord & { tenant: string })[] {
    return [...this.rows.values()].filter((r) => r.tenant === tx.tenant);
  }

  private nameTaken(tx: Tx, name: string, id: string): boolean {
    return this.of(tx).some((r) => r.name === name && r.id !== id);
  }

  /** A stored set, as a test arranges it. */
  seed(tenant: string, r: Omit<PermissionSetRecord, 'createdAt'> & { createdAt?: Date }): void {
    this.rows.set(r.id, { tenant, createdAt: r.createdAt ?? new Date((this.clock += 1000)), ...r });
  }

  load(tx: Tx, id: string): Promise<PermissionSet | null> {
    const r = this.rows.get(id);
    return Promise.resolve(r && r.tenant === tx.tenant ? PermissionSet.restore(r) : null);
  }

  insert(tx: Tx, set: PermissionSet): Promise<boolean> {
    if (this.nameTaken(tx, set.name, set.id)) return Promise.resolve(false);
    this.rows.set(set.id, {
      tenant: tx.tenant,
      createdAt: new Date((this.clock += 1000)),
      ...set.state,
    });
    return Promise.resolve(true);
  }

  save(tx: Tx, set: PermissionSet): Promise<boolean> {
    const r = this.rows.get(set.id);
    if (!r || r.tenant !== tx.tenant) throw new Error('save of a set that was not loaded');
    if (this.nameTaken(tx, set.name, set.id)) return Promise.resolve(false);
    this.rows.set(set.id, { ...r, ...set.state });
    return Promise.resolve(true);
  }

  delete(tx: Tx, set: PermissionSet): Promise<void> {
    if (this.rows.get(set.id)?.tenant === tx.tenant) this.rows.delete(set.id);
    return Promise.resolve();
  }

  find(tx: Tx, id: string): Promise<PermissionSetRecord | null> {
    const r = this.rows.get(id);
    return Promise.resolve(r && r.tenant === tx.tenant ? record(r) : null);
  }

  list(tx: Tx): Promise<PermissionSetRecord[]> {
    const sorted = this.of(tx).sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
    );
    return Promise.resolve(sorted.map(record));
  }

  integrationIdsSharedWith(tx: Tx, userId: string): Promise<string[]> {
    const ids = this.of(tx)
      .filter((r) => r.memberIds.includes(userId))
      .flatMap((r) => r.integrationIds);
    return Promise.resolve([...new Set(ids)]);
  }

  async isSharedWith(tx: Tx, userId: string, integrationId: string): Promise<boolean> {
    return (await this.integrationIdsSharedWith(tx, userId)).includes(integrationId);
  }

  setIdsByIntegration(
    tx: Tx,
    integrationIds: readonly string[],
  ): Promise<{ integrationId: string; setId: string }[]> {
    const pairs = this.of(tx)
      .sort((a, b) => a.id.localeCompare(b.id))
      .flatMap((r) =>
        r.integrationIds
          .filter((i) => integrationIds.includes(i))
          .map((i) => ({ integrationId: i, setId: r.id })),
      );
    return Promise.resolve(pairs);
  }
}

function record(r: PermissionSetRecord): PermissionSetRecord {
  return {
    id: r.id,
    name: r.name,
    integrationIds: [...r.integrationIds],
    memberIds: [...r.memberIds],
    createdAt: r.createdAt,
  };
}

/** The event log's append, keeping what committed transactions appended. */
export class InMemoryEventLog {
  readonly committed: (NewEvent & { tenant: string })[] = [];
  private readonly pending = new Map<Tx, NewEvent[]>();

  append(tx: Tx, events: NewEvent | NewEvent[]): Promise<string[]> {
    const list = Array.isArray(events) ? events : [events];
    this.pending.set(tx, [...(this.pending.get(tx) ?? []), ...list]);
    return Promise.resolve(list.map((_, i) => `event-${this.committed.length + i}`));
  }

  /** @internal the transaction ended */
  end(tx: Tx, committed: boolean): void {
    if (committed)
      for (const e of this.pending.get(tx) ?? []) this.committed.push({ ...e, tenant: tx.tenant });
    this.pending.delete(tx);
  }
}

/** Transactions over the in-memory repository and log: all or nothing, like `Database.inTenant`. */
export class InMemoryDatabase {
  transactions = 0;

  constructor(
    private readonly sets: InMemoryPermissionSets,
    private readonly log: InMemoryEventLog,
  ) {}

  async inTenant<T>(tenant: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    this.transactions++;
    const before = new Map(
      [...this.sets.rows].map(([k, v]) => [
        k,
        { ...v, integrationIds: [...v.integrationIds], memberIds: [...v.memberIds] },
      ]),
    );
    const tx = new Tx(
      {
        query: () => Promise.reject(new Error('no SQL in the in-memory database')),
      },
      { kind: 'tenant', tenant },
    );
    try {
      const result = await work(tx);
      this.log.end(tx, true);
      return result;
    } catch (err) {
      this.sets.rows = before;
      this.log.end(tx, false);
      throw err;
    }
  }
}

/** Everything a handler needs, wired together, with the casts to the classes Nest injects in one place. */
export function inMemoryWorld(integrations: IntegrationSummary[] = []) {
  const sets = new InMemoryPermissionSets();
  const log = new InMemoryEventLog();
  const database = new InMemoryDatabase(sets, log);
  const asked: unknown[] = [];
  const queryBus = {
    execute: (q: { integrationId?: string; tenant?: string }) => {
      asked.push(q);
      return Promise.resolve(
        integrations.find((i) => i.id === q.integrationId && i.tenant === q.tenant) ?? null,
      );
    },
  };
  return {
    sets,
    log,
    database,
    asked,
    db: database as unknown as Database,
    eventLog: log as unknown as EventLog,
    queries: queryBus as unknown as QueryBus,
  };
}
