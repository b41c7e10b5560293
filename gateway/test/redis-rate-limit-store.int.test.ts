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
});
