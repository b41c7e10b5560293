import type http from 'node:http';
import { rateLimited } from '@eventix/errors';
import { REQUEST_ID_HEADER, requestIdOf } from '@eventix/subgraph-kit';

export interface AdmissionOptions {
  /** GraphQL requests this process runs at once. */
  maxInFlight: number;
  /** Requests that may wait for a slot; beyond this they are shed at once. */
  maxQueued: number;
  /** Longest wait for a slot before a request is shed. */
  maxWaitMs: number;
  /**
   * Once the oldest waiter has waited this long the queue is standing (overload, not a burst)
   * and freed slots go to the newest waiter first (default: a tenth of `maxWaitMs`).
   */
  standingQueueMs?: number;
}

/**
 * Defaults from measurements on a 2-core machine (#16): one gateway process saturates its core
 * with ~16–32 requests in flight, so 64 running plus up to 128 waiting at most 100 ms keeps a
 * 2× overload queued briefly rather than piling up, and anything beyond is refused in
 * microseconds instead of timing out.
 */
export const DEFAULT_ADMISSION: AdmissionOptions = { maxInFlight: 64, maxQueued: 128, maxWaitMs: 100 };

export type ShedReason = 'queue_full' | 'wait_timeout';

interface Waiter {
  admit: (admitted: boolean) => void;
  timer: NodeJS.Timeout;
  /** Date.now() when it started waiting. */
  since: number;
}

/**
 * Admission control for one process: at most `maxInFlight` holders at once, then a queue of at
 * most `maxQueued` waiters, each waiting at most `maxWaitMs`. Shedding early keeps the latency
 * of what is admitted bounded under overload (#16 target 8) instead of every request slowing
 * down until clients time out.
 *
 * A released slot goes straight to a waiter: the oldest while the queue is only a burst, the
 * newest once it stands (its oldest waiter has waited `standingQueueMs`) — adaptive LIFO, as
 * Facebook's "Fail at Scale" describes. Under a sustained overload FIFO would make every
 * admitted request wait nearly `maxWaitMs` first; LIFO serves the fresh ones at once and lets the
 * oldest, whose callers have waited longest and may have given up, run into the shedding they
 * would have met anyway. Measured (bench `overload`, one run each): with an open loop at twice
 * the saturating rate the served p95 went from 3.3× to 2.2× the p95 at saturation; a closed loop
 * of twice the saturating connections pays for it (1.7× → 2.1×, 5 % shed instead of none, its
 * oldest waiters now reaching `maxWaitMs`).
 */
export class AdmissionLimiter {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly standingQueueMs: number;

  constructor(
    private readonly options: AdmissionOptions,
    private readonly onShed: (reason: ShedReason) => void = () => undefined,
  ) {
    this.standingQueueMs = options.standingQueueMs ?? options.maxWaitMs / 10;
  }

  /** `true` at once when a slot is free; otherwise a promise of whether one came in time. Admitted callers must `release()`. */
  acquire(): true | Promise<boolean> {
    if (this.running < this.options.maxInFlight) {
      this.running++;
      return true;
    }
    if (this.waiting.length >= this.options.maxQueued) return this.shed('queue_full');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        admit: resolve,
        since: Date.now(),
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          resolve(false);
          this.onShed('wait_timeout');
        }, this.options.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  release(): void {
    const standing = this.waiting.length > 0 && Date.now() - this.waiting[0].since >= this.standingQueueMs;
    const next = standing ? this.waiting.pop() : this.waiting.shift();
    if (!next) {
      this.running--;
      return;
    }
    // The slot passes to the waiter: `running` stays as it is.
    clearTimeout(next.timer);
    next.admit(true);
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private shed(reason: ShedReason): Promise<boolean> {
    this.onShed(reason);
    return Promise.resolve(false);
  }
}

const SHED_RETRY_AFTER_SECONDS = 1;
/** Built once: a shed request costs no allocation beyond its response. */
const shedBody = (() => {
  const error = rateLimited(`The gateway is at capacity; retry in ${SHED_RETRY_AFTER_SECONDS} s`, SHED_RETRY_AFTER_SECONDS);
  const { http: _http, ...extensions } = error.extensions;
  return JSON.stringify({ errors: [{ message: error.message, extensions }] });
})();

/** GraphQL requests are admitted; health, metrics, JWKS and the other plain routes never wait or shed. */
const isGraphQLRequest = (req: http.IncomingMessage) => {
  const path = req.url ? req.url.split('?', 1)[0] : '/';
  return path === '/graphql' || path === '/';
};

/**
 * Runs `listener` for admitted GraphQL requests and answers the rest with HTTP 429, a
 * Retry-After header and RATE_LIMITED in GraphQL's error shape, before their body is read or
 * any GraphQL work is done. A slot is held until the response is finished or the client has
 * gone; a client that left while waiting gives its slot straight back.
 */
export function withAdmission(limiter: AdmissionLimiter, listener: http.RequestListener): http.RequestListener {
  return (req, res) => {
    if (!isGraphQLRequest(req)) return listener(req, res);
    const run = () => {
      // A client that left while waiting: its 'close' has already fired.
      if (res.destroyed) return limiter.release();
      res.once('close', () => limiter.release());
      listener(req, res);
    };
    const admitted = limiter.acquire();
    if (admitted === true) return run();
    void admitted.then((ok) => (ok ? run() : shed(req, res)));
  };
}

function shed(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(SHED_RETRY_AFTER_SECONDS), [REQUEST_ID_HEADER]: requestIdOf(req) });
  res.end(shedBody);
}
