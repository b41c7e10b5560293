import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { Redis } from 'ioredis';
import { rateLimited } from '@eventix/errors';
import type { GatewayContext } from '../context';
import { DEFAULT_LEASE_PERCENT, LeasedUnits, leaseFor } from './rate-limit-lease';

/** A budget with the units an instance leases of it ahead (rate-limit-lease.ts). */
type LeasedBudget = Budget & { lease: number };

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
  /** Share of each budget an instance leases ahead (default 2; 0: every spend counted at the store). ADR 0014. */
  leasePercent?: number;
}

/** One budget an operation spends: `amount` units of `key`'s counter, allowed up to `limit` per window. */
export interface Spend {
  key: string;
  windowSeconds: number;
  limit: number;
  amount?: number;
  /**
   * Units to take ahead, beyond `amount`, while the budget has room: later spends of the key on
   * this instance use them without a round trip (RedisRateLimitStore; the per-instance memory
   * store needs none). Absent: every spend is counted at the store, exactly.
   */
  lease?: number;
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

/** When `window` ends (epoch ms). */
const windowEnd = (window: number, windowSeconds: number) => (window + 1) * windowSeconds * 1000;

/** Ms from now until `window` ends. */
const msLeft = (window: number, windowSeconds: number) => windowEnd(window, windowSeconds) - Date.now();

/**
 * Spends keys in order (ARGV: amount, window ms, limit and lease per key): counts each and, on a
 * window's first hit, sets its expiry — one atomic command instead of a MULTI per key, so with
 * the client's auto-pipelining the spends of many concurrent requests leave in one socket write
 * (the MULTI per request was ~14% of a gateway's CPU under load, #16). Stops at the first key
 * whose count went over its limit. A key that passed also takes up to `lease` more units while
 * they stay within its limit (rate-limit-lease.ts). Returns {that key's 1-based position or 0,
 * the last count, the units leased per key that passed}.
 * (The gateway talks to one Redis, not a cluster, so the keys of one spend need not share a
 * hash slot.)
 */
const SPEND_SCRIPT = `local c = 0
local leased = {}
for i, key in ipairs(KEYS) do
  local amount = tonumber(ARGV[4 * i - 3])
  local limit = tonumber(ARGV[4 * i - 1])
  c = redis.call('INCRBY', key, amount)
  if c == amount then redis.call('PEXPIRE', key, ARGV[4 * i - 2]) end
  if c > limit then return {i, c, unpack(leased)} end
  local lease = math.min(tonumber(ARGV[4 * i]), limit - c)
  if lease > 0 then c = redis.call('INCRBY', key, lease) else lease = 0 end
  leased[i] = lease
end
return {0, c, unpack(leased)}`;

/** A limit no count reaches: a hit only counts. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * Shared by every gateway instance: one counter per caller, bucket and fixed window. Spends that
 * ask for a lease take units ahead and spend them here without a round trip while they last.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly leased = new LeasedUnits();
  /** Keys with a lease request on its way: concurrent spends of the key ask for none (one lease at a time). */
  private readonly leasing = new Set<string>();

  constructor(private readonly redis: Redis) {}

  async hit(key: string, windowSeconds: number, amount = 1): Promise<{ count: number; resetMs: number }> {
    const window = windowAt(windowSeconds);
    const [, count] = (await this.redis.eval(SPEND_SCRIPT, 1, redisKey(key, window), amount, windowSeconds * 1000, NO_LIMIT, 0)) as number[];
    return { count: Number(count), resetMs: msLeft(window, windowSeconds) };
  }

  /**
   * Spends every budget from units this instance holds, or none of them: true if it did. No
   * round trip — the units were counted in Redis when leased — so it holds while Redis is down.
   */
  spendHeld(spends: readonly Spend[]): boolean {
    if (!spends.every((s) => s.lease)) return false;
    const now = Date.now();
    const keys = spends.map((s) => redisKey(s.key, windowAt(s.windowSeconds, now)));
    const taken: number[] = [];
    for (const [i, s] of spends.entries()) {
      if (!this.leased.take(keys[i], s.amount ?? 1, now)) {
        for (const j of taken) this.leased.giveBack(keys[j], spends[j].amount ?? 1, now);
        return false;
      }
      taken.push(i);
    }
    return true;
  }

