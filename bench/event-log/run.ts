/**
 * Event-log benchmark, run by hand (see bench/README.md):
 *
 *   node -r ./bench/register.js bench/event-log/run.ts [--quick]
 *
 * Starts its own embedded PostgreSQL in a temp folder (or uses DATABASE_URL, a superuser URL,
 * creating a scratch database), migrates it, builds the real app (createApp, not listening) and
 * measures, in one run:
 *  1. appends/s through the real path (Database.inTenant + EventLog.append), one event per
 *     transaction and 100 per transaction, against plain INSERTs of the same rows into an
 *     equivalent table (same columns, no trigger, no RLS) through a plain `pg` pool;
 *  2. seal lag (event_seal.sealed_at - event_log.recorded_at, both database clocks) p50/p99 at a
 *     steady 500 events/s with the real sealer loop running;
 *  3. the highest rate the sealer keeps up with: stepped offered rates (p99 lag < 200 ms and no
 *     backlog left), and the raw drain rate of a 20 000-event backlog.
 * Every figure is the median of REPEATS runs.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { MikroORM } from '@mikro-orm/core';
import pino from 'pino';
import { createApp } from '../../src/bootstrap';
import { resolveConfig } from '@shared/config/load-config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@shared/database/embedded-postgres';
import { ensureAppRoleAndDatabase } from '@shared/database/bootstrap-database';
import { migrate, ormOptions } from '@shared/database/database.module';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { Sealer } from '@shared/event-log/sealer';
import { dataDigest } from '@shared/event-log/chain';
import type { NewEvent } from '@shared/event-log/event.types';

const QUICK = process.argv.includes('--quick');
const REPEATS = QUICK ? 1 : 3;
const SINGLE_N = QUICK ? 500 : 3000;
const BATCH_TX = QUICK ? 20 : 100;
const CONCURRENCY = 8;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function event(i: number): NewEvent {
  return {
    type: 'bench.thing.happened',
    actor: { type: 'user', id: `user-${i % 50}` },
    subject: { type: 'thing', id: `thing-${i}` },
    data: { i, text: 'a comment body of a typical length, with some unicode: ünïcödé 😀', handle: '@someone', videoId: '7234567890123456789' },
  };
}

/** The row EventLog.append would insert, for the plain baseline. */
function plainRow(tenant: string, e: NewEvent) {
  const data = JSON.parse(JSON.stringify(e.data)) as Record<string, unknown>;
  return {
    id: crypto.randomUUID(),
    tenant_id: tenant,
    type: e.type,
    occurred_at: new Date().toISOString(),
    actor: e.actor,
    subject: e.subject,
    data,
    data_digest: dataDigest(data),
    integration_id: null,
  };
}

const PLAIN_INSERT = `insert into bench_plain (id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id)
  select id, tenant_id, type, occurred_at, actor, subject, data, data_digest, integration_id
  from jsonb_to_recordset($1::jsonb) as x(id uuid, tenant_id text, type text, occurred_at timestamptz,
       actor jsonb, subject jsonb, data jsonb, data_digest text, integration_id uuid)`;

