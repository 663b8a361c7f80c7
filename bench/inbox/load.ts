/**
 * The load generator, run as a child process of run.ts so autocannon never shares an event loop
 * with the server it measures. Reads one job (a JSON file named on the command line), runs a warm-up then the measured
 * run, and prints one JSON line with the figures.
 *
 * `requests` rotate round-robin over all connections (each request takes the next one).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadJob {
  origin: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  requests: LoadRequest[];
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

function run(job: LoadJob, seconds: number): Promise<autocannon.Result> {
  let next = 0;
  const list = job.requests;
  return autocannon({
    url: job.origin,
    connections: job.connections,
    duration: seconds,
    // one request per call, the next of the list each time
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const r = list[next++ % list.length]!;
          return { ...req, method: r.method, path: r.path, headers: { ...(req.headers ?? {}), ...(r.headers ?? {}) }, body: r.body };
        },
      },
    ],
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadJob;
  if (job.warmupSeconds > 0) await run(job, job.warmupSeconds);
  const r = await run(job, job.durationSeconds);
  const statusCodes: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[k] = (v as { count: number }).count;
  const out: LoadResult = {
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    mean: r.latency.average,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