  async spend(spends: readonly Spend[]): Promise<Exceeded | undefined> {
    const now = Date.now();
    const windows = spends.map((s) => windowAt(s.windowSeconds, now));
    const keys = spends.map((s, i) => redisKey(s.key, windows[i]));
    // Budgets this instance holds units of are spent here, before any await (concurrent spends
    // cannot take the same unit); the others go to Redis together.
    const local = spends.map((s, i) => Boolean(s.lease) && this.leased.take(keys[i], s.amount ?? 1, now));
    const remote = spends.flatMap((_, i) => (local[i] ? [] : [i]));
    const exceeded = remote.length ? await this.spendAtRedis({ spends, keys, windows }, remote) : undefined;
    // As in Redis, budgets after the one exceeded stay unspent: their units go back.
    if (exceeded) spends.forEach((s, i) => local[i] && i > exceeded.index && this.leased.giveBack(keys[i], s.amount ?? 1));
    return exceeded;
  }

  /**
   * Spends the budgets at `indices` in one script call, in order. A budget Redis refuses still
   * passes on units a concurrent spend of this instance leased meanwhile (they were counted
   * within the limit); the budgets after it are then spent in another call.
   */
  private async spendAtRedis(batch: { spends: readonly Spend[]; keys: string[]; windows: number[] }, indices: number[]): Promise<Exceeded | undefined> {
    const { spends, keys, windows } = batch;
    const leases = indices.map((i) => this.askLease(keys[i], spends[i].lease));
    let reply: number[];
    try {
      const args = indices.flatMap((i, j) => [spends[i].amount ?? 1, spends[i].windowSeconds * 1000, spends[i].limit, leases[j]]);
      reply = (await this.redis.eval(SPEND_SCRIPT, indices.length, ...indices.map((i) => keys[i]), ...args)) as number[];
    } finally {
      indices.forEach((i, j) => leases[j] && this.leasing.delete(keys[i]));
    }
    const [position, , ...granted] = reply;
    granted.forEach((units, j) => this.leased.add(keys[indices[j]], Number(units), windowEnd(windows[indices[j]], spends[indices[j]].windowSeconds)));
    if (position === 0) return undefined;
    const index = indices[position - 1];
    if (spends[index].lease && this.leased.take(keys[index], spends[index].amount ?? 1)) {
      const rest = indices.slice(position);
      return rest.length ? this.spendAtRedis(batch, rest) : undefined;
    }
    return { index, resetMs: msLeft(windows[index], spends[index].windowSeconds) };
  }

  /** The lease to ask for `key`: none while another spend's request for one is on its way. */
  private askLease(key: string, lease = 0): number {
    if (lease <= 0 || this.leasing.has(key)) return 0;
    this.leasing.add(key);
    return lease;
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
  // Each budget's lease is fixed by its limit: worked out once here, not on every request.
  const percent = options.leasePercent ?? DEFAULT_LEASE_PERCENT;
  const leased = (budget: Budget): LeasedBudget => ({ ...budget, lease: leaseFor(budget.limit, percent) });
  const general = leased(options.general);
  const mutations = new Map(Object.entries(options.mutations).map(([name, budget]) => [name, leased(budget)]));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          const who = contextValue.caller.userId ? `user:${contextValue.caller.userId}` : `ip:${contextValue.clientIp}`;
          const checks: Array<[string, LeasedBudget]> = [['all', general]];
          if (operation?.operation === 'mutation') {
            for (const selection of operation.selectionSet.selections) {
              if (selection.kind !== Kind.FIELD) continue;
              const budget = mutations.get(selection.name.value);
              if (budget) checks.push([selection.name.value, budget]);
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
