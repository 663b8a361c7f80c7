/**
 * The hardening properties at full count, run by hand (bench/README.md "Fuzzing"):
 *
 *   node -r ./bench/register.js bench/fuzz/run.ts [--runs=20000] [--seed=N]
 *
 * Runs test/hardening/fuzz.e2e-spec.ts (every route of the OpenAPI document: no 5xx, an answer
 * every time, the contract's error shape, no stack or SQL) and test/hardening/isolation.e2e-spec.ts
 * (tenant isolation) with `FUZZ_RUNS` requests instead of CI's few hundred, and prints jest's
 * summary. A failure prints fast-check's seed and the failing cases; nothing is written.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const runs = arg('runs', '20000');
const seed = process.argv.find((a) => a.startsWith('--seed='))?.split('=')[1];
const t0 = Date.now();
execFileSync(
  process.execPath,
  [
    path.join(ROOT, 'node_modules/jest/bin/jest.js'),
    'test/hardening/fuzz.e2e-spec.ts',
    'test/hardening/isolation.e2e-spec.ts',
    '--selectProjects',
    'e2e',
    '--testTimeout=3600000',
  ],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, FUZZ_RUNS: runs, ...(seed ? { FC_SEED: seed } : {}) },
  },
);
console.log(`fuzz: ${runs} runs per property passed in ${Math.round((Date.now() - t0) / 1000)} s`);
