/** The median of `xs` (the mean of the middle two for an even count); NaN for none. */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The value at quantile `q` (0..1) of an ascending array (nearest rank); NaN for none. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Runs `fn` `n` times one after another (never concurrently: runs must not compete for the cores). */
export async function runs<T>(n: number, fn: (run: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < n; run++) results.push(await fn(run));
  return results;
}

/** A positive number from the environment (BENCH_RUNS, BENCH_DURATION_MS…), or `fallback`. */
export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** BENCH_RUNS (default 3): how many times each measurement is repeated; benches report medians. */
export const benchRuns = (fallback = 3) => envNumber('BENCH_RUNS', fallback);

/** BENCH_DURATION_MS (default 5,000): how long each load lasts. */
export const benchDurationMs = (fallback = 5_000) => envNumber('BENCH_DURATION_MS', fallback);
