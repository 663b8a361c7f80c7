/**
 * Crash-resume benchmark, run by hand (bench/README.md "Crash resume"):
 *
 *   node -r ./bench/register.js bench/crash-resume/run.ts [--rounds=20] [--seed=N]
 *
 * Runs the e2e crash loop (test/sync/crash-loop.e2e-spec.ts: the real service as a child process,
 * killed with SIGKILL at random moments of a backfill of about 3,150 comments, restarted on the
 * same database, every assertion of the test kept) with more rounds than CI's 5, and reports, per
 * restart, the ms from spawning the process to `ready` and to its first TikTok `comment/list`
 * call. Before the liveness lock, the first call waited for the dead instance's 90 s lease.
 * Writes bench/crash-resume/last-run.json.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const rounds = Number(arg('rounds', '20'));
const seed = arg('seed', String(Date.now() % 1_000_000));
const report = path.join(os.tmpdir(), `echo-crash-resume-${process.pid}.json`);

execFileSync(
  process.execPath,
  [
    path.join(ROOT, 'node_modules/jest/bin/jest.js'),
    'test/sync/crash-loop.e2e-spec.ts',
    '--selectProjects',
    'e2e',
  ],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      CRASH_LOOP_ROUNDS: String(rounds),
      CRASH_LOOP_SEED: seed,
      CRASH_LOOP_REPORT: report,
    },
  },
);

interface Figures {
  seed: number;
  comments: number;
  figures: { round: number; readyMs: number; firstCallMs: number; killedAfterCalls: number }[];
}
const run = JSON.parse(readFileSync(report, 'utf8')) as Figures;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ready = run.figures.map((f) => f.readyMs);
const first = run.figures.map((f) => f.firstCallMs);
const afterReady = run.figures.map((f) => f.firstCallMs - f.readyMs);
const summary = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  seed: run.seed,
  comments: run.comments,
  restarts: run.figures.length,
  readyMs: { p50: pct(ready, 50), max: Math.max(...ready) },
  firstCallMs: { p50: pct(first, 50), max: Math.max(...first) },
  firstCallAfterReadyMs: { p50: pct(afterReady, 50), max: Math.max(...afterReady) },
  figures: run.figures,
};
writeFileSync(path.join(__dirname, 'last-run.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(
  `| restarts | to ready p50 / max | to first TikTok call p50 / max | ready → first call p50 / max |`,
);
console.log(`|---|---|---|---|`);
console.log(
  `| ${summary.restarts} | ${(summary.readyMs.p50 / 1000).toFixed(1)} s / ${(summary.readyMs.max / 1000).toFixed(1)} s | ` +
    `${(summary.firstCallMs.p50 / 1000).toFixed(1)} s / ${(summary.firstCallMs.max / 1000).toFixed(1)} s | ` +
    `${summary.firstCallAfterReadyMs.p50} ms / ${summary.firstCallAfterReadyMs.max} ms |`,
);
