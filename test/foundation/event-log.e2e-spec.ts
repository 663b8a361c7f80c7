import { createHash, createPrivateKey, createPublicKey, verify as verifySignature } from 'node:crypto';
import request from 'supertest';
import { canonicalize } from '../support/canonicalize';
import { Client } from 'pg';
import { EventLog } from '@shared/event-log/event-log';
import { Sealer } from '@shared/event-log/sealer';
import { Checkpointer } from '@shared/event-log/checkpointer';
import { EventConsumers, type EventConsumer } from '@shared/event-log/event-consumers';
import type { NewEvent, SealedEvent } from '@shared/event-log/event.types';
import { TEST_SIGNING_KEY, startTestApp, type TestApp } from '../support/app';
import { asSuperuser, createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { appendEvents, testEvent } from '../support/events';
import { SseClient } from '../support/sse';

const ZERO = '0'.repeat(64);
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const jcs = (v: unknown): string => {
  const s = canonicalize(v);
  if (s === undefined) throw new Error('not canonicalizable');
  return s;
};
const bearer = (t: TestApp, tenant: string, roles = ['auditor']) => ({ authorization: `Bearer ${t.token({ tenant, roles })}` });

/** Recomputes the chain exactly as API.md defines it, with an independent JCS. Returns the seqs that do not check. */
function recompute(events: SealedEvent[]): number[] {
  const bad: number[] = [];
  let prev = ZERO;
  events.forEach((e, i) => {
    const { seq, id, type, occurredAt, tenant, actor, subject, dataDigest } = e;
    const ok =
      seq === i + 1 &&
      e.prevHash === prev &&
      dataDigest === sha256(jcs(e.data)) &&
      e.hash === sha256(prev + jcs({ seq, id, type, occurredAt, tenant, actor, subject, dataDigest }));
    if (!ok) bad.push(seq);
    prev = e.hash;
  });
  return bad;
}

async function exportEvents(t: TestApp, tenant: string): Promise<SealedEvent[]> {
  const res = await request(t.url).get('/api/v1/events/export').set(bearer(t, tenant)).buffer(true).parse((r, cb) => {
    let body = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (body += c));
    r.on('end', () => cb(null, body));
  });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
  const text = res.body as string;
  expect(text.endsWith('\n')).toBe(true);
  return text.trim().split('\n').map((l) => JSON.parse(l) as SealedEvent);
}

/** A table the test consumers write their side effects to (created by the superuser, usable by the app role). */
async function createEffectTable(db: TestDatabase): Promise<void> {
  await asSuperuser(db, async (c) => {
    await c.query('create table if not exists spec_effect (consumer text not null, tenant_id text not null, event_id uuid not null)');
    await c.query('grant select, insert on spec_effect to echo_test_app');
  });
}

function effectConsumer(name: string, types: string[], calls: string[]): EventConsumer {
  return {
    name,
    types,
    handle: async (event, tx) => {
      calls.push(event.id);
      await tx.run('insert into spec_effect (consumer, tenant_id, event_id) values ($1, $2, $3)', [name, event.tenant, event.id]);
    },
  };
}

async function superuserCount(db: TestDatabase, sql: string, params: unknown[] = []): Promise<number> {
  return asSuperuser(db, async (c) => Number((await c.query<{ n: string }>(sql, params)).rows[0]!.n));
}

