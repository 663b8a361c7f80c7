/** Retries `check` until it stops throwing (or the time runs out): for async effects, instead of sleeps that guess. */
export async function eventually<T>(check: () => Promise<T> | T, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      last = err;
      if (Date.now() > deadline) throw last;
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
    }
  }
}
