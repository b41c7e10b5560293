import { Client, Pool, type Dispatcher } from 'undici';
import { percentile } from './stats';

export interface HttpLoadOptions {
  /** Where to POST (a GraphQL endpoint). */
  url: string;
  headers?: Record<string, string>;
  /** Extra headers per request from its index (e.g. one of several users' tokens). */
  headersFor?: (i: number) => Record<string, string>;
  /** The JSON body, or one per request from the request's index (varied queries). */
  body: object | ((i: number) => object);
  /** Keep-alive connections, each with one request in flight at a time (closed loop). */
  connections: number;
  durationMs: number;
}

export interface HttpLoadResult {
  requests: number;
  /** Completed requests per second of the run. */
  rps: number;
  /** Latency in milliseconds, from sending a request to having read its whole answer. */
  p50: number;
  p95: number;
  p99: number;
  /** Requests that failed: transport errors, non-2xx answers, or GraphQL errors in the body. */
  errors: number;
  /** Count per HTTP status (`"transport"` for a request that got no answer). */
  statusCounts: Record<string, number>;
  /** Count per GraphQL error code (`extensions.code`, `"NO_CODE"` without one). */
  errorCodes: Record<string, number>;
  /** p95 of the answers that were served (2xx without GraphQL errors) alone: shed answers are fast and would flatter the p95. */
  servedP95: number;
}

/** What a load counted as it went: every latency, the served ones, errors by status and code. */
export interface Tally {
  latencies: number[];
  served: number[];
  errors: number;
  statusCounts: Record<string, number>;
  errorCodes: Record<string, number>;
}

/**
 * A closed-loop keep-alive HTTP load: `connections` undici clients, each sending the next POST
 * as soon as the previous answer is read, until `durationMs` has passed. Bodies that mention
 * "errors" are parsed so error codes (RATE_LIMITED, INTERNAL_SERVER_ERROR…) are counted.
 */
export async function httpLoad(opts: HttpLoadOptions): Promise<HttpLoadResult> {
  const url = new URL(opts.url);
  const headers = { 'content-type': 'application/json', ...opts.headers };
  const fixedBody = typeof opts.body === 'function' ? undefined : JSON.stringify(opts.body);
  const bodyFor = (i: number) => fixedBody ?? JSON.stringify((opts.body as (i: number) => object)(i));
  const tally = newTally();
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  const clients = Array.from({ length: opts.connections }, () => new Client(url.origin, { pipelining: 1, keepAliveTimeout: 30_000 }));
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          const i = next++;
          await oneRequest(client, url.pathname + url.search, opts.headersFor ? { ...headers, ...opts.headersFor(i) } : headers, bodyFor(i), tally);
        }
      }),
    );
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
  }
  return resultOf(tally, (performance.now() - t0) / 1000);
}

export interface OpenLoadOptions {
  url: string;
  headers?: Record<string, string>;
  body: object | ((i: number) => object);
  /** Requests started per second, whether or not earlier ones were answered. */
  rate: number;
  durationMs: number;
  /** Most sockets to open; requests beyond wait in the client's queue (and that wait counts). */
  connections?: number;
}

/**
 * An open-loop load: requests start at a fixed rate, as independent users arrive, however slow
 * the answers get (a closed loop slows its own offered load down and hides overload). Latency
 * runs from each request's scheduled start, so time spent waiting for a socket counts too.
 */
export async function openLoad(opts: OpenLoadOptions): Promise<HttpLoadResult> {
  const url = new URL(opts.url);
  const headers = { 'content-type': 'application/json', ...opts.headers };
  const bodyFor = (i: number) => JSON.stringify(typeof opts.body === 'function' ? opts.body(i) : opts.body);
  const pool = new Pool(url.origin, { connections: opts.connections ?? 512, pipelining: 1, keepAliveTimeout: 30_000 });
  const tally = newTally();
  const pending: Array<Promise<void>> = [];
  const t0 = performance.now();
  const intervalMs = 1000 / opts.rate;
  const total = Math.floor(opts.durationMs / intervalMs);
  try {
    for (let i = 0; i < total; ) {
      // Timers are coarse: start every request that is due, then yield.
      for (const now = performance.now(); i < total && t0 + i * intervalMs <= now; i++) {
        pending.push(oneRequest(pool, url.pathname + url.search, headers, bodyFor(i), tally, t0 + i * intervalMs));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(pending);
  } finally {
    await pool.close();
  }
  return resultOf(tally, (performance.now() - t0) / 1000);
}

export function newTally(): Tally {
  return { latencies: [], served: [], errors: 0, statusCounts: {}, errorCodes: {} };
}

/** The result of a load from its tally and how long it ran. */
export function resultOf(tally: Tally, elapsedS: number): HttpLoadResult {
  const sorted = tally.latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    rps: sorted.length / elapsedS,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    errors: tally.errors,
    statusCounts: tally.statusCounts,
    errorCodes: tally.errorCodes,
    servedP95: percentile(tally.served.sort((a, b) => a - b), 0.95),
  };
}

async function oneRequest(client: Dispatcher, path: string, headers: Record<string, string>, body: string, tally: Tally, started = performance.now()): Promise<void> {
  let status = 'transport';
  let text = '';
  try {
    const res = await client.request({ method: 'POST', path, headers, body });
    status = String(res.statusCode);
    text = await res.body.text();
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'UNKNOWN';
    tally.errorCodes[`TRANSPORT_${code}`] = (tally.errorCodes[`TRANSPORT_${code}`] ?? 0) + 1;
  }
  const latency = performance.now() - started;
  tally.latencies.push(latency);
  tally.statusCounts[status] = (tally.statusCounts[status] ?? 0) + 1;
  const codes = text.includes('"errors"') ? graphqlErrorCodes(text) : [];
  if (status === 'transport' || !status.startsWith('2') || codes.length) tally.errors++;
  else tally.served.push(latency);
  for (const code of codes) tally.errorCodes[code] = (tally.errorCodes[code] ?? 0) + 1;
}

function graphqlErrorCodes(text: string): string[] {
  try {
    const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> };
    return (body.errors ?? []).map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'NO_CODE'));
  } catch {
    return ['UNPARSABLE_BODY'];
  }
}
