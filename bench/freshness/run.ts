/**
 * Freshness benchmark, run by hand (see bench/README.md "Freshness"):
 *
 *   node -r ./bench/register.js bench/freshness/run.ts [--minutes=20] [--webhook-minutes=10] [--grace=5] [--quick]
 *
 * How long after a fan posts a comment on TikTok is it in Echo's database, polling alone and with
 * webhooks, inside TikTok's rate limits? In one run:
 *  1. a fresh embedded PostgreSQL in a temp folder, migrated as the app role; one TikTok simulator
 *     for the whole run (rate limits: 40 / 60 s per account and endpoint, 600 / 60 s and 10 / s per
 *     app; webhooks delivered `--webhook-delay-ms` after the comment);
 *  2. one account with 1,000 videos over ~2 years and ~20,000 comments (seed.ts);
 *  3. loading, not measured: the simulator's limits and our budget off (`TIKTOK_RATE_BUDGET=off`),
 *     an instance connects the account through the real OAuth flow and backfills until `live`;
 *  4. scenario A, polling alone: limits on, budget enforced, workers on, default sync interval,
 *     no webhook URL; a generator posts a comment every 3 s for `--minutes` (60 % on videos under a
 *     week old, 25 % under a month, 15 % older; 20 % replies), then a grace period;
 *  5. scenario B, webhooks: a new instance with `TIKTOK_WEBHOOK_URL` (it subscribes the simulator
 *     at start-up), the same generator for `--webhook-minutes`, then a grace period;
 *  6. the check: comments at the simulator not stored; then a forced full reconciliation of every
 *     video (limits lifted to run it quickly) and the whole sets compared again.
 * Delays are posting (this process's clock) → `tiktok_comment.received_at` (PostgreSQL's `now()`,
 * same machine clock); webhook receipt = `tiktok_webhook_item.received_at` (the delivery's).
 * Prints a Markdown table and writes bench/freshness/last-run.json (`--quick`: the temp folder); progress goes to stderr.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startTikTokSimulator, type RecordedCall, type RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@shared/database/embedded-postgres';
import { ensureAppRoleAndDatabase, migrateWithSecuredAudit } from '@shared/database/bootstrap-database';
import { seedAccount, type SeededAccount } from './seed';
import { AGE_CLASSES, AGE_LABEL, CommentGenerator, DEFAULT_GENERATOR, type AgeClass, type Generated } from './generator';
import { connectAccount, messagesIn, startInstance, warningsIn, type Instance, type Secrets } from './instance';
import { fmtSeconds, fmtSummary, summarize, type DelaySummary } from './stats';

// ---------------------------------------------------------------- options

const QUICK = process.argv.includes('--quick');
const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const MINUTES_A = arg('minutes', QUICK ? 3 : 20);
const MINUTES_B = arg('webhook-minutes', QUICK ? 2 : 10);
const GRACE_A = arg('grace', QUICK ? 1 : 5);
const GRACE_B = arg('webhook-grace', QUICK ? 1 : 2);
const INTERVAL_MS = arg('interval-ms', DEFAULT_GENERATOR.intervalMs);
const WEBHOOK_DELAY_MS = arg('webhook-delay-ms', 1_000);
const VIDEOS = arg('videos', 1_000);
const TOP_LEVEL = arg('top-level', 16_500);
const TENANT = 'bench-fresh';
const RECENT_TARGET_S = 5 * 60;
/** the "after the first minutes" figure leaves out comments posted this early in a scenario */
const WARMUP_MINUTES = QUICK ? 1 : 5;
const WEBHOOK_TARGET_S = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const log = (m: string) => process.stderr.write(`[freshness ${new Date().toISOString().slice(11, 19)} +${Math.round((Date.now() - started) / 1000)}s] ${m}\n`);

/** Undo steps for a failed run (newest first). */
const onFailure: (() => Promise<unknown> | void)[] = [];

// ---------------------------------------------------------------- measurement helpers

interface DueSample {
  atS: number;
  due: number;
  dueWeek: number;
  maxOverdueS: number;
  maxOverdueWeekS: number;
}