describe('event log, driven step by step (workers off)', () => {
  let t: TestApp;
  let log: EventLog;
  let sealer: Sealer;
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKERS: 'false' } });
    log = t.app.get(EventLog);
    sealer = t.app.get(Sealer);
    await createEffectTable(t.testDb);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an event appended in a transaction that rolls back is gone', async () => {
    const id = '00000000-0000-4000-8000-00000000abcd';
    await expect(
      t.db.inTenant('rb', async (tx) => {
        await log.append(tx, testEvent(1, { id }));
        const seen = await tx.query('select 1 from event_log where id = $1', [id]);
        expect(seen).toHaveLength(1); // it was there inside the transaction
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await sealer.drain();
    expect(await superuserCount(t.testDb, 'select count(*) as n from event_log where id = $1', [id])).toBe(0);
    expect(await superuserCount(t.testDb, 'select count(*) as n from event_pending where event_id = $1', [id])).toBe(0);
    const page = await request(t.url).get('/api/v1/events').set(bearer(t, 'rb'));
    expect(page.body).toEqual({ items: [], nextCursor: null });
  });

  it('hashes recompute from the exported NDJSON with an independent JCS, exactly per API.md', async () => {
    const tricky: NewEvent[] = [
      testEvent(1),
      testEvent(2, { data: { z: 1, a: { y: [3, { b: 2, a: 1 }], x: null }, '€': 'euro', A: 'upper', n: 1e21, f: 0.1, small: 1.5e-7, neg: -0 } }),
      testEvent(3, { data: { text: 'line\nbreak "quoted" \\ back \u0001 ctrl', emoji: '😀👍🏽', empty: {}, list: [] } }),
      testEvent(4, { data: {}, actor: { type: 'system', id: 'sync' } }),
    ];
    await appendEvents(t.db, log, 'hx', tricky.slice(0, 2));
    await appendEvents(t.db, log, 'hx', tricky.slice(2));
    await sealer.drain();
    const exported = await exportEvents(t, 'hx');
    expect(exported.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(exported[0]!.prevHash).toBe(ZERO);
    expect(recompute(exported)).toEqual([]);
    // the list answers exactly the same events
    const listed = await request(t.url).get('/api/v1/events').set(bearer(t, 'hx'));
    expect(listed.body.items).toEqual(exported);
    expect(Object.keys(exported[0]!).sort()).toEqual(
      ['seq', 'id', 'type', 'occurredAt', 'tenant', 'actor', 'subject', 'data', 'dataDigest', 'prevHash', 'hash'].sort(),
    );
    // the export itself was recorded, and chains on
    await sealer.drain();
    const again = await exportEvents(t, 'hx');
    expect(again.map((e) => e.type)).toContain('audit.events.exported');
    expect(recompute(again)).toEqual([]);
    // and the recomputation notices a changed byte
    const forged = exported.map((e) => (e.seq === 3 ? { ...e, data: { ...e.data, emoji: '😀' } } : e));
    expect(recompute(forged)).toEqual([3]);
  });

  it('verify is ok, then names the first bad seq after an event’s data is edited behind the service', async () => {
    await appendEvents(t.db, log, 'vd', Array.from({ length: 10 }, (_, i) => testEvent(i + 1)));
    await sealer.drain();
    await t.app.get(Checkpointer).checkpointOnce();
    const ok = await request(t.url).get('/api/v1/events/verify').set(bearer(t, 'vd'));
    expect(ok.body).toEqual({ ok: true, checked: 10, firstBadSeq: null, lastCheckpointSeq: 10, redacted: 0 });
    await asSuperuser(t.testDb, async (c) => {
      await c.query('alter table event_log disable trigger event_log_guard');
      await c.query(
        `update event_log set data = jsonb_set(data, '{text}', '"edited"') where id = (select event_id from event_seal where tenant_id = 'vd' and seq = 4)`,
      );
      await c.query('alter table event_log enable trigger event_log_guard');
    });
    const bad = await request(t.url).get('/api/v1/events/verify').set(bearer(t, 'vd'));
    expect(bad.body).toEqual(expect.objectContaining({ ok: false, firstBadSeq: 4 }));
    expect(recompute(await exportEvents(t, 'vd'))).toEqual([4]);
  });

  it('verify detects the newest events deleted behind a checkpoint', async () => {
    await appendEvents(t.db, log, 'vt', Array.from({ length: 10 }, (_, i) => testEvent(i + 1)));
    await sealer.drain();
    expect(await t.app.get(Checkpointer).checkpointOnce()).toBeGreaterThanOrEqual(1);
    const before = await request(t.url).get('/api/v1/events/verify').set(bearer(t, 'vt'));
    expect(before.body).toEqual({ ok: true, checked: 10, firstBadSeq: null, lastCheckpointSeq: 10, redacted: 0 });
    await asSuperuser(t.testDb, async (c) => {
      await c.query('begin');
      await c.query('set local session_replication_role = replica');
      const gone = await c.query<{ event_id: string }>(`delete from event_seal where tenant_id = 'vt' and seq > 7 returning event_id`);
      await c.query('delete from event_log where id = any($1::uuid[])', [gone.rows.map((r) => r.event_id)]);
      await c.query('commit');
    });
    const after = await request(t.url).get('/api/v1/events/verify').set(bearer(t, 'vt'));
    expect(after.body).toEqual({ ok: false, checked: 7, firstBadSeq: 8, lastCheckpointSeq: 10, redacted: 0 });
    // the remaining chain on its own is intact: only the checkpoint shows the cut
    expect(recompute(await exportEvents(t, 'vt'))).toEqual([]);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on event_log, event_seal and event_checkpoint for the app role', async () => {
    await appendEvents(t.db, log, 'gd', [testEvent(1)]);
    await sealer.drain();
    await t.app.get(Checkpointer).checkpointOnce();
    const statements = [
      `update event_log set type = 'x'`,
      `update event_log set data = '{"redacted": true}'`, // no redaction flag
      `delete from event_log`,
      `truncate event_log cascade`,
      `update event_seal set hash = 'x'`,
      `delete from event_seal`,
      `truncate event_seal`,
      `update event_checkpoint set seq = 0`,
      `delete from event_checkpoint`,
      `truncate event_checkpoint`,
    ];
    const c = new Client({ connectionString: t.testDb.url });
    await c.connect();
    try {
      for (const sql of statements) {
        await c.query('begin');
        // system scope: every row is visible, so it is the guard that refuses, not RLS hiding rows
        await c.query(`select set_config('app.scope', 'system', true)`);
        const visible = await c.query(`select count(*)::int as n from ${/event_\w+/.exec(sql)![0]}`);
        expect(visible.rows[0].n).toBeGreaterThan(0);
        await expect(c.query(sql)).rejects.toThrow(/append-only|permission denied/);
        await c.query('rollback');
      }
    } finally {
      await c.end();
    }
    expect(await superuserCount(t.testDb, `select count(*) as n from event_log where tenant_id = 'gd' and type = 'test.thing.happened'`)).toBe(1);
  });

  it('the app role does not own the audit tables: it cannot drop or disable their guards, replace the guard functions, or take them over', async () => {
    const statements = [
      `alter table event_log disable trigger event_log_guard`,
      `drop trigger event_log_guard on event_log`,
      `alter table event_seal disable trigger all`,
      `create or replace function append_only_guard() returns trigger language plpgsql as $$ begin return new; end $$`,
      `drop function event_log_guard() cascade`,
      `alter table event_checkpoint owner to current_user`,
      `drop table event_log cascade`,
      `update event_seal set hash = hash`,
      `update event_log set type = type`,
    ];
    const c = new Client({ connectionString: t.testDb.url });
    await c.connect();
    try {
      const owner = await c.query<{ owner: string; me: string }>(
        `select pg_get_userbyid(relowner) as owner, current_user as me from pg_class where oid = 'event_log'::regclass`,
      );
      expect(owner.rows[0]).toEqual({ owner: 'echo_audit_owner', me: expect.not.stringMatching(/^echo_audit_owner$/) });
      for (const sql of statements) {
        await c.query('begin');
        await expect(c.query(sql)).rejects.toThrow(/must be owner|permission denied|append-only/);
        await c.query('rollback');
      }
    } finally {
      await c.end();
    }
  });

  it('a redaction replaces data with {"redacted": true}, keeps the digest, and the chain still verifies', async () => {
    const [id] = await appendEvents(t.db, log, 'rd', [testEvent(1), testEvent(2)]);
    await sealer.drain();
    await t.db.inTenant('rd', async (tx) => {
      await tx.query(`select set_config('app.redaction', 'on', true)`);
      expect(await tx.run(`update event_log set data = '{"redacted": true}' where id = $1`, [id])).toBe(1);
    });
    const v = await request(t.url).get('/api/v1/events/verify').set(bearer(t, 'rd'));
    expect(v.body).toEqual(expect.objectContaining({ ok: true, checked: 2, firstBadSeq: null, redacted: 1 }));
    // but a redaction that also changes the digest is refused
    await expect(
      t.db.inTenant('rd', async (tx) => {
        await tx.query(`select set_config('app.redaction', 'on', true)`);
        await tx.run(`update event_log set data = '{"redacted": true}', data_digest = 'x' where id = $1`, [id]);
      }),
    ).rejects.toThrow(/append-only|permission denied/);
  });

  it('checkpoints are Ed25519 signatures over JCS {tenant, seq, hash, signedAt}, verifiable with the published key', async () => {
    await appendEvents(t.db, log, 'ck', [testEvent(1), testEvent(2)]);
    await sealer.drain();
    await t.app.get(Checkpointer).checkpointOnce();
    await appendEvents(t.db, log, 'ck', [testEvent(3)]);
    await sealer.drain();
    await t.app.get(Checkpointer).checkpointOnce();
    expect(await t.app.get(Checkpointer).checkpointOnce()).toBe(0); // nothing moved
    const res = await request(t.url).get('/api/v1/events/checkpoints').set(bearer(t, 'ck'));
    expect(res.status).toBe(200);
    const { publicKey, items, nextCursor } = res.body as {
      publicKey: string;
      items: { tenant: string; seq: number; hash: string; signedAt: string; signature: string }[];
      nextCursor: string | null;
    };
    expect(nextCursor).toBeNull();
    const expectedKey = createPublicKey(createPrivateKey({ key: Buffer.from(TEST_SIGNING_KEY, 'base64'), format: 'der', type: 'pkcs8' }))
      .export({ format: 'der', type: 'spki' })
      .toString('base64');
    expect(publicKey).toBe(expectedKey);
    expect(items.map((i) => [i.tenant, i.seq])).toEqual([['ck', 3], ['ck', 2]]); // newest first, this tenant only
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    const events = (await request(t.url).get('/api/v1/events').set(bearer(t, 'ck'))).body.items as SealedEvent[];
    for (const cp of items) {
      expect(cp.signedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const payload = Buffer.from(jcs({ tenant: cp.tenant, seq: cp.seq, hash: cp.hash, signedAt: cp.signedAt }), 'utf8');
      expect(verifySignature(null, payload, key, Buffer.from(cp.signature, 'base64'))).toBe(true);
      expect(verifySignature(null, Buffer.from(jcs({ ...cp, signature: undefined, seq: cp.seq + 1 })), key, Buffer.from(cp.signature, 'base64'))).toBe(false);
      expect(cp.hash).toBe(events.find((e) => e.seq === cp.seq)!.hash);
    }
    // paging with limit=1 walks the same list
    const p1 = await request(t.url).get('/api/v1/events/checkpoints?limit=1').set(bearer(t, 'ck'));
    const p2 = await request(t.url).get(`/api/v1/events/checkpoints?limit=1&cursor=${p1.body.nextCursor}`).set(bearer(t, 'ck'));
    expect([...p1.body.items, ...p2.body.items]).toEqual(items);
  });

  it('a consumer that sees an event twice acts once', async () => {
    const calls: string[] = [];
    const consumers = t.app.get(EventConsumers);
    consumers.register(effectConsumer('spec-once', ['test.once'], calls));
    const ids = await appendEvents(t.db, log, 'co', [1, 2, 3].map((n) => testEvent(n, { type: 'test.once' })));
    await sealer.drain();
    await consumers.drain();
    expect(calls.sort()).toEqual([...ids].sort());
    // force a redelivery of everything: the checkpoint goes back to the start
    await asSuperuser(t.testDb, (c) => c.query(`update consumer_checkpoint set position = 0 where consumer = 'spec-once'`));
    await consumers.drain();
    const position = await asSuperuser(t.testDb, async (c) =>
      Number((await c.query(`select position from consumer_checkpoint where consumer = 'spec-once'`)).rows[0].position),
    );
    expect(position).toBe(await superuserCount(t.testDb, 'select max(position) as n from event_seal'));
    expect(calls).toHaveLength(3);
    const effects = await asSuperuser(t.testDb, (c) =>
      c.query<{ event_id: string; n: string }>(`select event_id, count(*) as n from spec_effect where consumer = 'spec-once' group by event_id`),
    );
    expect(effects.rows.map((r) => [r.event_id, Number(r.n)]).sort()).toEqual(ids.map((id) => [id, 1]).sort());
  });

  it('an idempotent consumer keeps no handled-event records and simply acts again on a redelivery', async () => {
    const calls: string[] = [];
    const consumers = t.app.get(EventConsumers);
    consumers.register({ ...effectConsumer('spec-idem', ['test.idem'], calls), idempotent: true });
    const ids = await appendEvents(t.db, log, 'co', [1, 2].map((n) => testEvent(n, { type: 'test.idem' })));
    await sealer.drain();
    await consumers.drain();
    expect(calls.sort()).toEqual([...ids].sort());
    expect(await superuserCount(t.testDb, `select count(*) as n from handled_event where consumer = 'spec-idem'`)).toBe(0);
    await asSuperuser(t.testDb, (c) => c.query(`update consumer_checkpoint set position = 0 where consumer = 'spec-idem'`));
    await consumers.drain();
    expect(calls).toHaveLength(4); // acted again: that is what idempotent consumers promise to tolerate
  });

  it('a consumer catches up behind more than one batch of events it does not want', async () => {
    const calls: string[] = [];
    const consumers = t.app.get(EventConsumers);
    consumers.register(effectConsumer('spec-sparse', ['test.sparse'], calls));
    await appendEvents(t.db, log, 'sp', Array.from({ length: 450 }, (_, i) => testEvent(i, { type: 'test.noise' })));
    const [wanted] = await appendEvents(t.db, log, 'sp', [testEvent(1, { type: 'test.sparse' })]);
    await sealer.drain();
    await consumers.drain();
    expect(calls).toEqual([wanted]);
  });

  it('a failure in the middle of a batch: the events before it are done once, the checkpoint stops at it', async () => {
    const calls: string[] = [];
    let failOn: string | null = null;
    const consumers = t.app.get(EventConsumers);
    consumers.register({
      name: 'spec-mid',
      types: ['test.mid'],
      handle: async (event, tx) => {
        calls.push(event.id);
        await tx.run('insert into spec_effect (consumer, tenant_id, event_id) values ($1, $2, $3)', ['spec-mid', event.tenant, event.id]);
        if (event.id === failOn) throw new Error('poison');
      },
    });
    const ids = await appendEvents(t.db, log, 'mb', Array.from({ length: 5 }, (_, i) => testEvent(i + 1, { type: 'test.mid' })));
    await sealer.drain();
    failOn = ids[2]!;
    await expect(consumers.drain()).rejects.toThrow(/poison/);
    const effects = async () =>
      (await asSuperuser(t.testDb, (c) => c.query<{ event_id: string }>(`select event_id from spec_effect where consumer = 'spec-mid' order by event_id`))).rows.map((r) => r.event_id);
    expect(await effects()).toEqual([ids[0], ids[1]].sort());
    failOn = null;
    calls.length = 0;
    await consumers.drain();
    expect(calls).toEqual([ids[2], ids[3], ids[4]]);
    expect(await effects()).toEqual([...ids].sort());
  });

  it('a failing handler rolls its writes back and is retried from the same event', async () => {
    const calls: string[] = [];
    let fail = true;
    const consumers = t.app.get(EventConsumers);
    consumers.register({
      name: 'spec-retry',
      types: ['test.retry'],
      handle: async (event, tx) => {
        calls.push(event.id);
        await tx.run('insert into spec_effect (consumer, tenant_id, event_id) values ($1, $2, $3)', ['spec-retry', event.tenant, event.id]);
        if (fail) throw new Error('downstream unavailable');
      },
    });
    const ids = await appendEvents(t.db, log, 're', [testEvent(1, { type: 'test.retry' }), testEvent(2, { type: 'test.retry' })]);
    await sealer.drain();
    await expect(consumers.drain()).rejects.toThrow(/downstream unavailable/);
    expect(await superuserCount(t.testDb, `select count(*) as n from spec_effect where consumer = 'spec-retry'`)).toBe(0);
    // the batch failed, then the failing event alone: nothing past it was attempted
    expect(new Set(calls)).toEqual(new Set([ids[0]]));
    calls.length = 0;
    fail = false;
    await consumers.drain();
    expect(calls).toEqual([ids[0], ids[1]]);
    expect(await superuserCount(t.testDb, `select count(*) as n from spec_effect where consumer = 'spec-retry'`)).toBe(2);
  });
});

describe('event log under concurrency (workers on)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('200 events from concurrent transactions, some committing late and out of order, are sealed once, gap-free, and a following reader sees each once', async () => {
    const log = t.app.get(EventLog);
    const tenants = ['c1', 'c2', 'c3', 'c4'];
    type Planned = { tenant: string; events: NewEvent[]; hold: boolean };
    const plan: Planned[] = [];
    for (let n = 0, k = 0; n < 200; k++) {
      const size = Math.min(1 + (k % 4), 200 - n);
      plan.push({ tenant: tenants[k % tenants.length]!, events: Array.from({ length: size }, (_, i) => testEvent(n + i)), hold: k % 8 === 0 });
      n += size;
    }
    const held = plan.filter((p) => p.hold);
    expect(held.length).toBeGreaterThanOrEqual(5);

    // a reader per tenant, following the cursor through the API while everything happens
    const seen = new Map<string, SealedEvent[]>(tenants.map((x) => [x, []]));
    const violations: string[] = [];
    let reading = true;
    const readers = tenants.map(async (tenant) => {
      let cursor: string | null = null;
      let last = 0;
      const headers = bearer(t, tenant);
      while (reading) {
        const res = await request(t.url).get(`/api/v1/events?limit=200${cursor ? `&cursor=${cursor}` : ''}`).set(headers);
        if (res.status !== 200) violations.push(`${tenant}: HTTP ${res.status}`);
        for (const e of (res.body.items ?? []) as SealedEvent[]) {
          if (e.seq <= last) continue; // re-read of the last page (nextCursor was null)
          if (e.seq !== last + 1) violations.push(`${tenant}: skipped from ${last} to ${e.seq}`);
          seen.get(tenant)!.push(e);
          last = e.seq;
        }
        if (res.body.nextCursor) cursor = res.body.nextCursor as string;
        else await new Promise((r) => setTimeout(r, 15));
      }
    });

    // transactions that insert first and commit last: their rows are older than everything else
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted = 0;
    const heldIds: string[][] = [];
    const heldDone = held.map((p, i) =>
      t.db.inTenant(p.tenant, async (tx) => {
        heldIds[i] = await log.append(tx, p.events);
        inserted += 1;
        await gate;
      }),
    );
    await eventually(() => expect(inserted).toBe(held.length));
    const quick = plan.filter((p) => !p.hold);
    const quickIds = (await Promise.all(quick.map((p) => appendEvents(t.db, log, p.tenant, p.events)))).flat();
    // everything committed so far gets sealed while the held transactions are still open
    await eventually(() => expect([...seen.values()].reduce((a, s) => a + s.length, 0)).toBe(quickIds.length), { timeoutMs: 20_000 });
    release();
    await Promise.all(heldDone);
    await eventually(() => expect([...seen.values()].reduce((a, s) => a + s.length, 0)).toBe(200), { timeoutMs: 20_000 });
    reading = false;
    await Promise.all(readers);

    expect(violations).toEqual([]);
    const all = [...quickIds, ...heldIds.flat()];
    expect(new Set(all).size).toBe(200);
    for (const tenant of tenants) {
      const events = seen.get(tenant)!;
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const planned = plan.filter((p) => p.tenant === tenant).reduce((a, p) => a + p.events.length, 0);
      expect(events).toHaveLength(planned);
    }
    const seenIds = [...seen.values()].flat().map((e) => e.id);
    expect(seenIds.sort()).toEqual([...all].sort());
    // in the database: one seal per event, global positions unique, nothing left pending
    await asSuperuser(t.testDb, async (c) => {
      const seals = await c.query<{ n: string; ids: string; pos: string }>(
        'select count(*) as n, count(distinct event_id) as ids, count(distinct position) as pos from event_seal',
      );
      expect(seals.rows[0]).toEqual({ n: '200', ids: '200', pos: '200' });
      expect((await c.query('select 1 from event_pending')).rowCount).toBe(0);
      // the test really exercised late commits: a held event inserted before a quick one got a higher seq
      const late = await c.query(
        `select 1 from event_log h join event_seal hs on hs.event_id = h.id
           join event_seal qs on qs.tenant_id = hs.tenant_id and qs.seq < hs.seq
           join event_log q on q.id = qs.event_id
          where h.id = any($1::uuid[]) and q.id = any($2::uuid[]) and q.recorded_at > h.recorded_at limit 1`,
        [heldIds.flat(), quickIds],
      );
      expect(late.rowCount).toBe(1);
    });
    for (const tenant of tenants) {
      const v = await request(t.url).get('/api/v1/events/verify').set(bearer(t, tenant));
      expect(v.body).toEqual(expect.objectContaining({ ok: true, checked: seen.get(tenant)!.length }));
    }
  });

  it('the SSE stream follows new seals and resumes from Last-Event-ID without loss or duplicates', async () => {
    const log = t.app.get(EventLog);
    const url = `${t.url}/api/v1/events/stream`;
    const headers = bearer(t, 'ss');
    await appendEvents(t.db, log, 'ss', [1, 2, 3, 4, 5].map((n) => testEvent(n)));
    const first = await SseClient.connect(url, headers);
    expect(first.status).toBe(200);
    await first.waitFor(5);
    await appendEvents(t.db, log, 'ss', [6, 7, 8].map((n) => testEvent(n))); // live, while connected
    await first.waitFor(8);
    await first.close();
    const lastId = first.messages.at(-1)!.id!;
    await appendEvents(t.db, log, 'ss', [9, 10, 11, 12].map((n) => testEvent(n))); // while disconnected
    const second = await SseClient.connect(url, { ...headers, 'last-event-id': lastId });
    await second.waitFor(4);
    await appendEvents(t.db, log, 'ss', [testEvent(13)]);
    await second.waitFor(5);
    await second.close();
    const all = [...first.messages, ...second.messages];
    expect(all.map((m) => Number(m.id))).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    for (const m of all) {
      const e = JSON.parse(m.data) as SealedEvent;
      expect([m.event, Number(m.id), e.tenant]).toEqual([e.type, e.seq, 'ss']);
    }
    expect(all.map((m) => (JSON.parse(m.data) as SealedEvent).data.n)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    // ?after= works the same way, and a bad Last-Event-ID is a 400
    const third = await SseClient.connect(`${url}?after=11`, headers);
    await third.waitFor(2);
    await third.close();
    expect(third.messages.map((m) => m.id)).toEqual(['12', '13']);
    const bad = await request(t.url).get('/api/v1/events/stream').set(headers).set('last-event-id', 'abc');
    expect(bad.status).toBe(400);
  });
});

