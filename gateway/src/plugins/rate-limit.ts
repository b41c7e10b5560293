import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { Redis } from 'ioredis';
import { rateLimited } from '@eventix/errors';
import type { GatewayContext } from '../context';

/** One budget: `limit` operations per `windowSeconds`. */
export interface Budget {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitOptions {
  /** Every operation of a caller (user, or IP when anonymous). */
  general: Budget;
  /** Each of these mutations also spends a tighter budget of its own. */
  mutations: Record<string, Budget>;
  store: RateLimitStore;
  onRejected?: (bucket: string) => void;
}

/** One budget an operation spends: `amount` units of `key`'s counter, allowed up to `limit` per window. */
export interface Spend {
  key: string;
  windowSeconds: number;
  limit: number;
  amount?: number;
}

/** The first budget a spend found exceeded (its index in the list), with the ms left in its window. */
export interface Exceeded {
  index: number;
  resetMs: number;
}

/**
 * Counts hits in fixed windows; returns the count in the current window and its remaining ms.
 * `amount` (default 1) spends more than one unit at once (a partner's cost budget).
 */
export interface RateLimitStore {
  hit(key: string, windowSeconds: number, amount?: number): Promise<{ count: number; resetMs: number }>;
  /**
   * Spends the budgets in order and stops at the first one exceeded (budgets after it are left
   * unspent), atomically: an operation with budgets of its own (createBooking: the caller's
   * budget and the mutation's) waits for one answer, not one per budget.
   */
  spend(spends: readonly Spend[]): Promise<Exceeded | undefined>;
}

/** The Retry-After of a refusal: the rest of the window, in whole seconds, at least one. */
export const retryAfterSeconds = (resetMs: number) => Math.max(1, Math.ceil(resetMs / 1000));

/** The fixed window `now` falls in (windows start at multiples of their length since the epoch). */
const windowAt = (windowSeconds: number, now = Date.now()) => Math.floor(now / (windowSeconds * 1000));

/** Ms from now until `window` ends. */
const msLeft = (window: number, windowSeconds: number) => (window + 1) * windowSeconds * 1000 - Date.now();

/**
 * Spends keys in order (ARGV: amount, window ms and limit per key): counts each and, on a
 * window's first hit, sets its expiry — one atomic command instead of a MULTI per key, so with
 * the client's auto-pipelining the spends of many concurrent requests leave in one socket write
 * (the MULTI per request was ~14% of a gateway's CPU under load, #16). Stops at the first key
 * whose count went over its limit. Returns {that key's 1-based position or 0, the last count}.
 * (The gateway talks to one Redis, not a cluster, so the keys of one spend need not share a
 * hash slot.)
 */
const SPEND_SCRIPT = `local c = 0
for i, key in ipairs(KEYS) do
  local amount = tonumber(ARGV[3 * i - 2])
  c = redis.call('INCRBY', key, amount)
  if c == amount then redis.call('PEXPIRE', key, ARGV[3 * i - 1]) end
  if c > tonumber(ARGV[3 * i]) then return {i, c} end
end
return {0, c}`;

/** A limit no count reaches: a hit only counts. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** Shared by every gateway instance: one counter per caller, bucket and fixed window. */
export class RedisRateLimitStore implements RateLimitStore {
  constructor(private readonly redis: Redis) {}

  async hit(key: string, windowSeconds: number, amount = 1): Promise<{ count: number; resetMs: number }> {
    const window = windowAt(windowSeconds);
    const [, count] = (await this.redis.eval(SPEND_SCRIPT, 1, redisKey(key, window), amount, windowSeconds * 1000, NO_LIMIT)) as [number, number];
    return { count: Number(count), resetMs: msLeft(window, windowSeconds) };
  }

  async spend(spends: readonly Spend[]): Promise<Exceeded | undefined> {
    const now = Date.now();
    const windows = spends.map((s) => windowAt(s.windowSeconds, now));
    const keys = spends.map((s, i) => redisKey(s.key, windows[i]));
    const args = spends.flatMap((s) => [s.amount ?? 1, s.windowSeconds * 1000, s.limit]);
    const [position] = (await this.redis.eval(SPEND_SCRIPT, keys.length, ...keys, ...args)) as [number, number];
    if (position === 0) return undefined;
    return { index: position - 1, resetMs: msLeft(windows[position - 1], spends[position - 1].windowSeconds) };
  }
}

const redisKey = (key: string, window: number) => `eventix:rl:${key}:${window}`;

/** One process only (embedded mode): same windows, kept in a Map that drops old windows. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { window: number; count: number }>();

  async hit(key: string, windowSeconds: number, amount = 1): Promise<{ count: number; resetMs: number }> {
    const window = windowAt(windowSeconds);
    const current = this.windows.get(key);
    const entry = current && current.window === window ? current : { window, count: 0 };
    entry.count += amount;
    this.windows.set(key, entry);
    if (this.windows.size > 100_000) for (const [k, v] of this.windows) if (v.window < window) this.windows.delete(k);
    return { count: entry.count, resetMs: msLeft(window, windowSeconds) };
  }

  async spend(spends: readonly Spend[]): Promise<Exceeded | undefined> {
    for (const [index, s] of spends.entries()) {
      const { count, resetMs } = await this.hit(s.key, s.windowSeconds, s.amount);
      if (count > s.limit) return { index, resetMs };
    }
    return undefined;
  }
}

/**
 * Per-caller rate limits: the signed-in user's id, or the client IP for anonymous callers.
 * Checked once the operation is known, so mutations such as createBooking can have their own
 * tighter budget; excess gets RATE_LIMITED (HTTP 429) with a retry-after hint.
 */
export function useRateLimit(options: RateLimitOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          const who = contextValue.caller.userId ? `user:${contextValue.caller.userId}` : `ip:${contextValue.clientIp}`;
          const checks: Array<[string, Budget]> = [['all', options.general]];
          if (operation?.operation === 'mutation') {
            for (const selection of operation.selectionSet.selections) {
              if (selection.kind === Kind.FIELD && options.mutations[selection.name.value]) checks.push([selection.name.value, options.mutations[selection.name.value]]);
            }
          }
          const exceeded = await options.store.spend(checks.map(([bucket, budget]) => ({ key: `${bucket}:${who}`, ...budget })));
          if (exceeded) {
            const [bucket] = checks[exceeded.index];
            options.onRejected?.(bucket);
            const wait = retryAfterSeconds(exceeded.resetMs);
            throw rateLimited(`Too many requests (${bucket === 'all' ? 'all operations' : bucket}); retry in ${wait} s`, wait);
          }
        },
      };
    },
  };
}