/** Runs `total` jobs with `concurrency` workers; returns jobs per second. */
async function rate(total: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await job(i);
    }),
  );
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  let pg: EmbeddedPostgresHandle | null = null;
  let tmp: string | null = null;
  let superuserUrl = process.env.DATABASE_URL;
  if (!superuserUrl) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'echo-bench-'));
    pg = await startEmbeddedPostgres({ dataDir: tmp });
    superuserUrl = pg.superuserUrl;
  }
  const dbName = `echo_bench_${randomBytes(3).toString('hex')}`;
  const appUrl = await ensureAppRoleAndDatabase(superuserUrl, { role: 'echo_bench', password: randomBytes(12).toString('hex'), database: dbName });
  const orm = await MikroORM.init(ormOptions(appUrl));
  await migrate(orm, appUrl);
  await orm.close(true);

  const { privateKey } = generateKeyPairSync('ed25519');
  const config = await resolveConfig(
    {
      NODE_ENV: 'test',
      WORKERS: 'false',
      AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUDIT_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      TIKTOK_SANDBOX: 'false',
      TIKTOK_CLIENT_KEY: 'bench',
      TIKTOK_CLIENT_SECRET: 'bench',
      LOG_LEVEL: 'error',
    },
    { databaseUrl: appUrl, embeddedDatabase: false },
  );
  const app = await createApp(config, pino({ level: 'error' }));
  await app.init();
  const db = app.get(Database);
  const log = app.get(EventLog);
  const sealer = app.get(Sealer);
  const plain = new Pool({ connectionString: appUrl, max: 20 });
  await plain.query(`create table bench_plain (
      id uuid primary key, tenant_id text not null, type text not null, occurred_at timestamptz not null,
      actor jsonb not null, subject jsonb not null, data jsonb not null, data_digest text not null,
      integration_id uuid, recorded_at timestamptz not null default clock_timestamp())`);
  await plain.query(`create index on bench_plain (tenant_id, type)`);
  await plain.query(`create index on bench_plain (tenant_id, integration_id) where integration_id is not null`);
  await plain.query(`create index on bench_plain (tenant_id, (actor->>'id'))`);
  const plainTx = async (rows: unknown[]) => {
    const c = await plain.connect();
    try {
      await c.query('begin');
      await c.query(PLAIN_INSERT, [JSON.stringify(rows)]);
      await c.query('commit');
    } finally {
      c.release();
    }
  };
  const tenants = ['bench-a', 'bench-b', 'bench-c', 'bench-d'];
  // event tables have FORCE RLS: count and read them in the system scope, like the sealer does
  const pending = async () => Number((await db.inSystem((tx) => tx.query<{ n: string }>(`select count(*) as n from event_pending`)))[0]!.n);

  // 1. append throughput (sealer stopped; what is appended is sealed between runs)
  const results: Record<string, number[]> = { single: [], singlePlain: [], singleTxPlainTable: [], batch: [], batchPlain: [] };
  // the same Database.inTenant transaction, inserting into the plain table: splits the gap into
  // "transaction wrapper" (ORM, set_config) and "event log" (trigger, pending queue, RLS)
  const txPlainTable = (tenant: string, rows: unknown[]) => db.inTenant(tenant, (tx) => tx.run(PLAIN_INSERT, [JSON.stringify(rows)]));
  for (let r = 0; r < REPEATS; r++) {
    results.single!.push(await rate(SINGLE_N, CONCURRENCY, (i) => db.inTenant(tenants[i % 4]!, (tx) => log.append(tx, event(i)))));
    results.singlePlain!.push(await rate(SINGLE_N, CONCURRENCY, (i) => plainTx([plainRow(tenants[i % 4]!, event(i))])));
    results.singleTxPlainTable!.push(await rate(SINGLE_N, CONCURRENCY, (i) => txPlainTable(tenants[i % 4]!, [plainRow(tenants[i % 4]!, event(i))])));
    const batch = (i: number) => Array.from({ length: 100 }, (_, k) => event(i * 100 + k));
    results.batch!.push(100 * (await rate(BATCH_TX, CONCURRENCY, (i) => db.inTenant(tenants[i % 4]!, (tx) => log.append(tx, batch(i))))));
    results.batchPlain!.push(100 * (await rate(BATCH_TX, CONCURRENCY, (i) => plainTx(batch(i).map((e) => plainRow(tenants[i % 4]!, e))))));
    await sealer.drain();
  }
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) as Record<keyof typeof results, number>;

  // 3b. raw drain rate of a backlog (sealer stopped while it builds up)
  const backlogN = QUICK ? 5000 : 20000;
  const drainRates: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    await rate(backlogN / 100, CONCURRENCY, (i) => db.inTenant(tenants[i % 4]!, (tx) => log.append(tx, Array.from({ length: 100 }, (_, k) => event(k)))));
    const t0 = process.hrtime.bigint();
    await sealer.drain();
    drainRates.push(backlogN / (Number(process.hrtime.bigint() - t0) / 1e9));
  }

  // 2 and 3a. seal lag at offered rates, with the real sealer loop running
  sealer.start();
  const lagAt = async (perSecond: number, seconds: number) => {
    const tenant = `lag-${perSecond}-${randomBytes(2).toString('hex')}`;
    // keep the producer from being the bottleneck: one commit costs an fsync, and this machine
    // manages only a few hundred single-event commits per second even with plain INSERTs
    const perTx = perSecond <= 500 ? 5 : 10;
    const tickMs = 10;
    const perTick = perSecond / (1000 / tickMs) / perTx;
    const inflight = new Set<Promise<unknown>>();
    const t0 = Date.now();
    let sent = 0;
    let owed = 0;
    while (Date.now() - t0 < seconds * 1000) {
      owed += perTick;
      for (; owed >= 1; owed--) {
        const p = db.inTenant(tenant, (tx) => log.append(tx, Array.from({ length: perTx }, (_, k) => event(sent * perTx + k))));
        sent++;
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      const target = t0 + ((Date.now() - t0 + tickMs) / tickMs | 0) * tickMs;
      await sleep(Math.max(0, target - Date.now()));
    }
    await Promise.all(inflight);
    const achieved = (sent * perTx) / ((Date.now() - t0) / 1000);
    const backlogAtEnd = await pending();
    const deadline = Date.now() + 30_000;
    while ((await pending()) > 0 && Date.now() < deadline) await sleep(20);
    const rows = await db.inSystem((tx) => tx.query<{ p50: number; p99: number; max: number; n: string }>(
      `select percentile_cont(0.5) within group (order by lag) * 1000 as p50,
              percentile_cont(0.99) within group (order by lag) * 1000 as p99, max(lag) * 1000 as max, count(*) as n
         from (select extract(epoch from s.sealed_at - e.recorded_at) as lag
                 from event_seal s join event_log e on e.id = s.event_id where s.tenant_id = $1) x`,
      [tenant],
    ));
    const row = rows[0]!;
    return { offered: perSecond, perTx, achieved, p50: Number(row.p50), p99: Number(row.p99), max: Number(row.max), n: Number(row.n), backlogAtEnd };
  };

  const lag500 = [];
  for (let r = 0; r < REPEATS; r++) lag500.push(await lagAt(500, QUICK ? 4 : 10));
  const steps = [];
  for (const perSecond of [1000, 2000, 4000, 8000]) {
    const runs = [];
    for (let r = 0; r < REPEATS; r++) runs.push(await lagAt(perSecond, QUICK ? 3 : 6));
    steps.push({
      offered: perSecond,
      achieved: median(runs.map((x) => x.achieved)),
      p50: median(runs.map((x) => x.p50)),
      p99: median(runs.map((x) => x.p99)),
      backlogAtEnd: median(runs.map((x) => x.backlogAtEnd)),
    });
  }
  await sealer.stop();

  const fmt = (n: number, d = 0) => n.toFixed(d);
  const keepsUp = steps.filter((s) => s.p99 < 200 && s.achieved >= 0.9 * s.offered);
  const report = {
    date: new Date().toISOString(),
    repeats: REPEATS,
    append: {
      singlePerSecond: fmt(m.single),
      singlePlainPerSecond: fmt(m.singlePlain),
      singleRatio: fmt(m.single / m.singlePlain, 2),
      singleSameTxPlainTablePerSecond: fmt(m.singleTxPlainTable),
      singleRatioToSameTxPlainTable: fmt(m.single / m.singleTxPlainTable, 2),
      batch100PerSecond: fmt(m.batch),
      batch100PlainPerSecond: fmt(m.batchPlain),
      batch100Ratio: fmt(m.batch / m.batchPlain, 2),
      raw: results,
    },
    sealLagAt500: {
      p50ms: fmt(median(lag500.map((x) => x.p50)), 1),
      p99ms: fmt(median(lag500.map((x) => x.p99)), 1),
      maxMs: fmt(median(lag500.map((x) => x.max)), 1),
      achievedPerSecond: fmt(median(lag500.map((x) => x.achieved))),
      runs: lag500,
    },
    sealerSteps: steps,
    highestKeptUpOffered: keepsUp.length ? Math.max(...keepsUp.map((s) => s.offered)) : (Number(median(lag500.map((x) => x.p99))) < 200 ? 500 : 0),
    backlogDrainPerSecond: fmt(median(drainRates)),
    targets: {
      appendAtLeastHalfOfBaseline: m.single / m.singlePlain >= 0.5 && m.batch / m.batchPlain >= 0.5,
      sealLagP99Under200msAt500: median(lag500.map((x) => x.p99)) < 200,
    },
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');

  await plain.end();
  await app.close();
  if (pg) {
    await pg.stop();
    rmSync(tmp!, { recursive: true, force: true });
  } else {
    const su = new Pool({ connectionString: superuserUrl, max: 1 });
    await su.query(`drop database if exists ${dbName} with (force)`);
    await su.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
