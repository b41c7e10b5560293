import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { RedisFallback, RedisFallbackMetrics, ResilientRateLimitStore } from './resilient-store';

/** Just what RedisFallback reads of the client: whether ioredis reports the connection ready. */
const fakeRedis = (status = 'ready') => ({ status }) as unknown as Redis & { status: string };

const gauge = async (metrics: RedisFallbackMetrics, use: string) => (await metrics.degraded.get()).values.find((v) => v.labels.use === use)?.value;
const fallbacks = async (metrics: RedisFallbackMetrics, use: string) => (await metrics.fallbacks.get()).values.find((v) => v.labels.use === use)?.value ?? 0;

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

describe('RedisFallback', () => {
  const setUp = (status = 'ready') => {
    const redis = fakeRedis(status);
    const metrics = new RedisFallbackMetrics(new Registry());
    const logs: string[] = [];
    return { redis, metrics, logs, fallback: new RedisFallback(redis, 'rate_limit', metrics, (m) => logs.push(m)) };
  };

  it('answers from Redis while it answers, memory untouched', async () => {
    const { fallback, metrics, logs } = setUp();
    const local = jest.fn(async () => 'memory');
    expect(await fallback.run(async () => 'redis', local)).toBe('redis');
    expect(local).not.toHaveBeenCalled();
    expect(await fallbacks(metrics, 'rate_limit')).toBe(0);
    expect(logs).toEqual([]);
  });

  it('switches to memory when Redis fails, logging the switch once and counting every operation', async () => {
    const { fallback, metrics, logs } = setUp();
    const failing = jest.fn(async (): Promise<string> => {
      throw new Error('Connection is closed.');
    });
    expect(await fallback.run(failing, async () => 'memory')).toBe('memory');
    expect(await fallback.run(failing, async () => 'memory')).toBe('memory');
    expect(logs).toEqual(["rate_limit: Redis failed (Connection is closed.); using this instance's memory until Redis answers again"]);
    expect(await gauge(metrics, 'rate_limit')).toBe(1);
    expect(await fallbacks(metrics, 'rate_limit')).toBe(2);
    // Degraded and tried less than a second ago: the second operation did not wait on Redis.
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it('probes Redis at most once a second while degraded, and only when the connection is ready', async () => {
    const { fallback, redis, metrics, logs } = setUp();
    await fallback.run(() => Promise.reject(new Error('down')), async () => 0);
    const shared = jest.fn(async () => 'redis');
    jest.setSystemTime(1_000_999);
    expect(await fallback.run(shared, async () => 'memory')).toBe('memory');
    redis.status = 'reconnecting';
    jest.setSystemTime(1_001_000);
    expect(await fallback.run(shared, async () => 'memory')).toBe('memory');
    expect(shared).not.toHaveBeenCalled();
    redis.status = 'ready';
    expect(await fallback.run(shared, async () => 'memory')).toBe('redis');
    expect(shared).toHaveBeenCalledTimes(1);
    expect(await gauge(metrics, 'rate_limit')).toBe(0);
    expect(logs.at(-1)).toBe('rate_limit: Redis answers again; back to shared state');
    // Back on Redis: the next operation goes straight to it.
    expect(await fallback.run(shared, async () => 'memory')).toBe('redis');
  });
});

describe('ResilientRateLimitStore', () => {
  it('keeps counting in this instance while Redis fails, in the same fixed windows', async () => {
    // A Redis whose commands fail as ioredis fails them while disconnected.
    const redis = Object.assign(fakeRedis(), {
      eval: () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    });
    const fallback = new RedisFallback(redis, 'rate_limit', new RedisFallbackMetrics(new Registry()), () => undefined);
    const store = new ResilientRateLimitStore(fallback, redis);
    jest.setSystemTime(60_000 * 7 + 30_000);
    expect(await store.hit('all:ip:10.0.0.1', 60)).toEqual({ count: 1, resetMs: 30_000 });
    expect(await store.hit('all:ip:10.0.0.1', 60)).toEqual({ count: 2, resetMs: 30_000 });
    expect(await store.hit('all:ip:10.0.0.2', 60)).toEqual({ count: 1, resetMs: 30_000 });
  });
});