describe('two app instances on one database', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const callsA: string[] = [];
  const callsB: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    await createEffectTable(db);
    a = await startTestApp({ testDb: db });
    b = await startTestApp({ testDb: db });
    a.app.get(EventConsumers).register(effectConsumer('spec-two', ['test.thing.happened'], callsA));
    b.app.get(EventConsumers).register(effectConsumer('spec-two', ['test.thing.happened'], callsB));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('seal every event once and deliver it once per consumer', async () => {
    const work: Promise<string[]>[] = [];
    for (let i = 0; i < 100; i++) {
      const app = i % 2 === 0 ? a : b;
      work.push(appendEvents(app.db, app.app.get(EventLog), i % 3 === 0 ? 'ta' : 'tb', [testEvent(2 * i), testEvent(2 * i + 1)]));
    }
    const ids = (await Promise.all(work)).flat();
    expect(ids).toHaveLength(200);
    await eventually(
      async () => {
        expect(await superuserCount(db, 'select count(*) as n from event_seal')).toBe(200);
        expect(await superuserCount(db, `select count(*) as n from spec_effect where consumer = 'spec-two'`)).toBe(200);
      },
      { timeoutMs: 20_000 },
    );
    await asSuperuser(db, async (c) => {
      const gaps = await c.query<{ tenant_id: string; n: string; max: string }>(
        'select tenant_id, count(*) as n, max(seq) as max from event_seal group by tenant_id order by tenant_id',
      );
      for (const g of gaps.rows) expect(g.n).toBe(g.max);
      const dup = await c.query(`select event_id from spec_effect where consumer = 'spec-two' group by event_id having count(*) > 1`);
      expect(dup.rowCount).toBe(0);
      const handled = await c.query(`select count(distinct event_id) as n from spec_effect where consumer = 'spec-two' and event_id = any($1::uuid[])`, [ids]);
      expect(handled.rows[0].n).toBe('200');
    });
    expect(callsA.length + callsB.length).toBe(200);
    expect(new Set([...callsA, ...callsB]).size).toBe(200);
    for (const tenant of ['ta', 'tb']) {
      const v = await request(a.url).get('/api/v1/events/verify').set(bearer(a, tenant));
      expect(v.body.ok).toBe(true);
    }
  });
});
