import type { Redis } from 'ioredis';
import { healthRoutes, redisCheck, type Route } from '@eventix/subgraph-kit';

/**
 * Liveness and readiness. Ready once serving; with Redis, only while Redis answers (rate limits
 * and APQ are shared through it). redisCheck, not a PING: while Redis is down a PING would wait
 * in ioredis's offline queue instead of failing.
 */
export function healthRoute(redis: Redis | undefined): Record<string, Route> {
  return healthRoutes('gateway', redis ? { redis: redisCheck(redis) } : {});
}
