import { parse, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context';
import { MemoryRateLimitStore, useRateLimit, type RateLimitOptions, type RateLimitStore, type Spend } from './rate-limit';

// Fixed windows start at multiples of the window length since the epoch.
const MINUTE = 60_000;
const at = (ms: number) => jest.setSystemTime(ms);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('MemoryRateLimitStore', () => {
  it('counts hits per key within a window and says how long until the window ends', async () => {
    const store = new MemoryRateLimitStore();
    at(2 * MINUTE + 15_000); // 15 s into window 2
    expect(await store.hit('all:user:a', 60)).toEqual({ count: 1, resetMs: 45_000 });
    at(2 * MINUTE + 59_999);
    expect(await store.hit('all:user:a', 60)).toEqual({ count: 2, resetMs: 1 });
    expect(await store.hit('all:user:b', 60)).toEqual({ count: 1, resetMs: 1 });
  });

  it('starts counting again in the next window', async () => {
    const store = new MemoryRateLimitStore();
    at(5 * MINUTE - 1);
    await store.hit('k', 60);
    await store.hit('k', 60);
    at(5 * MINUTE);
    expect(await store.hit('k', 60)).toEqual({ count: 1, resetMs: MINUTE });
  });

  it('uses the window length it is given (10 s windows)', async () => {
    const store = new MemoryRateLimitStore();
    at(1_000_003);
    expect(await store.hit('k', 10)).toEqual({ count: 1, resetMs: 10_000 - 3 });
  });

  it('drops past windows once it holds more than 100,000 keys, keeping the current ones', async () => {
    const store = new MemoryRateLimitStore();
    const windows = (store as unknown as { windows: Map<string, unknown> }).windows;
    at(0);
    for (let i = 0; i < 99_999; i++) await store.hit(`old-${i}`, 60);
    at(MINUTE);
    await store.hit('current-1', 60);
    expect(windows.size).toBe(100_000); // at the bound, not over it: nothing dropped yet
    await store.hit('current-2', 60);
    expect([...windows.keys()]).toEqual(['current-1', 'current-2']);
  });
});

describe('MemoryRateLimitStore.spend', () => {
  it('spends budgets in order and stops at the first one exceeded, leaving the rest unspent', async () => {
    const store = new MemoryRateLimitStore();
    at(3 * MINUTE + 42_000); // 18 s left in a minute window, 2 s left in a 7 s window
    const spends = [
      { key: 'all:user:a', windowSeconds: 60, limit: 2 },
      { key: 'createBooking:user:a', windowSeconds: 7, limit: 1 },
    ];
    expect(await store.spend(spends)).toBeUndefined();
    // The mutation's budget is used up first: refused with its own window's wait…
    expect(await store.spend(spends)).toEqual({ index: 1, resetMs: 2_000 });
    // …then the general one, which stops there: the mutation's counter is not spent again.
    expect(await store.spend(spends)).toEqual({ index: 0, resetMs: 18_000 });
    expect((await store.hit('createBooking:user:a', 7, 0)).count).toBe(2);
    expect((await store.hit('all:user:a', 60, 0)).count).toBe(3);
  });
});

describe('useRateLimit', () => {
  type Listener = { didResolveOperation(context: unknown): Promise<void> };
  const options = (rejected: string[]): RateLimitOptions => ({
    general: { limit: 3, windowSeconds: 60 },
    mutations: { createBooking: { limit: 1, windowSeconds: 60 } },
    store: new MemoryRateLimitStore(),
    onRejected: (bucket) => rejected.push(bucket),
  });
  const caller = (userId: string | undefined, clientIp: string): GatewayContext => ({ caller: { userId, permissions: [] }, clientIp, requestId: 'test-request' });
  const operationOf = (query: string) => parse(query).definitions[0] as OperationDefinitionNode;

  /** Runs one operation through the plugin: undefined when let through, the refusal otherwise. */
  const send = async (plugin: ReturnType<typeof useRateLimit>, context: GatewayContext, query: string) => {
    const listener = (await plugin.requestDidStart!({} as never)) as unknown as Listener;
    return listener.didResolveOperation({ contextValue: context, operation: operationOf(query) }).then(
      () => undefined,
      (error: { message: string; extensions: Record<string, unknown> }) => error,
    );
  };

  it('gives listed mutations their own tighter budget, refused with RATE_LIMITED and the wait', async () => {
    at(10 * MINUTE + 20_000); // 40 s left in the window
    const rejected: string[] = [];
    const plugin = useRateLimit(options(rejected));
    const user = caller('u1', '10.0.0.1');
    expect(await send(plugin, user, `mutation { createBooking(input: {}) { id } }`)).toBeUndefined();
    const refusal = await send(plugin, user, `mutation { createBooking(input: {}) { id } }`);
    expect(refusal?.message).toBe('Too many requests (createBooking); retry in 40 s');
    expect(refusal?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 40, http: { status: 429 } });
    expect([...(refusal?.extensions.http as { headers: Map<string, string> }).headers]).toEqual([['retry-after', '40']]);
    expect(rejected).toEqual(['createBooking']);
    // Other mutations and queries only spend the general budget (2 of 3 used so far).
    expect(await send(plugin, user, `mutation { cancelBooking(id: "1") { id } }`)).toBeUndefined();
    expect((await send(plugin, user, `{ events { id } }`))?.message).toBe('Too many requests (all operations); retry in 40 s');
    expect(rejected).toEqual(['createBooking', 'all']);
  });

  it('counts a signed-in user across addresses and anonymous callers per address', async () => {
    at(0);
    const plugin = useRateLimit(options([]));
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect(await send(plugin, caller('u1', ip), `{ a }`)).toBeUndefined();
    expect((await send(plugin, caller('u1', '10.0.0.4'), `{ a }`))?.extensions.code).toBe('RATE_LIMITED');
    // The same addresses, anonymous: budgets of their own, not the user's.
    expect(await send(plugin, caller(undefined, '10.0.0.1'), `{ a }`)).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(await send(plugin, caller(undefined, '10.0.0.2'), `{ a }`)).toBeUndefined();
    expect((await send(plugin, caller(undefined, '10.0.0.2'), `{ a }`))?.extensions.code).toBe('RATE_LIMITED');
  });

  it('waits at least a second, rounding the remaining time up', async () => {
    at(MINUTE - 200); // 0.2 s left
    const plugin = useRateLimit({ ...options([]), general: { limit: 0, windowSeconds: 60 } });
    expect((await send(plugin, caller('u1', '10.0.0.1'), `{ a }`))?.extensions.retryAfterSeconds).toBe(1);
    at(2 * MINUTE - 1_001); // 1.001 s left
    expect((await send(plugin, caller('u1', '10.0.0.1'), `{ a }`))?.extensions.retryAfterSeconds).toBe(2);
  });

  it('asks the store to lease the configured share of each budget: 2 % of 600, none of 30, none at 0 %', async () => {
    const asked: Spend[][] = [];
    const store: RateLimitStore = { hit: async () => ({ count: 0, resetMs: 0 }), spend: async (spends) => void asked.push([...spends]) };
    const budgets = { general: { limit: 600, windowSeconds: 60 }, mutations: { createBooking: { limit: 30, windowSeconds: 60 } }, store };
    await send(useRateLimit(budgets), caller('u1', '10.0.0.1'), `mutation { createBooking(input: {}) { id } }`);
    await send(useRateLimit({ ...budgets, leasePercent: 0 }), caller('u1', '10.0.0.1'), `{ a }`);
    expect(asked.map((spends) => spends.map((s) => [s.key, s.lease]))).toEqual([
      [['all:user:u1', 12], ['createBooking:user:u1', 0]],
      [['all:user:u1', 0]],
    ]);
  });
});
