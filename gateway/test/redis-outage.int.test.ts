import { createHash } from 'node:crypto';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { loadGatewayConfig, startGateway, type RunningGateway } from '../src/lib';
import type { RedisSeatFanout } from '@eventix/booking';
import { startRestartableRedis, type RestartableRedis } from '@eventix/local-infra';
import { errorCodes, graphqlClient, operations, waitFor } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

// graphql-ws takes the operation as text.
const LIVE = print(operations.LiveSeatAvailabilityDocument);

/** A sample's value from Prometheus text, or 0 when the series does not exist yet. */
function sample(metrics: string, name: string, labels: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * Issue #10 item 3: Redis only backs rate limits, APQ and the seat-map fan-out, so losing it
 * must not fail requests. The platform runs on a redis-server of this file alone, killed and
 * restarted mid-test. Events travel on the in-process bus: this file is about Redis, and the
 * bus keeps it independent of Kafka.
 */
describe('Redis outage (dedicated redis-server killed and restarted)', () => {
  let redis: RestartableRedis;
  let h: PlatformHarness;
  let gateway: RunningGateway;
  const logs: string[] = [];
  let eventId: string;
  let seatIds: string[];
  const clients: Client[] = [];

  const metrics = async () => (await fetch(`${gateway.url.replace(/\/graphql$/, '')}/metrics`)).text();
  // Tokens of this gateway's own dev issuer (the platform's gateway signs with another key).
  const as = async (sub: string) => graphqlClient(gateway.url, { authorization: `Bearer ${await gateway.devIssuer!.issue(sub, [])}` });

  beforeAll(async () => {
    redis = await startRestartableRedis();
    h = await startTestPlatform({ REDIS_URL: redis.url, KAFKA_BROKERS: '' });
    // A second gateway whose log we read, with hour-long windows so no window ends mid-test
    // and resets a count under the assertions.
    const config = loadGatewayConfig(h.gatewayEnv());
    const hour = 3600;
    gateway = await startGateway({
      config: { ...config, rateLimits: { ...config.rateLimits, general: { limit: 10_000, windowSeconds: hour }, mutations: { createBooking: { limit: 3, windowSeconds: hour }, payBooking: { limit: 3, windowSeconds: hour } } } },
      log: (m) => logs.push(m),
    });
    ({ eventId, seatIds } = await onSaleEvent(h, { venue: 'Outage Hall', title: 'Outage Night', rows: 1, seatsPerRow: 20 }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await gateway?.stop();
    await h?.close();
    await redis?.dispose();
  });

  /** Sends traffic until the gateway's rate limits are served by Redis again. */
  const backOnRedis = (client: ReturnType<typeof graphqlClient>) =>
    waitFor(
      async () => {
        await client(operations.EventTitlesDocument, {});
        return sample(await metrics(), 'eventix_gateway_redis_degraded', 'use="rate_limit"') === 0 ? true : undefined;
      },
      15_000,
      'the rate limits to go back to Redis',
    );

  it('keeps queries, bookings and APQ working with Redis down, limits per instance, counts the fallback, and goes back to Redis when it returns', async () => {
    // The hour-long windows must not roll over during the test.
    const secondsLeftInHour = 3600 - (Math.floor(Date.now() / 1000) % 3600);
    if (secondsLeftInHour < 120) await new Promise((r) => setTimeout(r, secondsLeftInHour * 1000 + 1000));

    const before = await (await as('outage-a'))(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[0]] } });
    expect(before.errors).toBeUndefined();
    expect(sample(await metrics(), 'eventix_gateway_redis_fallback_total', 'use="rate_limit"')).toBe(0);

    await redis.stop('SIGKILL');
    const down = Date.now();

    // Queries: every one answered, none 500, none slow (no request waits on a dead Redis).
    const anonymous = graphqlClient(gateway.url);
    const results: Array<{ status: number; ms: number; codes: unknown[] }> = [];
    for (let i = 0; i < 30; i++) {
      const t0 = Date.now();
      const res = await anonymous(operations.EventTitlesDocument, {});
      results.push({ status: res.status, ms: Date.now() - t0, codes: errorCodes(res) });
    }
    const ok = results.filter((r) => r.status === 200 && r.codes.length === 0).length;
    const slowest = Math.max(...results.map((r) => r.ms));
    process.stderr.write(`Redis down: ${ok}/${results.length} queries ok, slowest ${slowest} ms\n`);
    expect(ok).toBe(results.length);
    expect(slowest).toBeLessThan(1_000);

    // Bookings keep working, and the createBooking budget (3) is still enforced, per instance.
    const fan = await as('outage-b');
    const booked = [];
    for (const seat of seatIds.slice(1, 4)) booked.push(await fan(operations.CreateBookingDocument, { input: { eventId, seatIds: [seat] } }));
    expect(booked.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    const fourth = await fan(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[4]] } });
    expect(errorCodes(fourth)).toEqual(['RATE_LIMITED']);
    expect(fourth.status).toBe(429);

    // APQ on the local cache: register, then hash-only.
    // Inline: a text of its own (the timestamp), so that its hash is not registered yet.
    const query = `query ApqOutage { events(first: 1) { pageInfo { hasNextPage } } } # ${Date.now()}`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    const post = async (body: object) => (await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ data?: unknown; errors?: Array<{ extensions: { code: string } }> }>;
    expect((await post({ extensions })).errors?.[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post({ query, extensions })).errors).toBeUndefined();
    expect((await post({ extensions })).data).toEqual({ events: { pageInfo: { hasNextPage: expect.any(Boolean) } } });

    const during = await metrics();
    const rateLimitFallbacks = sample(during, 'eventix_gateway_redis_fallback_total', 'use="rate_limit"');
    expect(rateLimitFallbacks).toBeGreaterThanOrEqual(results.length);
    expect(sample(during, 'eventix_gateway_redis_fallback_total', 'use="apq"')).toBeGreaterThanOrEqual(3);
    expect(sample(during, 'eventix_gateway_redis_degraded', 'use="rate_limit"')).toBe(1);
    // One line per switch, not one per request.
    expect(logs.filter((l) => l.startsWith('rate_limit: Redis failed'))).toHaveLength(1);
    process.stderr.write(`Redis down ${Date.now() - down} ms: ${rateLimitFallbacks} rate-limit checks served per instance\n`);

    // Redis returns (empty, same port): the gateway goes back to it without a restart.
    await redis.start();
    const restarted = Date.now();
    await backOnRedis(anonymous);
    process.stderr.write(`back on Redis ${Date.now() - restarted} ms after it restarted\n`);
    expect(logs.filter((l) => l.startsWith('rate_limit: Redis answers again'))).toHaveLength(1);

    // Shared state again: the next booking is counted in Redis itself, and no more fallbacks.
    const fallbacksAfter = sample(await metrics(), 'eventix_gateway_redis_fallback_total', 'use="rate_limit"');
    expect((await (await as('outage-c'))(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[5]] } })).errors).toBeUndefined();
    const probe = new Redis(redis.url);
    try {
      expect(await probe.keys('eventix:rl:createBooking:user:outage-c:*')).toHaveLength(1);
    } finally {
      probe.disconnect();
    }
    expect(sample(await metrics(), 'eventix_gateway_redis_fallback_total', 'use="rate_limit"')).toBe(fallbacksAfter);
  });

  it('answers within the command timeout while Redis hangs without closing connections, and recovers when it resumes', async () => {
    const anonymous = graphqlClient(gateway.url);
    await waitFor(async () => ((await anonymous(operations.EventTitlesDocument, {})).errors ? undefined : sample(await metrics(), 'eventix_gateway_redis_degraded', 'use="rate_limit"') === 0 || undefined), 10_000, 'the gateway on Redis');
    // Signed in before the freeze (the token is the gateway's own), each a caller this instance holds no budget units of.
    const callers = await Promise.all(Array.from({ length: 20 }, (_, i) => as(`frozen-${i}-${Date.now()}`)));
    const fallbacksBefore = sample(await metrics(), 'eventix_gateway_redis_fallback_total', 'use="rate_limit"');
    redis.pause();
    try {
      // A caller whose budget units this instance took ahead (a lease: 100 of the 10,000) is
      // served from them: Redis is not asked, nothing falls back.
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        expect((await anonymous(operations.EventTitlesDocument, {})).errors).toBeUndefined();
        expect(Date.now() - started).toBeLessThan(300);
      }
      expect(sample(await metrics(), 'eventix_gateway_redis_fallback_total', 'use="rate_limit"')).toBe(fallbacksBefore);

      // Callers it holds nothing for need Redis: the first waits out the 500 ms command timeout,
      // the rest mostly skip Redis (per-instance memory).
      const latencies: number[] = [];
      let ok = 0;
      const t0 = Date.now();
      for (const caller of callers) {
        const started = Date.now();
        const res = await caller(operations.EventTitlesDocument, {});
        latencies.push(Date.now() - started);
        if (res.status === 200 && !res.errors) ok++;
      }
      process.stderr.write(`Redis frozen: ${ok}/20 queries ok in ${Date.now() - t0} ms, slowest ${Math.max(...latencies)} ms, median ${latencies.sort((a, b) => a - b)[10]} ms\n`);
      expect(ok).toBe(20);
      expect(Math.max(...latencies)).toBeGreaterThanOrEqual(450);
      expect(Math.max(...latencies)).toBeLessThan(2_000);
      expect(latencies[10]).toBeLessThan(300);
      expect(sample(await metrics(), 'eventix_gateway_redis_fallback_total', 'use="rate_limit"')).toBeGreaterThan(fallbacksBefore);
    } finally {
      redis.resume();
    }
    const resumed = Date.now();
    await backOnRedis(anonymous);
    process.stderr.write(`back on Redis ${Date.now() - resumed} ms after it resumed\n`);
  });

  describe('live seat map', () => {
    const connect = async (sub: string) => {
      const client = createClient({ url: h.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${await h.token(sub)}` } });
      clients.push(client);
      return client;
    };
    const watch = (client: Client) => {
      const seen = { changes: [] as string[], errors: [] as Array<{ message: string; extensions?: { code?: string } }>, completed: false };
      client.subscribe<operations.LiveSeatAvailabilitySubscription>({ query: LIVE, variables: { eventId } }, {
        next: (r) => {
          if (r.data) seen.changes.push(...r.data.seatAvailabilityChanged.seats.map((s) => s.availability));
          if (r.errors) seen.errors.push(...(r.errors as typeof seen.errors));
        },
        error: (e) => seen.errors.push({ message: String(e) }),
        complete: () => (seen.completed = true),
      });
      return seen;
    };
    const fanout = () => h.platform.booking.fanout as RedisSeatFanout;
    const subscribed = () => waitFor(async () => ((await fanout().channels()).includes(`seat-availability:${eventId}`) ? true : undefined), 10_000, 'the Redis subscription');

    it('ends a live subscription with SERVICE_UNAVAILABLE when Redis dies, refuses new ones meanwhile, and streams again once Redis is back', async () => {
      // After the previous test's restart the fan-out must have reconnected before we start.
      const first = await waitFor(
        async () => {
          const seen = watch(await connect('live-a'));
          await new Promise((r) => setTimeout(r, 300));
          return seen.errors.length ? undefined : seen;
        },
        10_000,
        'a live subscription to be accepted',
      );
      await subscribed();

      await redis.stop('SIGKILL');
      const killed = Date.now();
      await waitFor(() => (first.completed ? true : undefined), 5_000, 'the live subscription to end');
      const told = Date.now() - killed;
      process.stderr.write(`live subscriber told ${told} ms after Redis died\n`);
      expect(first.errors.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(first.errors[0].message).toMatch(/refetch/);

      // A new subscription during the outage is refused with the same code, not left silent.
      const refused = watch(await connect('live-b'));
      await waitFor(() => (refused.completed ? true : undefined), 5_000, 'the refusal');
      expect(refused.errors.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);

      // Queries still answer meanwhile.
      expect((await h.as()(operations.EventTitlesDocument, {})).errors).toBeUndefined();

      await redis.start();
      const restarted = Date.now();
      const again = await waitFor(
        async () => {
          const seen = watch(await connect('live-c'));
          await new Promise((r) => setTimeout(r, 200));
          return seen.errors.length || seen.completed ? undefined : seen;
        },
        15_000,
        'live subscriptions to be accepted again',
      );
      await subscribed();
      process.stderr.write(`live subscriptions accepted again ${Date.now() - restarted} ms after Redis restarted\n`);
      const buyer = h.as(await h.token('live-buyer'));
      expect((await buyer(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[10]] } })).errors).toBeUndefined();
      h.platform.booking.relay.nudge();
      await waitFor(() => (again.changes.includes('HELD') ? true : undefined), 10_000, 'a HELD change after recovery');
    });
  });
});
