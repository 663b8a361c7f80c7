/**
 * The TikTok simulator for the sync-backfill bench, either in a child process (default: TikTok is
 * not in our process in production, so its JSON building and sorting should not share the app's
 * event loop) or in this process (`--sim-in-process`, like bench/inbox). Both run the same
 * `startTikTokSimulator` with its rate limit off and the deep-paging quirk at its default.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startTikTokSimulator, type RunningSimulator } from '../../src/sandbox/tiktok-simulator';
import type { RecordedCall } from '../../src/sandbox/simulator-control';
import { seedBackfillAccount, type SeedOptions, type SeedResult } from './seed';

/** Calls the simulator received, by path: count and the TikTok codes (or HTTP statuses) answered. */
export type CallSummary = Record<string, { calls: number; codes: Record<string, number>; deepPages?: number }>;

export interface SimHost {
  apiBaseUrl: string;
  authorizeUrl: string;
  clientKey: string;
  clientSecret: string;
  deepPaging: { from: number; every: number } | null;
  seed(opts: SeedOptions): Promise<SeedResult>;
  /** the authorize page approves the next visit as this account */
  approve(openId: string): Promise<void>;
  calls(): Promise<CallSummary>;
  /** CPU time of the simulator's process (the app's own when in process) */
  cpuUsage(): Promise<NodeJS.CpuUsage>;
  resetCalls(): Promise<void>;
  close(): Promise<void>;
}

export function summarizeCalls(calls: RecordedCall[], deepFrom: number): CallSummary {
  const out: CallSummary = {};
  for (const c of calls) {
    const s = (out[c.path] ??= { calls: 0, codes: {} });
    s.calls += 1;
    const code = String(c.code ?? 'hung');
    s.codes[code] = (s.codes[code] ?? 0) + 1;
    if (c.path === 'business/comment/list/' && Number(c.query.cursor ?? 0) >= deepFrom) s.deepPages = (s.deepPages ?? 0) + 1;
  }
  return out;
}

function inProcess(sim: RunningSimulator): SimHost {
  const c = sim.control;
  return {
    apiBaseUrl: sim.apiBaseUrl,
    authorizeUrl: sim.authorizeUrl,
    clientKey: sim.clientKey,
    clientSecret: sim.clientSecret,
    deepPaging: c.deepPaging,
    seed: (opts) => Promise.resolve(seedBackfillAccount(c, opts)),
    approve: (openId) => Promise.resolve(c.setAuthorizeDecision({ mode: 'approve', openId })),
    calls: () => Promise.resolve(summarizeCalls(c.calls(), c.deepPaging?.from ?? 500)),
    cpuUsage: () => Promise.resolve(process.cpuUsage()),
    resetCalls: () => Promise.resolve(c.resetCalls()),
    close: () => sim.close(),
  };
}

interface Ready {
  ready: { apiBaseUrl: string; authorizeUrl: string; clientKey: string; clientSecret: string; deepPaging: { from: number; every: number } | null };
}
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

function inChild(hook: string): Promise<SimHost> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(path.join(__dirname, 'simulator-child.ts'), [], {
      execArgv: ['-r', hook],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    let next = 1;
    const waiting = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
    const ask = <T>(op: string, args?: unknown): Promise<T> =>
      new Promise<T>((ok, fail) => {
        const id = next++;
        waiting.set(id, { ok: (v) => ok(v as T), fail });
        child.send({ id, op, args });
      });
    let exited = false;
    child.on('exit', (code) => {
      exited = true;
      for (const w of waiting.values()) w.fail(new Error(`simulator child exited ${code}`));
      waiting.clear();
      reject(new Error(`simulator child exited ${code} before it was ready`));
    });
    child.on('message', (m: Ready | Reply) => {
      if ('ready' in m) {
        resolve({
          ...m.ready,
          seed: (opts) => ask<SeedResult>('seed', opts),
          approve: (openId) => ask<void>('approve', openId),
          calls: () => ask<CallSummary>('calls'),
          cpuUsage: () => ask<NodeJS.CpuUsage>('cpuUsage'),
          resetCalls: () => ask<void>('resetCalls'),
          close: async () => {
            if (exited) return;
            const gone = new Promise<void>((r) => child.once('exit', () => r()));
            await ask<void>('close').catch(() => undefined);
            await gone;
          },
        });
        return;
      }
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.error !== undefined) w.fail(new Error(m.error));
      else w.ok(m.result);
    });
  });
}

export async function startSimHost(opts: { inProcess: boolean; hook: string }): Promise<SimHost> {
  if (opts.inProcess) return inProcess(await startTikTokSimulator({ rateLimit: { enabled: false } }));
  return inChild(opts.hook);
}
