import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { MemoryRateLimitStore, RedisRateLimitStore, type Exceeded, type RateLimitStore, type Spend } from '../plugins/rate-limit';
import { RedisKeyValueCache } from '../plugins/redis-cache';

/** How often a degraded store tries Redis again once the connection is back up. */
const PROBE_INTERVAL_MS = 1_000;

/** The gateway's Redis fallback metrics, registered on the gateway's own registry. */
export class RedisFallbackMetrics {
  readonly fallbacks: Counter<'use'>;
  readonly degraded: Gauge<'use'>;

  constructor(registry: Registry) {
    this.fallbacks = new Counter({
      name: 'eventix_gateway_redis_fallback_total',
      help: 'Operations served from per-instance memory because Redis failed, by use (rate_limit, apq)',
      labelNames: ['use'],
      registers: [registry],
    });
    this.degraded = new Gauge({
      name: 'eventix_gateway_redis_degraded',
      help: '1 while a Redis-backed store runs on per-instance memory, by use',
      labelNames: ['use'],
      registers: [registry],
    });
  }
}

/**
 * Redis first, this instance's memory when Redis fails. The switch is logged once each way;
 * every operation served from memory is counted. While degraded, Redis is tried again at most
 * once a second and only when ioredis reports the connection ready, so an outage costs no
 * request a timeout; the first answer switches back.
 */
export class RedisFallback {
  private degraded = false;
  private lastTry = 0;

  constructor(
    private readonly redis: Redis,
    private readonly use: string,
    private readonly metrics: RedisFallbackMetrics,
    private readonly log: (message: string) => void,
  ) {}

  async run<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (this.degraded && (this.redis.status !== 'ready' || Date.now() - this.lastTry < PROBE_INTERVAL_MS)) return this.fallBack(local);
    // Set before awaiting so concurrent requests of a degraded store send one probe, not many.
    this.lastTry = Date.now();
    let result: T;
    try {
      result = await shared();
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.metrics.degraded.set({ use: this.use }, 1);
        this.log(`${this.use}: Redis failed (${(error as Error).message}); using this instance's memory until Redis answers again`);
      }
      return this.fallBack(local);
    }
    if (this.degraded) {
      this.degraded = false;
      this.metrics.degraded.set({ use: this.use }, 0);
      this.log(`${this.use}: Redis answers again; back to shared state`);
    }
    return result;
  }

  private fallBack<T>(local: () => Promise<T>): Promise<T> {
    this.metrics.fallbacks.inc({ use: this.use });
    return local();
  }
}

/**
 * Rate limits shared through Redis; while Redis is down each instance counts on its own, so a
 * caller's budget is per instance for the duration (at most `instances ×` the limit) rather
 * than every request failing.
 */
export class ResilientRateLimitStore implements RateLimitStore {
  private readonly shared: RedisRateLimitStore;
  private readonly local = new MemoryRateLimitStore();

  constructor(private readonly fallback: RedisFallback, redis: Redis) {
    this.shared = new RedisRateLimitStore(redis);
  }

  hit(key: string, windowSeconds: number, amount?: number): Promise<{ count: number; resetMs: number }> {
    return this.fallback.run(
      () => this.shared.hit(key, windowSeconds, amount),
      () => this.local.hit(key, windowSeconds, amount),
    );
  }

  spend(spends: readonly Spend[]): Promise<Exceeded | undefined> {
    // Units leased from Redis earlier are spent without it: neither a Redis call nor a fallback,
    // and no sign either way of whether Redis is back.
    if (this.shared.spendHeld(spends)) return Promise.resolve(undefined);
    return this.fallback.run(
      () => this.shared.spend(spends),
      () => this.local.spend(spends),
    );
  }
}

/**
 * Automatic persisted queries in Redis, in a bounded per-instance LRU while Redis is down.
 * A hash registered during the outage is unknown to Redis afterwards: the client gets
 * PERSISTED_QUERY_NOT_FOUND once and re-sends the query, as the APQ protocol expects.
 */
export class ResilientKeyValueCache implements KeyValueCache<string> {
  private readonly shared: RedisKeyValueCache;
  private readonly local = new InMemoryLRUCache<string>({ maxSize: 8 * 1024 * 1024 });

  constructor(private readonly fallback: RedisFallback, redis: Redis) {
    this.shared = new RedisKeyValueCache(redis);
  }

  get(key: string): Promise<string | undefined> {
    return this.fallback.run(
      () => this.shared.get(key),
      () => this.local.get(key),
    );
  }

  set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    return this.fallback.run(
      () => this.shared.set(key, value, options),
      () => this.local.set(key, value, options),
    );
  }

  delete(key: string): Promise<boolean | void> {
    return this.fallback.run(
      () => this.shared.delete(key),
      () => this.local.delete(key),
    );
  }
}

export interface RedisStores {
  redis: Redis;
  rateLimitStore: RateLimitStore;
  apqCache: KeyValueCache<string>;
}

/** The gateway's Redis-backed stores, each with its own fallback switch. */
export function redisStores(redis: Redis, registry: Registry, log: (message: string) => void): RedisStores {
  const metrics = new RedisFallbackMetrics(registry);
  return {
    redis,
    rateLimitStore: new ResilientRateLimitStore(new RedisFallback(redis, 'rate_limit', metrics, log), redis),
    apqCache: new ResilientKeyValueCache(new RedisFallback(redis, 'apq', metrics, log), redis),
  };
}
