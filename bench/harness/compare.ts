import { httpLoad, type HttpLoadOptions, type HttpLoadResult } from './http-load';
import { formatCores, withCpu } from './cpu';
import { median, runs } from './stats';

/** The medians of a load's figures over several runs (the same fields as one load's result). */
export interface LoadSummary extends Pick<HttpLoadResult, 'rps' | 'p50' | 'p95' | 'p99' | 'servedP95' | 'requests' | 'errors' | 'statusCounts' | 'errorCodes'> {
  /** Median share of a core each watched process tree (and the bench itself) used during the load. */
  cores?: Record<string, number>;
}

export interface InterleaveOptions {
  warmupMs?: number;
  /** Process trees whose CPU to watch during each load (e.g. the subgraphs'). */
  cpuOf?: () => Record<string, number | undefined>;
}

/** A load described late: headers (credentials) are minted right before each run, so a 60 s credential never expires mid-bench. */
export type LoadSpec = () => Promise<HttpLoadOptions> | HttpLoadOptions;

/**
 * Runs every load of `specs` once per run, interleaved (A, B, A, B…) so that a machine
 * getting busier or quieter during the bench shifts all of them alike; returns the medians per
 * load. A short warm-up of each load first (JIT, connection pools, caches), not counted.
 */
export async function interleavedRuns<K extends string>(n: number, specs: Record<K, LoadSpec>, opts: InterleaveOptions = {}): Promise<Record<K, LoadSummary>> {
  const keys = Object.keys(specs) as K[];
  for (const key of keys) await httpLoad({ ...(await specs[key]()), durationMs: opts.warmupMs ?? 1_000 });
  const results = Object.fromEntries(keys.map((k) => [k, [] as HttpLoadResult[]])) as Record<K, HttpLoadResult[]>;
  const cores = Object.fromEntries(keys.map((k) => [k, [] as Array<Record<string, number>>])) as Record<K, Array<Record<string, number>>>;
  await runs(n, async () => {
    for (const key of keys) {
      const spec = await specs[key]();
      const measured = await withCpu(opts.cpuOf?.() ?? {}, () => httpLoad(spec));
      results[key].push(measured.result);
      cores[key].push(measured.cores);
    }
  });
  return Object.fromEntries(keys.map((k) => [k, summarize(results[k], cores[k])])) as Record<K, LoadSummary>;
}

export function summarize(results: HttpLoadResult[], cores: Array<Record<string, number>> = []): LoadSummary {
  const sum = (pick: (r: HttpLoadResult) => Record<string, number>) => {
    const total: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(pick(r))) total[k] = (total[k] ?? 0) + v;
    return total;
  };
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p95: median(results.map((r) => r.p95)),
    p99: median(results.map((r) => r.p99)),
    servedP95: median(results.map((r) => r.servedP95)),
    requests: results.reduce((a, r) => a + r.requests, 0),
    errors: results.reduce((a, r) => a + r.errors, 0),
    statusCounts: sum((r) => r.statusCounts),
    errorCodes: sum((r) => r.errorCodes),
    ...(cores.length ? { cores: Object.fromEntries(Object.keys(cores[0]).map((k) => [k, median(cores.map((c) => c[k] ?? NaN))])) } : {}),
  };
}

/** One line per load for the bench's log: what the table does not show (errors, codes). */
export function describe(label: string, s: LoadSummary): string {
  const codes = Object.keys(s.errorCodes).length ? ` codes ${JSON.stringify(s.errorCodes)}` : '';
  const cores = s.cores ? `; cores busy: ${formatCores(s.cores)}` : '';
  return `${label}: ${s.rps.toFixed(0)} req/s, p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, ${s.errors}/${s.requests} errors, status ${JSON.stringify(s.statusCounts)}${codes}${cores}`;
}
