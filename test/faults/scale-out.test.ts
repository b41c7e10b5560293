import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort, repoRoot } from '@eventix/local-infra';
import { startFaultInfra, type FaultInfra } from './infra';
import { operations, serviceEntry, ServiceProcess, spanAttribute, otlpExportEnv, startOtlpCollector, waitFor, type CollectedSpan } from '@eventix/testing';
import { seedOnSaleEvent, type FaultPlatform } from './platform';

/**
 * Issue #17, scale-out: two instances of every subgraph as separate processes on one Kafka,
 * PostgreSQL and Redis, behind two gateways wired crosswise — gateway A (GATEWAY_WORKERS=2, a
 * node:cluster primary and two workers) in front of the first instances, gateway B in front of
 * the second, and each payment taking holds from the *other* booking instance. A booking made
 * through one side is paid through the other and confirmed by whichever booking instance's
 * consumer Kafka hands payment.success to; live updates reach subscribers of both sides (Redis
 * fan-out). Gateway A's workers share rate limits, APQ, subscriptions and the dev key.
 */
const RATE_LIMIT = 40;

/** A POST on a connection of its own (agent: false): node:cluster spreads connections over the workers round-robin. */
function postFresh(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: { code?: string } }> } }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers } }, (res) => {
      let out = '';
      res.on('data', (chunk: Buffer) => (out += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(out) as never }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('scale-out: two of each service on one Kafka, PostgreSQL and Redis', () => {
  let infra: FaultInfra;
  let runDir: string;
  const services: ServiceProcess[] = [];
  const clients: Client[] = [];
  let gatewayA: ServiceProcess;
  let gatewayB: ServiceProcess;
  let collector: Awaited<ReturnType<typeof startOtlpCollector>>;

  const tokenFrom = async (gateway: ServiceProcess, sub: string, permissions: string[] = []) => {
    const res = await postFresh(`${gateway.url}/dev/token`, { sub, permissions });
    return (res.json as unknown as { token: string }).token;
  };
  const gql = (gateway: ServiceProcess, token: string) => async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await postFresh(`${gateway.url}/graphql`, { query, variables }, { authorization: `Bearer ${token}` });
    if (res.json.errors) throw new Error(`${gateway.name}: ${JSON.stringify(res.json.errors)}`);
    return res.json.data as T;
  };

  beforeAll(async () => {
    const runId = `${Date.now().toString(36)}_${crypto.randomBytes(2).toString('hex')}`;
    runDir = path.join(repoRoot(__dirname), '.cache/faults', `scale-out-${runId}`);
    fs.mkdirSync(runDir, { recursive: true });
    const log = (message: string) => fs.appendFileSync(path.join(runDir, 'harness.log'), `${new Date().toISOString()} ${message}\n`);
    infra = await startFaultInfra(runId.replace(/[^a-z0-9_]/g, ''), log);
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    // Every process exports its spans to one stand-in collector, configured by OTEL_* only.
    collector = await startOtlpCollector();
    const common = {
      ...otlpExportEnv(collector.url),
      NODE_ENV: 'development',
      INTERNAL_JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      REDIS_URL: infra.redis.url,
    };
    const port = async () => String(await freePort());
    const instance = async (service: 'catalog' | 'booking' | 'payment', n: number, env: Record<string, string> = {}) => {
      const p = await port();
      const upper = service.toUpperCase();
      const process = new ServiceProcess(
        `${service}-${n}`,
        serviceEntry(service).absolute,
        Number(p),
        { ...common, OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${service}-${n}`, [`${upper}_PORT`]: p, [`${upper}_DATABASE_URL`]: infra.databases[service].url, ...env },
        runDir,
      );
      services.push(process);
      return process;
    };
    const bookingEnv = { TICKET_SIGNING_KEY: JSON.stringify(privateKey.export({ format: 'jwk' })) };
    const catalog = [await instance('catalog', 1), await instance('catalog', 2)];
    const booking = [await instance('booking', 1, bookingEnv), await instance('booking', 2, bookingEnv)];
    // Each payment takes its holds from the other booking instance.
    const payment = [
      await instance('payment', 1, { BOOKING_URL: `${booking[1].url}/graphql`, PAYMENT_WORKER_INTERVAL_MS: '500' }),
      await instance('payment', 2, { BOOKING_URL: `${booking[0].url}/graphql`, PAYMENT_WORKER_INTERVAL_MS: '500' }),
    ];
    const gateway = async (name: string, n: 0 | 1, env: Record<string, string>) => {
      const p = await port();
      const g = new ServiceProcess(name, serviceEntry('gateway').absolute, Number(p), {
        ...common,
        GATEWAY_PORT: p,
        CATALOG_URL: `${catalog[n].url}/graphql`,
        BOOKING_URL: `${booking[n].url}/graphql`,
        PAYMENT_URL: `${payment[n].url}/graphql`,
        DEV_ISSUER_KEY_FILE: path.join(runDir, `${name}-dev-key.json`),
        OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${name}`,
        ...env,
      }, runDir);
      services.push(g);
      return g;
    };
    gatewayA = await gateway('gateway-a', 0, { GATEWAY_WORKERS: '2', RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), RATE_LIMIT_BOOKING_PER_MINUTE: '1000' });
    // B's budget is far above its polling; its counts land on the same Redis keys as A's budget
    // of 40, so it leases nothing (a lease of 2 % would take 100 units of A's 40 at once, ADR 0014).
    gatewayB = await gateway('gateway-b', 1, { RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_BOOKING_PER_MINUTE: '1000', RATE_LIMIT_LEASE_PERCENT: '0' });
    // One at a time: on two shared cores, parallel start-ups mostly slow each other down.
    for (const service of services) await service.start();
  }, 300_000);

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await Promise.allSettled(services.filter((s) => s.running).map((s) => s.kill('SIGTERM')));
    await infra?.stop();
    await collector?.close();
  }, 120_000);

  it('gateway A runs as a primary with two workers', () => {
    const log = fs.readFileSync(gatewayA.logFile, 'utf8');
    expect(log).toContain('primary running 2 workers');
    // Each worker logs that it listens (all on the one port); the primary does not.
    expect(log.match(/"msg":"listening on /g)).toHaveLength(2);
  });

  it('bookings, payments and live updates are right whichever instance serves them', async () => {
    // Seeded through B: its anonymous seat-map polling would use up A's small per-IP rate limit.
    const platformB = { gatewayUrl: `${gatewayB.url}/graphql`, token: (sub: string, permissions?: string[]) => tokenFrom(gatewayB, sub, permissions) } as FaultPlatform;
    const { eventId, seatIds } = await seedOnSaleEvent(platformB, 'Scale-out Night', 4, 10);

    // Subscribers on both sides, signed in.
    const LIVE = print(operations.LiveSeatAvailabilityDocument);
    const watch = (gateway: ServiceProcess, token: string) => {
      const client = createClient({ url: `${gateway.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${token}` } });
      clients.push(client);
      const seen = new Map<string, string>();
      const errors: unknown[] = [];
      client.subscribe<operations.LiveSeatAvailabilitySubscription>({ query: LIVE, variables: { eventId } }, {
        next: (r) => (r.data ? r.data.seatAvailabilityChanged.seats.forEach((s) => seen.set(s.seat.id, s.availability)) : errors.push(r.errors)),
        error: (e) => errors.push(e),
        complete: () => undefined,
      });
      return { seen, errors };
    };
    const watchers = [watch(gatewayA, await tokenFrom(gatewayA, 'watcher-a1')), watch(gatewayA, await tokenFrom(gatewayA, 'watcher-a2')), watch(gatewayB, await tokenFrom(gatewayB, 'watcher-b'))];
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Six fans: booked on one side, paid on the other.
    const booked: Array<{ id: string; seat: string; reader: ReturnType<typeof gql> }> = [];
    for (let i = 0; i < 6; i++) {
      const [bookSide, paySide] = i % 2 === 0 ? [gatewayA, gatewayB] : [gatewayB, gatewayA];
      const sub = `fan-${i}`;
      const book = gql(bookSide, await tokenFrom(bookSide, sub));
      const pay = gql(paySide, await tokenFrom(paySide, sub));
      const seat = seatIds[i];
      const created = await book<{ createBooking: { id: string; status: string } }>(print(operations.CreateBookingDocument), { input: { eventId, seatIds: [seat], idempotencyKey: crypto.randomUUID() } });
      const paid = await pay<{ payBooking: { status: string } }>(print(operations.PayBookingDocument), { input: { bookingId: created.createBooking.id, paymentMethodToken: 'tok_visa', idempotencyKey: crypto.randomUUID() } });
      expect(paid.payBooking.status).not.toBe('FAILED');
      booked.push({ id: created.createBooking.id, seat, reader: gql(gatewayB, await tokenFrom(gatewayB, sub)) });
    }
    for (const { id, reader } of booked) {
      await waitFor(async () => ((await reader<{ booking: { status: string } }>('query($id: ID!) { booking(id: $id) { status } }', { id })).booking.status === 'CONFIRMED' ? true : undefined), 60_000, `booking ${id} confirmed`);
    }
    // Everyone sees every seat sold, whichever instance their socket is on.
    for (const watcher of watchers) {
      await waitFor(() => (booked.every((b) => watcher.seen.get(b.seat) === 'SOLD') ? true : undefined), 30_000, () => `live updates: ${JSON.stringify([...watcher.seen])}`);
      expect(watcher.errors).toEqual([]);
    }
    // And the seat map agrees on both sides.
    for (const gateway of [gatewayA, gatewayB]) {
      const map = await gql(gateway, await tokenFrom(gateway, 'reader'))<{ event: { availableSeatCount: number } }>('query($id: ID!) { event(id: $id) { availableSeatCount } }', { id: eventId });
      expect(map.event.availableSeatCount).toBe(seatIds.length - booked.length);
    }
  }, 240_000);

  it("gateway A's workers share the dev issuer's key: a token minted by either works on both", async () => {
    const tokens = await Promise.all(Array.from({ length: 4 }, (_, i) => tokenFrom(gatewayA, `shared-key-${i}`)));
    for (const token of tokens) {
      for (let i = 0; i < 3; i++) {
        const res = await postFresh(`${gatewayA.url}/graphql`, { query: '{ __typename }' }, { authorization: `Bearer ${token}` });
        expect({ status: res.status, errors: res.json.errors }).toEqual({ status: 200, errors: undefined });
      }
    }
  });

  it("gateway A's workers share APQ: a query registered through one runs by hash through the other", async () => {
    const query = `query ScaleOutApq { events(first: 1) { edges { node { id } } } } # ${crypto.randomUUID()}`;
    const sha256Hash = crypto.createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = await postFresh(`${gatewayA.url}/graphql`, { extensions });
    expect(unknown.json.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await postFresh(`${gatewayA.url}/graphql`, { query, extensions });
    expect(registered.json.errors).toBeUndefined();
    for (let i = 0; i < 6; i++) {
      const byHash = await postFresh(`${gatewayA.url}/graphql`, { extensions });
      expect({ i, errors: byHash.json.errors }).toEqual({ i, errors: undefined });
    }
  });

  it("gateway A's workers share rate limits: a caller gets RATE_LIMIT_PER_MINUTE in all, not per worker", async () => {
    const token = await tokenFrom(gatewayA, `rate-probe-${crypto.randomUUID()}`);
    const results = [];
    for (let i = 0; i < RATE_LIMIT + 10; i++) results.push(await postFresh(`${gatewayA.url}/graphql`, { query: '{ __typename }' }, { authorization: `Bearer ${token}` }));
    const allowed = results.filter((r) => !r.json.errors).length;
    expect(allowed).toBe(RATE_LIMIT);
    expect(results.slice(RATE_LIMIT).every((r) => r.json.errors?.[0]?.extensions?.code === 'RATE_LIMITED')).toBe(true);
  }, 60_000);

  it('one trace across processes and Kafka: gateway A → booking-1, gateway B → payment-2 → its outbox → Kafka → booking consumer', async () => {
    const { eventId, seatIds } = await seedOnSaleEvent({ gatewayUrl: `${gatewayB.url}/graphql`, token: (sub: string, permissions?: string[]) => tokenFrom(gatewayB, sub, permissions) } as FaultPlatform, 'Traced Night', 2, 5);
    const traceId = crypto.randomBytes(16).toString('hex');
    const clientSpanId = crypto.randomBytes(8).toString('hex');
    const traced = (gateway: ServiceProcess, token: string) => async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
      const res = await postFresh(`${gateway.url}/graphql`, { query, variables }, { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${clientSpanId}-01` });
      if (res.json.errors) throw new Error(JSON.stringify(res.json.errors));
      return res.json.data as T;
    };
    const created = await traced(gatewayA, await tokenFrom(gatewayA, 'traced-fan'))<{ createBooking: { id: string } }>(print(operations.CreateBookingDocument), { input: { eventId, seatIds: [seatIds[0]], idempotencyKey: crypto.randomUUID() } });
    await traced(gatewayB, await tokenFrom(gatewayB, 'traced-fan'))(print(operations.PayBookingDocument), { input: { bookingId: created.createBooking.id, paymentMethodToken: 'tok_visa', idempotencyKey: crypto.randomUUID() } });

    const inTrace = () => collector.spans.filter((s) => s.traceId === traceId);
    const consumer = await waitFor(
      () => inTrace().find((s) => s.name === 'process payment.success' && s.service === 'booking'),
      30_000,
      `booking's payment.success consumer span in trace ${traceId}; so far: ${[...new Set(inTrace().map((s) => `${s.instance}: ${s.name}`))].join(', ')}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const spans = inTrace();
    // Kept for people: the whole trace as the collector received it.
    fs.writeFileSync(path.join(runDir, 'trace.json'), JSON.stringify(spans, null, 1));
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    expect(spans.filter((s) => s.parentSpanId !== clientSpanId && !byId.has(s.parentSpanId ?? '')).map((s) => `${s.instance}: ${s.name}`)).toEqual([]);
    const ancestors = (span: CollectedSpan) => {
      const chain: CollectedSpan[] = [];
      for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) chain.push(at);
      return chain;
    };
    // The consumer descends from payment-2's work under gateway B's request…
    const chain = ancestors(consumer);
    expect(new Set(chain.map((s) => s.instance))).toEqual(new Set(['payment-2', 'gateway-b']));
    // The writer: payment-2's payBooking resolver, whose transaction inserted the outbox row.
    const writer = byId.get(consumer.parentSpanId ?? '')!;
    expect({ instance: writer.instance, name: writer.name }).toEqual({ instance: 'payment-2', name: 'graphql.resolve payBooking' });
    const statement = (span: CollectedSpan) => String(spanAttribute(span, 'db.statement') ?? spanAttribute(span, 'db.query.text') ?? '');
    expect(spans.some((s) => s.parentSpanId === writer.spanId && /^insert into "outbox"/i.test(statement(s)))).toBe(true);
    expect(['booking-1', 'booking-2']).toContain(consumer.instance);
    // …it was handed over by Kafka (kafkajs's consumer span, in the relay's trace, is linked)…
    expect(consumer.links?.length).toBe(1);
    const kafkaSpan = collector.spans.find((s) => s.spanId === consumer.links![0].spanId);
    expect(kafkaSpan?.kind).toBe(5);
    // …and createBooking went gateway A → booking-1 with its queries, in the same trace.
    const instances = new Set(spans.map((s) => s.instance));
    for (const instance of ['gateway-a', 'booking-1', 'gateway-b', 'payment-2']) expect(instances).toContain(instance);
    expect(spans.some((s) => s.instance === 'booking-1' && /postgres/.test(String(spanAttribute(s, 'db.system') ?? spanAttribute(s, 'db.system.name'))))).toBe(true);
  }, 120_000);
});
