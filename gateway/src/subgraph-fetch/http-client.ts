import { Pool } from 'undici';

/** Sockets per subgraph and gateway process: enough for a saturated process; more requests queue in undici. */
export const DEFAULT_SUBGRAPH_CONNECTIONS = 128;

/** A subgraph's HTTP answer, read in full: what error mapping and every deduplicated waiter need. */
export interface SubgraphAnswer {
  status: number;
  statusText: string;
  contentType: string | undefined;
  cacheControl: string | undefined;
  /** The raw body: each reader parses its own copy, so no two requests share mutable objects. */
  text: string;
}

export interface SubgraphHttpClientOptions {
  url: string;
  /** Most sockets open to this subgraph at once; more requests wait in undici's queue. */
  connections: number;
}

/**
 * POSTs GraphQL requests to one subgraph over a keep-alive undici Pool. Replaces
 * @apollo/gateway's default fetcher (make-fetch-happen over minipass-fetch, ~28% of the
 * gateway's CPU under load in #16's profile): no HTTP cache layer, no per-request
 * stream wrappers, no WHATWG Request/Response objects. Pipelining stays off (1): a slow answer
 * must not hold up the requests queued behind it on the same socket.
 */
export class SubgraphHttpClient {
  private readonly pool: Pool;
  private readonly path: string;

  constructor({ url, connections }: SubgraphHttpClientOptions) {
    const parsed = new URL(url);
    this.path = `${parsed.pathname}${parsed.search}`;
    this.pool = new Pool(parsed.origin, { connections, pipelining: 1 });
  }

  /**
   * Sends `body` and reads the whole answer, giving up after `timeoutMs`. A cleared timer rather
   * than AbortSignal.timeout: that one's timer outlives the request and, when it fires 15 s
   * later, builds a DOMException with a stack for every request ever sent.
   */
  async post(body: string, headers: Record<string, string>, timeoutMs: number): Promise<SubgraphAnswer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms; aborted`, 'TimeoutError')), timeoutMs);
    try {
      const response = await this.pool.request({ path: this.path, method: 'POST', headers, body, signal: controller.signal });
      const text = await response.body.text();
      return {
        status: response.statusCode,
        statusText: response.statusText,
        contentType: single(response.headers['content-type']),
        cacheControl: single(response.headers['cache-control']),
        text,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes idle sockets and waits for requests in progress. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);
