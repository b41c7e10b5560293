import { Client } from 'undici';
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
}

interface Tally {
  latencies: number[];
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
  const tally: Tally = { latencies: [], errors: 0, statusCounts: {}, errorCodes: {} };
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
  const elapsedS = (performance.now() - t0) / 1000;
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
  };
}

async function oneRequest(client: Client, path: string, headers: Record<string, string>, body: string, tally: Tally): Promise<void> {
  const started = performance.now();
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
  tally.latencies.push(performance.now() - started);
  tally.statusCounts[status] = (tally.statusCounts[status] ?? 0) + 1;
  const codes = text.includes('"errors"') ? graphqlErrorCodes(text) : [];
  if (status === 'transport' || !status.startsWith('2') || codes.length) tally.errors++;
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
