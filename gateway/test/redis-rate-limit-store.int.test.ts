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

  describe('with a lease (units taken ahead, spent without a round trip)', () => {
    const counter = async (key: string) => Number(await redis.get((await redis.keys(`eventix:rl:${key}:*`))[0]));

    it('takes the lease with the first spend and spends it here: one round trip per 1 + lease spends', async () => {
      const store = new RedisRateLimitStore(redis);
      const eval_ = jest.spyOn(redis, 'eval');
      const key = `test:${randomUUID()}`;
      const spend = { key, windowSeconds: 60, limit: 1_000, lease: 9 };
      for (let i = 0; i < 10; i++) expect(await store.spend([spend])).toBeUndefined();
      expect(eval_).toHaveBeenCalledTimes(1);
      expect(await counter(key)).toBe(10);
      expect(await store.spend([spend])).toBeUndefined();
      expect(eval_).toHaveBeenCalledTimes(2);
      expect(await counter(key)).toBe(20);
      eval_.mockRestore();
    });

    it('never lets a caller past its limit across instances, and refuses no sooner than limit − lease per other instance', async () => {
      // Two gateway instances on one Redis, 300 concurrent spends of one caller's budget of 100, alternating.
      const [a, b] = [new RedisRateLimitStore(redis), new RedisRateLimitStore(redis)];
      const key = `test:${randomUUID()}`;
      const spend = { key, windowSeconds: 60, limit: 100, lease: 5 };
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).spend([spend])));
      const allowed = results.filter((r) => r === undefined).length;
      expect(allowed).toBeLessThanOrEqual(100);
      expect(allowed).toBeGreaterThanOrEqual(100 - 5);
      expect(results.filter(Boolean).every((r) => r!.index === 0)).toBe(true);
    });

    it('takes no units past the limit: the lease shrinks to what is left', async () => {
      const store = new RedisRateLimitStore(redis);
      const key = `test:${randomUUID()}`;
      expect(await store.spend([{ key, windowSeconds: 60, limit: 4, lease: 10 }])).toBeUndefined();
      expect(await counter(key)).toBe(4);
      for (let i = 0; i < 3; i++) expect(await store.spend([{ key, windowSeconds: 60, limit: 4, lease: 10 }])).toBeUndefined();
      expect(await store.spend([{ key, windowSeconds: 60, limit: 4, lease: 10 }])).toMatchObject({ index: 0 });
    });

    it('a budget held here and one refused by Redis: units before the refusal stay spent, units after it go back', async () => {
      const store = new RedisRateLimitStore(redis);
      const id = randomUUID();
      const general = { key: `test:all:${id}`, windowSeconds: 60, limit: 1_000, lease: 10 };
      const mutation = { key: `test:mutation:${id}`, windowSeconds: 60, limit: 1 };
      expect(await store.spend([general, mutation])).toBeUndefined(); // leases 10 of general
      // The mutation's budget (exact, no lease) is used up: refused at index 1; general's unit stays spent.
      expect(await store.spend([general, mutation])).toMatchObject({ index: 1 });
      // Refused at index 0 (the mutation first): general's unit, taken here, goes back.
      expect(await store.spend([mutation, general])).toMatchObject({ index: 0 });
      // 10 leased − 1 spent beside the refusal at index 1: nine more spends are served here.
      const leasedCount = await counter(`test:all:${id}`);
      expect(leasedCount).toBe(11);
      let servedHere = 0;
      for (;;) {
        expect(await store.spend([general])).toBeUndefined();
        if ((await counter(`test:all:${id}`)) !== leasedCount) break;
        servedHere++;
      }
      expect(servedHere).toBe(9);
    });

    it('spends from held units all or none, without a round trip (what a Redis outage leaves usable)', async () => {
      const store = new RedisRateLimitStore(redis);
      const id = randomUUID();
      const general = { key: `test:all:${id}`, windowSeconds: 60, limit: 1_000, lease: 3 };
      const mutation = { key: `test:mutation:${id}`, windowSeconds: 60, limit: 1_000 };
      expect(store.spendHeld([general])).toBe(false); // nothing held yet
      expect(await store.spend([general])).toBeUndefined(); // 1 + 3 leased
      const eval_ = jest.spyOn(redis, 'eval');
      // A budget without a lease is never held: the pair goes to Redis, and general's units stay.
      expect(store.spendHeld([general, mutation])).toBe(false);
      expect([store.spendHeld([general]), store.spendHeld([general]), store.spendHeld([general]), store.spendHeld([general])]).toEqual([true, true, true, false]);
      expect(eval_).not.toHaveBeenCalled();
      eval_.mockRestore();
      expect(await counter(`test:all:${id}`)).toBe(4);
    });
  });
});

