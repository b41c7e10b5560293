import { randomUUID } from 'node:crypto';
import { testRedisUrl } from '@eventix/testing';
import { RedisRateLimitStore } from '../src/plugins/rate-limit';
import { createGatewayRedis, connectGatewayRedis } from '../src/redis/redis-client';

/** The shared rate-limit counter on a real Redis, through the gateway's own (auto-pipelined) client. */
describe('RedisRateLimitStore (real Redis)', () => {
  const redis = createGatewayRedis(testRedisUrl(), () => undefined);
  beforeAll(() => connectGatewayRedis(redis, () => undefined));
  afterAll(() => redis.disconnect());

  it('counts concurrent hits exactly, spends amounts, and gives each window key its expiry once', async () => {
    const store = new RedisRateLimitStore(redis);
    const key = `test:${randomUUID()}`;
    const counts = await Promise.all(Array.from({ length: 50 }, () => store.hit(key, 60)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await store.hit(key, 60, 10)).count).toBe(60);
    const [redisKey] = await redis.keys(`eventix:rl:${key}:*`);
    const ttl = await redis.pttl(redisKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('starts a spend of more than one unit with its expiry too', async () => {
    const store = new RedisRateLimitStore(redis);
    const key = `test:${randomUUID()}`;
    expect((await store.hit(key, 10, 7)).count).toBe(7);
    const [redisKey] = await redis.keys(`eventix:rl:${key}:*`);
    expect(await redis.pttl(redisKey)).toBeGreaterThan(0);
  });

  it('spends several budgets in one atomic command: in order, stopping at the first exceeded, each key with its expiry', async () => {
    const store = new RedisRateLimitStore(redis);
    const id = randomUUID();
    const spends = [
      { key: `test:all:${id}`, windowSeconds: 60, limit: 100 },
      { key: `test:mutation:${id}`, windowSeconds: 10, limit: 20 },
    ];
    // 40 concurrent spends: exactly 20 pass the mutation's budget; the general one is spent by all 40.
    const results = await Promise.all(Array.from({ length: 40 }, () => store.spend(spends)));
    expect(results.filter((r) => r === undefined)).toHaveLength(20);
    expect(results.filter((r) => r?.index === 1)).toHaveLength(20);
    for (const r of results.filter(Boolean)) expect(r!.resetMs).toBeLessThanOrEqual(10_000);
    // With a general budget of 40 (now 41 spent) that one refuses first, and the mutation's counter stays at 40.
    expect(await store.spend([{ ...spends[0], limit: 40 }, spends[1]])).toMatchObject({ index: 0 });
    const count = async (prefix: string) => Number(await redis.get((await redis.keys(`eventix:rl:${prefix}:${id}:*`))[0]));
    expect(await count('test:all')).toBe(41);
    expect(await count('test:mutation')).toBe(40);
    for (const prefix of ['test:all', 'test:mutation']) {
      const [key] = await redis.keys(`eventix:rl:${prefix}:${id}:*`);
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    }
  });

  it('counts a spend and a hit of the same key in the same window (the partner budget and the plugin share the counters)', async () => {
    const store = new RedisRateLimitStore(redis);
    const key = `test:${randomUUID()}`;
    await store.hit(key, 60, 5);
    expect(await store.spend([{ key, windowSeconds: 60, limit: 6, amount: 2 }])).toEqual({ index: 0, resetMs: expect.any(Number) });
    expect((await store.hit(key, 60, 0)).count).toBe(7);
  });
});