interface CallStats {
  /** data calls (business/*, webhook subscription calls excluded) */
  data: number;
  byEndpoint: Record<string, number>;
  webhookApi: number;
  code40100: number;
  otherErrors: Record<string, number>;
  /** the most calls of one endpoint in any 60 s (TikTok's per account and endpoint window; one account here) */
  max60sByEndpoint: Record<string, number>;
}

function callStats(calls: RecordedCall[]): CallStats {
  const s: CallStats = { data: 0, byEndpoint: {}, webhookApi: 0, code40100: 0, otherErrors: {}, max60sByEndpoint: {} };
  const times = new Map<string, number[]>();
  for (const c of calls) {
    if (c.code === 40100) s.code40100 += 1;
    if (!c.path.startsWith('business/')) continue; // OAuth and the authorize page
    if (c.path.startsWith('business/webhook/')) {
      s.webhookApi += 1;
      continue;
    }
    s.data += 1;
    const key = `${c.path.replace(/^business\//, '').replace(/\/$/, '')}${c.query.comment_ids ? ' (by id)' : ''}`;
    s.byEndpoint[key] = (s.byEndpoint[key] ?? 0) + 1;
    const endpoint = c.path.replace(/^business\//, '').replace(/\/$/, '');
    const list = times.get(endpoint) ?? [];
    list.push(c.at);
    times.set(endpoint, list);
    if (c.code !== undefined && c.code !== 0 && c.code !== 40100) s.otherErrors[String(c.code)] = (s.otherErrors[String(c.code)] ?? 0) + 1;
  }
  for (const [endpoint, ts] of times) {
    let most = 0;
    for (let i = 0, j = 0; j < ts.length; j++) {
      while (ts[j]! - ts[i]! >= 60_000) i++;
      most = Math.max(most, j - i + 1);
    }
    s.max60sByEndpoint[endpoint] = most;
  }
  return s;
}

interface ScenarioResult {
  name: string;
  webhooks: boolean;
  minutes: number;
  graceMinutesUsed: number;
  posted: number;
  delays: Record<'all' | AgeClass | 'weekAfterWarmup' | 'weekTopLevel' | 'weekReplies' | 'topLevel' | 'replyFirstPage' | 'replyDeeper', DelaySummary>;
  notStoredAtEnd: Record<AgeClass, number> & { replyDeeper: number };
  /** the comments not stored by the end of the grace; `laterS`: their delay if stored before the forced reconciliation */
  unstored: (Generated & { laterS: number | null })[];
  /** every comment posted: delay to stored (ms, null: not stored by the end of the grace) and, with webhooks, to receipt */
  comments: (Generated & { storedAfterMs: number | null; receiptAfterMs?: number | null })[];
  webhook: null | {
    receiptToStored: DelaySummary;
    /** stored by a poll before the delivery arrived (not in receiptToStored) */
    storedBeforeReceipt: number;
    /** no delivery item recorded for the comment */
    withoutItem: number;
    postingToReceipt: DelaySummary;
    deliveries: { sent: number; delivered: number; failed: number; retried: number };
  };
  calls: { generatorWindow: CallStats; grace: CallStats; perNewComment: number };
  due: DueSample[];
  warnings: Record<string, number>;
  messages: Record<string, number>;
}

/** The report as indented JSON, with one line per record in the long per-comment and per-sample lists. */
function stringifyReport(report: unknown): string {
  const rows: string[] = [];
  const text = JSON.stringify(
    report,
    (k, v: unknown) => {
      if ((k === 'comments' || k === 'unstored' || k === 'due') && Array.isArray(v)) {
        return v.map((x: unknown) => {
          rows.push(JSON.stringify(x));
          return `\u0000${rows.length - 1}`;
        });
      }
      return v;
    },
    2,
  );
  return text.replace(/"\\u0000(\d+)"/g, (_m, i: string) => rows[Number(i)]!);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'echo-freshness-bench-'));
  const logDir = path.join(os.tmpdir(), `echo-freshness-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(logDir, { recursive: true });
  onFailure.unshift(() => rmSync(tmp, { recursive: true, force: true }));
  log(`options: A ${MINUTES_A} min + ${GRACE_A} min grace, B ${MINUTES_B} min + ${GRACE_B} min grace, a comment every ${INTERVAL_MS} ms, webhook delay ${WEBHOOK_DELAY_MS} ms; app logs in ${logDir}`);

  // ---- 1. database ----
  const pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg') });
  onFailure.unshift(() => pg.stop());
  const dbName = 'echo_freshness';
  const appUrl = await ensureAppRoleAndDatabase(pg.superuserUrl, { role: 'echo_bench', password: randomBytes(12).toString('hex'), database: dbName });
  // as the embedded service does at start: migrate as the app role, then the audit tables go to their own owner
  const migrations = await migrateWithSecuredAudit(pg.superuserUrl, appUrl, 'echo_bench', dbName);
  const suUrl = new URL(pg.superuserUrl);
  suUrl.pathname = `/${dbName}`;
  const su = new Client({ connectionString: suUrl.toString() });
  su.on('error', () => undefined);
  await su.connect();
  onFailure.unshift(() => su.end());
  log(`database ready (${migrations.length} migrations)`);

  // ---- 2. simulator and account ----
  const sim: RunningSimulator = await startTikTokSimulator({ rateLimit: { enabled: true }, webhook: { delayMs: WEBHOOK_DELAY_MS } });
  onFailure.unshift(() => sim.close());
  const tSeed = Date.now();
  const account: SeededAccount = seedAccount(sim.control, { videos: VIDEOS, topLevelTarget: TOP_LEVEL });
  const simTotal = () => sim.control.listVideos(account.openId).reduce((s, v) => s + sim.control.getComments(account.openId, v.itemId).length, 0);
  log(`seeded ${JSON.stringify(account.counts)}, videos by age ${JSON.stringify(account.ages)} in ${((Date.now() - tSeed) / 1000).toFixed(1)} s`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const secrets: Secrets = {
    jwtSecret: randomBytes(32).toString('hex'),
    tokenKey: randomBytes(32).toString('base64'),
    signingKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
  let current: Instance | null = null;
  onFailure.unshift(() => current?.close());
  const instance = async (name: string, o: { rateBudget: 'enforced' | 'off'; webhooks: boolean }) => {
    current = await startInstance({ name, databaseUrl: appUrl, sim, secrets, logFile: path.join(logDir, `${name}.log`), workers: true, ...o });
    return current;
  };
  const closeCurrent = async () => {
    const c = current;
    current = null;
    await c?.close();
  };

  const integration = async (id: string) =>
    (
      await su.query<{ sync_stage: string; status: string; videos_known: number; videos_backfilled: number; comments_stored: number; next_sync_at: Date | null; last_sync_error: string | null }>(
        `select sync_stage, status, videos_known, videos_backfilled, comments_stored, next_sync_at, last_sync_error from tiktok_integration where id = $1`,
        [id],
      )
    ).rows[0]!;
  const storedCount = async (id: string) => Number((await su.query<{ n: string }>(`select count(*) as n from tiktok_comment where integration_id = $1 and tiktok_comment_id is not null and not deleted`, [id])).rows[0]!.n);

  // ---- 3. loading (not measured) ----
  sim.setRateLimit(false);
  const tLoad = Date.now();
  const loader = await instance('load', { rateBudget: 'off', webhooks: false });
  const integrationId = await connectAccount(loader, sim, account.openId, TENANT);
  log(`connected: integration ${integrationId}; backfilling with the limits off`);
  for (;;) {
    const s = await integration(integrationId);
    if (s.sync_stage === 'live') break;
    if (s.status !== 'active' || Date.now() - tLoad > 60 * 60_000) throw new Error(`backfill stuck: ${JSON.stringify(s)}`);
    log(`  backfill: ${s.videos_backfilled}/${s.videos_known} videos, ${s.comments_stored} comments${s.last_sync_error ? `, last error ${s.last_sync_error}` : ''}`);
    await sleep(10_000);
  }
  await closeCurrent();
  const loadSeconds = (Date.now() - tLoad) / 1000;
  const simAfterLoad = simTotal();
  const storedAfterLoad = await storedCount(integrationId);
  log(`backfill done in ${loadSeconds.toFixed(0)} s: ${storedAfterLoad} of ${simAfterLoad} comments stored`);
  const loadCalls = sim.control.calls().length;

  // ---- 4./5. scenarios ----
  const generator = new CommentGenerator(sim.control, account, DEFAULT_GENERATOR, log);

  const dueSample = async (t0: number): Promise<DueSample> => {
    const r = (
      await su.query<{ due: string; due_week: string; max_overdue: number | null; max_overdue_week: number | null }>(
        `select count(*) filter (where next_poll_at <= now()) as due,
                count(*) filter (where next_poll_at <= now() and posted_at > now() - interval '7 days') as due_week,
                extract(epoch from max(now() - next_poll_at) filter (where next_poll_at <= now()))::float8 as max_overdue,
                extract(epoch from max(now() - next_poll_at) filter (where next_poll_at <= now() and posted_at > now() - interval '7 days'))::float8 as max_overdue_week
           from tiktok_video where integration_id = $1 and gone_at is null`,
        [integrationId],
      )
    ).rows[0]!;
    return { atS: Math.round((Date.now() - t0) / 1000), due: Number(r.due), dueWeek: Number(r.due_week), maxOverdueS: Math.round(r.max_overdue ?? 0), maxOverdueWeekS: Math.round(r.max_overdue_week ?? 0) };
  };
  const storedAt = async (ids: string[]): Promise<Map<string, number>> => {
    const rows = (
      await su.query<{ tiktok_comment_id: string; received_at: Date }>(
        `select tiktok_comment_id, received_at from tiktok_comment where integration_id = $1 and tiktok_comment_id = any($2::text[])`,
        [integrationId, ids],
      )
    ).rows;
    return new Map(rows.map((r) => [r.tiktok_comment_id, r.received_at.getTime()]));
  };

  const scenario = async (name: string, o: { webhooks: boolean; minutes: number; graceMinutes: number }): Promise<ScenarioResult> => {
    log(`scenario ${name}: ${o.webhooks ? 'webhooks + polling' : 'polling alone'}, limits on, budget enforced`);
    sim.setRateLimit(true);
    const inst = await instance(name, { rateBudget: 'enforced', webhooks: o.webhooks });
    if (o.webhooks) {
      const hook = `${inst.url}/api/v1/webhooks/tiktok`;
      for (let i = 0; sim.control.webhookSubscription()?.callbackUrl !== hook; i++) {
        if (i > 120) throw new Error(`the app did not subscribe ${hook}: ${JSON.stringify(sim.control.webhookSubscription())}`);
        await sleep(250);
      }
      log(`  the app subscribed the simulator: ${hook}`);
    }
    const c0 = sim.control.calls().length;
    const t0 = Date.now();
    const due: DueSample[] = [await dueSample(t0)];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(30_000);
        if (!sampling) break;
        const s = await dueSample(t0);
        due.push(s);
        log(`  due videos ${s.due} (under a week old ${s.dueWeek}), most overdue ${s.maxOverdueS} s (under a week old ${s.maxOverdueWeekS} s)`);
      }
    })();
    const posted = await generator.run(name, o.minutes * 60_000);
    const c1 = sim.control.calls().length;
    const tGen = Date.now();
    log(`  ${posted.length} comments posted; grace up to ${o.graceMinutes} min`);
    let stored = await storedAt(posted.map((g) => g.id));
    while (Date.now() - tGen < o.graceMinutes * 60_000 && stored.size < posted.length) {
      await sleep(5_000);
      stored = await storedAt(posted.map((g) => g.id));
    }
    const graceMinutesUsed = (Date.now() - tGen) / 60_000;
    if (o.webhooks) await Promise.race([sim.control.flushWebhooks(), sleep(10_000)]);
    sampling = false;
    await sampler;
    stored = await storedAt(posted.map((g) => g.id));
    const calls = sim.control.calls();
    const windowCalls = callStats(calls.slice(c0, c1));
    const graceCalls = callStats(calls.slice(c1));
    const delayOf = (g: Generated): number | null => {
      const at = stored.get(g.id);
      return at === undefined ? null : at - g.postedMs;
    };
    const sel = (f: (g: Generated) => boolean) => summarize(posted.filter(f).map(delayOf));
    const result: ScenarioResult = {
      name,
      webhooks: o.webhooks,
      minutes: o.minutes,
      graceMinutesUsed: Math.round(graceMinutesUsed * 10) / 10,
      posted: posted.length,
      delays: {
        all: sel(() => true),
        week: sel((g) => g.ageClass === 'week'),
        weekAfterWarmup: sel((g) => g.ageClass === 'week' && g.postedMs - t0 >= WARMUP_MINUTES * 60_000),
        weekTopLevel: sel((g) => g.ageClass === 'week' && g.parentRank === null),
        weekReplies: sel((g) => g.ageClass === 'week' && g.parentRank !== null),
        month: sel((g) => g.ageClass === 'month'),
        older: sel((g) => g.ageClass === 'older'),
        topLevel: sel((g) => g.parentRank === null),
        replyFirstPage: sel((g) => g.parentRank !== null && g.parentRank < 30),
        replyDeeper: sel((g) => g.parentRank !== null && g.parentRank >= 30),
      },
      notStoredAtEnd: {
        week: posted.filter((g) => g.ageClass === 'week' && !stored.has(g.id)).length,
        month: posted.filter((g) => g.ageClass === 'month' && !stored.has(g.id)).length,
        older: posted.filter((g) => g.ageClass === 'older' && !stored.has(g.id)).length,
        replyDeeper: posted.filter((g) => g.parentRank !== null && g.parentRank >= 30 && !stored.has(g.id)).length,
      },
      unstored: posted.filter((g) => !stored.has(g.id)).map((g) => ({ ...g, laterS: null })),
      comments: posted.map((g) => ({ ...g, storedAfterMs: delayOf(g) })),
      webhook: null,
      calls: { generatorWindow: windowCalls, grace: graceCalls, perNewComment: Math.round((windowCalls.data / Math.max(1, posted.length)) * 100) / 100 },
      due,
      warnings: {},
      messages: {},
    };
    if (o.webhooks) {
      const items = new Map(
        (
          await su.query<{ tiktok_comment_id: string; received_at: Date }>(
            `select tiktok_comment_id, min(received_at) as received_at from tiktok_webhook_item
              where integration_id = $1 and action = 'insert' and tiktok_comment_id = any($2::text[]) group by 1`,
            [integrationId, posted.map((g) => g.id)],
          )
        ).rows.map((r) => [r.tiktok_comment_id, r.received_at.getTime()]),
      );
      const receipt: (number | null)[] = [];
      let before = 0;
      let without = 0;
      for (const g of posted) {
        const r = items.get(g.id);
        const s = stored.get(g.id);
        if (r === undefined) {
          without += 1;
          continue;
        }
        if (s !== undefined && s < r) {
          before += 1;
          continue;
        }
        receipt.push(s === undefined ? null : s - r);
      }
      for (const c of result.comments) c.receiptAfterMs = items.has(c.id) ? items.get(c.id)! - c.postedMs : null;
      const ours = sim.control.deliveries().filter((d) => d.url.startsWith(inst.url));
      result.webhook = {
        receiptToStored: summarize(receipt),
        storedBeforeReceipt: before,
        withoutItem: without,
        postingToReceipt: summarize(posted.map((g) => (items.has(g.id) ? items.get(g.id)! - g.postedMs : null))),
        deliveries: {
          sent: ours.length,
          delivered: ours.filter((d) => d.state === 'delivered').length,
          failed: ours.filter((d) => d.state === 'failed').length,
          retried: ours.filter((d) => d.attempts.length > 1).length,
        },
      };
    }
    await closeCurrent();
    result.warnings = warningsIn(inst.logFile);
    result.messages = messagesIn(inst.logFile, ['tiktok call refused by rate budget', 'sync waits for the rate budget', 'sync failed; retried later', 'webhook items handled', 'webhook items failed; retried later']);
    const d = result.delays;
    log(
      `  ${name}: all ${fmtSummary(d.all, 'n/s')}; <1 week ${fmtSummary(d.week, 'n/s')}; <1 month ${fmtSummary(d.month, 'n/s')}; older ${fmtSummary(d.older, 'n/s')}; ` +
        `${windowCalls.data} data calls (${result.calls.perNewComment}/comment), 40100: ${windowCalls.code40100 + graceCalls.code40100}` +
        (result.webhook ? `; receipt→stored ${fmtSummary(result.webhook.receiptToStored, 'n/s')}` : ''),
    );
    log(`  warnings: ${JSON.stringify(result.warnings)}; ${JSON.stringify(result.messages)}`);
    return result;
  };

  const a = await scenario('A-polling', { webhooks: false, minutes: MINUTES_A, graceMinutes: GRACE_A });
  const b = await scenario('B-webhooks', { webhooks: true, minutes: MINUTES_B, graceMinutes: GRACE_B });
  sim.control.setWebhookSubscription(null);

  // ---- 6. the check: what TikTok has vs what is stored, before and after a forced full reconciliation ----
  const simIds = () => {
    const ids = new Set<string>();
    for (const v of sim.control.listVideos(account.openId)) for (const c of sim.control.getComments(account.openId, v.itemId)) ids.add(c.commentId);
    return ids;
  };
  const storedIds = async () => {
    const rows = (
      await su.query<{ tiktok_comment_id: string; n: string }>(
        `select tiktok_comment_id, count(*) as n from tiktok_comment where integration_id = $1 and tiktok_comment_id is not null and not deleted group by 1`,
        [integrationId],
      )
    ).rows;
    return { ids: new Set(rows.map((r) => r.tiktok_comment_id)), duplicates: rows.filter((r) => Number(r.n) > 1).length };
  };
  const compare = async () => {
    const want = simIds();
    const have = await storedIds();
    const missing = [...want].filter((id) => !have.ids.has(id));
    const extra = [...have.ids].filter((id) => !want.has(id));
    const deletedButThere = Number(
      (await su.query<{ n: string }>(`select count(*) as n from tiktok_comment where integration_id = $1 and deleted and tiktok_comment_id = any($2::text[])`, [integrationId, [...want]])).rows[0]!.n,
    );
    return { atSimulator: want.size, stored: have.ids.size, missing, extra: extra.length, duplicates: have.duplicates, markedDeletedButAtTikTok: deletedButThere };
  };
  const before = await compare();
  for (const r of [a, b]) {
    const later = await storedAt(r.unstored.map((g) => g.id));
    for (const g of r.unstored) g.laterS = later.has(g.id) ? Math.round((later.get(g.id)! - g.postedMs) / 100) / 10 : null;
    log(`  ${r.name}, not stored by the end of its grace: ${r.unstored.map((g) => `${g.ageClass} video #${g.videoRank}${g.parentRank === null ? '' : ` reply under #${g.parentRank}`} → ${g.laterS === null ? 'still not stored' : `${g.laterS} s`}`).join('; ')}`);
  }
  log(`before the forced reconciliation: ${before.missing.length} of ${before.atSimulator} comments at the simulator not stored, ${before.extra} extra, ${before.duplicates} duplicates`);

  await su.query(`update tiktok_video set last_reconciled_at = null where integration_id = $1`, [integrationId]);
  sim.setRateLimit(false);
  const tRec = Date.now();
  const c0 = sim.control.calls().length;
  await instance('reconcile', { rateBudget: 'off', webhooks: false });
  for (;;) {
    await su.query(`update tiktok_integration set next_sync_at = now() where id = $1 and next_sync_at > now()`, [integrationId]);
    const left = Number((await su.query<{ n: string }>(`select count(*) as n from tiktok_video where integration_id = $1 and gone_at is null and last_reconciled_at is null`, [integrationId])).rows[0]!.n);
    if (left === 0) break;
    if (Date.now() - tRec > 45 * 60_000) throw new Error(`forced reconciliation stuck: ${left} videos left`);
    log(`  reconciliation: ${left} videos left`);
    await sleep(10_000);
  }
  await closeCurrent();
  const reconcileSeconds = (Date.now() - tRec) / 1000;
  const reconcileCalls = callStats(sim.control.calls().slice(c0));
  const after = await compare();
  const foundByReconciliation = before.missing.filter((id) => !after.missing.includes(id));
  const generatedById = new Map(generator.posted.map((g) => [g.id, g]));
  const classify = (ids: string[]) => {
    const out: Record<string, number> = {};
    for (const id of ids) {
      const g = generatedById.get(id);
      const key = g ? `${g.scenario} ${g.ageClass} ${g.parentRank === null ? 'top-level' : g.parentRank < 30 ? 'reply (first page)' : 'reply (deeper)'}` : 'seeded';
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  };
  log(`after the forced reconciliation (${reconcileSeconds.toFixed(0)} s, ${reconcileCalls.data} calls): ${after.missing.length} missing, ${after.extra} extra, ${after.duplicates} duplicates; found only by it: ${foundByReconciliation.length} ${JSON.stringify(classify(foundByReconciliation))}`);

  // ---- report ----
  const allCalls = sim.control.calls();
  const total40100 = allCalls.filter((c) => c.code === 40100).length;
  const maxTopLevel = Math.max(...account.videos.map((v) => sim.control.getComments(account.openId, v.itemId).filter((c) => !c.parentCommentId).length));
  const git = (cmd: string) => {
    try {
      return execSync(cmd, { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'n/a';
    }
  };
  const report = {
    date: new Date().toISOString(),
    // BENCH_SOURCE: set when the run is made from an exported copy of a commit (no .git there)
    source: process.env.BENCH_SOURCE ?? `${git('git rev-parse --short HEAD')}${git('git status --short -- src migrations') ? ' + uncommitted changes in src/migrations' : ''}`,
    options: { quick: QUICK, minutesA: MINUTES_A, minutesB: MINUTES_B, graceA: GRACE_A, graceB: GRACE_B, intervalMs: INTERVAL_MS, webhookDelayMs: WEBHOOK_DELAY_MS, generator: DEFAULT_GENERATOR },
    machine: { nproc: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg: os.loadavg() },
    account: { ...account.counts, ages: account.ages, maxTopLevelOnAVideoAtEnd: maxTopLevel },
    loading: { seconds: loadSeconds, storedAfterLoad, atSimulatorAfterLoad: simAfterLoad, calls: loadCalls },
    scenarios: [a, b],
    check: {
      beforeReconciliation: { ...before, missing: before.missing.length, missingByKind: classify(before.missing) },
      reconciliation: { seconds: reconcileSeconds, calls: reconcileCalls },
      afterReconciliation: { ...after, missing: after.missing.length, missingByKind: classify(after.missing) },
      foundOnlyByReconciliation: foundByReconciliation.length,
      foundOnlyByReconciliationByKind: classify(foundByReconciliation),
    },
    answers40100: total40100,
    targets: {
      webhookReceiptToStoredP95Under2s: b.webhook?.receiptToStored.p95 !== null && (b.webhook?.receiptToStored.p95 ?? Infinity) < WEBHOOK_TARGET_S,
      pollingP95UnderFiveMinutesForVideosUnderAWeek: a.delays.week.p95 !== null && a.delays.week.p95 < RECENT_TARGET_S,
      zero40100: total40100 === 0,
      zeroMissedAfterReconciliation: after.missing.length === 0 && after.duplicates === 0,
    },
    logs: logDir,
    totalSeconds: (Date.now() - started) / 1000,
  };
  // a quick run does not replace the recorded figures
  const out = QUICK ? path.join(os.tmpdir(), 'freshness-last-run-quick.json') : path.join(__dirname, 'last-run.json');
  writeFileSync(out, `${stringifyReport(report)}\n`);
  log(`report written to ${out}`);

  const grace = (r: ScenarioResult) => `not stored after ${fmtSeconds(r.minutes * 60 + r.graceMinutesUsed * 60)}`;
  const row = (label: string, f: (r: ScenarioResult) => DelaySummary) => `| ${label} | ${fmtSummary(f(a), grace(a))} | ${fmtSummary(f(b), grace(b))} |`;
  const lines = [
    '| posting → stored: p50 / p95 / max stored (stored/posted) | A: polling alone | B: webhooks + polling |',
    '|---|---|---|',
    row('all new comments', (r) => r.delays.all),
    ...AGE_CLASSES.map((c) => row(AGE_LABEL[c], (r) => r.delays[c])),
    row(`${AGE_LABEL.week}: top-level comments`, (r) => r.delays.weekTopLevel),
    row(`${AGE_LABEL.week}: replies`, (r) => r.delays.weekReplies),
    row(`${AGE_LABEL.week}, posted after the first ${WARMUP_MINUTES} min`, (r) => r.delays.weekAfterWarmup),
    row('top-level comments', (r) => r.delays.topLevel),
    row('replies under a comment on the first page (30 newest)', (r) => r.delays.replyFirstPage),
    row('replies under an older comment', (r) => r.delays.replyDeeper),
    `| webhook receipt → stored | | ${b.webhook ? `${fmtSummary(b.webhook.receiptToStored, 'not stored')}; ${b.webhook.storedBeforeReceipt} stored by a poll first` : ''} |`,
    `| posting → webhook receipt | | ${b.webhook ? fmtSummary(b.webhook.postingToReceipt, 'no delivery') : ''} |`,
    `| TikTok data calls while posting (per new comment) | ${a.calls.generatorWindow.data} (${a.calls.perNewComment}) | ${b.calls.generatorWindow.data} (${b.calls.perNewComment}) |`,
    `| by-id lookups (webhooks) among them | ${a.calls.generatorWindow.byEndpoint['comment/list (by id)'] ?? 0} | ${b.calls.generatorWindow.byEndpoint['comment/list (by id)'] ?? 0} |`,
    `| most \`comment/list\` calls in any 60 s (TikTok allows 40) | ${a.calls.generatorWindow.max60sByEndpoint['comment/list'] ?? 0} | ${b.calls.generatorWindow.max60sByEndpoint['comment/list'] ?? 0} |`,
    `| calls our budget refused (the caller waited) | ${a.messages['tiktok call refused by rate budget'] ?? 0} | ${b.messages['tiktok call refused by rate budget'] ?? 0} |`,
    `| 40100 answers (scenario and its grace) | ${a.calls.generatorWindow.code40100 + a.calls.grace.code40100} | ${b.calls.generatorWindow.code40100 + b.calls.grace.code40100} |`,
  ];
  const check = [
    '',
    `| check | count |`,
    '|---|---|',
    `| comments at the simulator at the end | ${after.atSimulator} |`,
    `| not stored before the forced reconciliation | ${before.missing.length} |`,
    `| found only by the forced reconciliation | ${foundByReconciliation.length} |`,
    `| missing after it | **${after.missing.length}** |`,
    `| duplicates / extra stored | ${after.duplicates} / ${after.extra} |`,
    `| 40100 answers, whole run | **${total40100}** |`,
  ];
  process.stdout.write(`${[...lines, ...check].join('\n')}\n\n${JSON.stringify(report.targets, null, 2)}\n`);

  await su.end();
  await sim.close();
  await pg.stop();
  rmSync(tmp, { recursive: true, force: true });
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch(async (err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  for (const undo of onFailure) await Promise.resolve(undo()).catch(() => undefined);
  process.exit(1);
});
