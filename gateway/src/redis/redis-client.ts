import { Redis } from 'ioredis';

/** How long start-up waits for Redis before serving on per-instance fallbacks. */
const STARTUP_WAIT_MS = 2_000;

/**
 * The gateway's Redis connection (rate limits, APQ), created unconnected (`lazyConnect`) so the
 * gateway can be built without touching the network; connectGatewayRedis connects it. Tuned to
 * fail fast rather than to wait: Redis only backs optional shared state, so a command must
 * never hold a request.
 * - `enableOfflineQueue: false`: while disconnected a command is rejected at once instead of
 *   queueing behind a dead server (ioredis's default queues without limit).
 * - `commandTimeout`: a server that accepts connections but stops answering (paused, swapping)
 *   costs a request at most this long.
 * - `retryStrategy`: reconnect forever, at most every 2 s, so the gateway goes back to Redis
 *   on its own when it returns.
 * - `enableAutoPipelining`: commands issued in the same tick (the rate-limit hits of concurrent
 *   requests) leave in one write instead of one syscall each.
 */
export function createGatewayRedis(url: string, log: (message: string) => void): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    enableAutoPipelining: true,
  });
  // ioredis emits 'error' on every failed reconnect; one line per outage is enough (the
  // fallback stores log the switch and count every operation they serve).
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log(`redis: ${error.message}; reconnecting in the background`);
  });
  redis.on('ready', () => {
    if (down) log('redis: connected again');
    down = false;
  });
  return redis;
}

/**
 * Connects, resolving once ready or after a short wait with Redis down: the gateway starts
 * anyway and ioredis keeps reconnecting in the background (its retryStrategy). Waits through
 * refused connections too (Redis starting alongside, as in docker compose).
 */
export async function connectGatewayRedis(redis: Redis, log: (message: string) => void): Promise<void> {
  const ready = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      log(`redis: not ready after ${STARTUP_WAIT_MS} ms; starting on per-instance fallbacks`);
      resolve();
    }, STARTUP_WAIT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  // What ioredis does itself without lazyConnect: a failed first attempt is retried by its
  // retryStrategy, and reported through the 'error' listener above.
  redis.connect().catch(() => undefined);
  await ready;
}
