/** Delay summaries for the freshness bench: nearest-rank percentiles over every comment posted, the ones not stored counting as infinitely late. */

export interface DelaySummary {
  /** comments posted */
  n: number;
  /** of them stored */
  stored: number;
  /** seconds; null when the percentile falls on a comment not stored (yet) */
  p50: number | null;
  p95: number | null;
  /** largest delay among the stored ones */
  maxStored: number | null;
}

/** Nearest-rank percentile of `q` in sorted `xs` (Infinity allowed). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** `delays` in ms, null = not stored. */
export function summarize(delays: (number | null)[]): DelaySummary {
  const xs = delays.map((d) => (d === null ? Infinity : d / 1000)).sort((a, b) => a - b);
  const stored = xs.filter((x) => Number.isFinite(x));
  const fin = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);
  return {
    n: xs.length,
    stored: stored.length,
    p50: xs.length ? fin(percentile(xs, 0.5)) : null,
    p95: xs.length ? fin(percentile(xs, 0.95)) : null,
    maxStored: stored.length ? fin(stored[stored.length - 1]!) : null,
  };
}

/** "12.3 s", "4 min 05 s", or "not stored" for a percentile that falls on an unstored comment. */
export function fmtSeconds(s: number | null, unstored = 'not stored'): string {
  if (s === null) return unstored;
  if (s < 100) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  const r = Math.round(s - m * 60);
  return `${m} min ${String(r).padStart(2, '0')} s`;
}

export function fmtSummary(d: DelaySummary, unstored: string): string {
  if (d.n === 0) return '–';
  return `${fmtSeconds(d.p50, unstored)} / ${fmtSeconds(d.p95, unstored)} / ${fmtSeconds(d.maxStored)} (${d.stored}/${d.n})`;
}
