import { loadGatewayConfig, startGateway, type RunningGateway } from '../src/lib';
import { errorCodes, graphqlClient, operations, type GraphQLResponse } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';
import { metricValue as counter } from './gateway-metrics';

/**
 * #16: concurrent identical subgraph fetches share one request, only within one caller identity
 * (docs/adr/0011-subgraph-fetch-dedup.md), and a gateway at capacity sheds with RATE_LIMITED
 * (429) instead of failing. Real subgraphs on real PostgreSQL, gateways started beside the platform's.
 */
describe('subgraph fetch sharing and admission control (real subgraphs)', () => {
  let h: PlatformHarness;
  const gateways: RunningGateway[] = [];
  let eventId: string;
  let bookingOfA: string;

  // A budget of their own: the general rate limit counts anonymous callers per address.
  const gateway = async (env: Record<string, string>) => {
    const g = await startGateway({ config: loadGatewayConfig(h.gatewayEnv({ RATE_LIMIT_PER_MINUTE: '100000', ...env })), log: () => undefined });
    gateways.push(g);
    return g;
  };

  beforeAll(async () => {
    h = await startTestPlatform({ KAFKA_BROKERS: '' });
    let seatIds: string[];
    ({ eventId, seatIds } = await onSaleEvent(h, { title: 'Shared Fetch Night', rows: 1, seatsPerRow: 4 }));
    const booked = await h.as(await h.token('dedup-fan-a'))(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[0]] } });
    expect(booked.errors).toBeUndefined();
    bookingOfA = booked.data!.createBooking.id;
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await h?.close();
  });

  it('answers concurrent identical anonymous seat maps from shared fetches, each response whole', async () => {
    const g = await gateway({});
    const client = graphqlClient(g.url);
    const results = await Promise.all(Array.from({ length: 40 }, () => client(operations.SeatMapDocument, { eventId })));
    expect(results.map((r) => r.errors)).toEqual(results.map(() => undefined));
    expect(results[0].data!.event!.seats).toHaveLength(4);
    expect(new Set(results.map((r) => JSON.stringify(r.data))).size).toBe(1);
    expect(await counter(g, 'eventix_gateway_subgraph_fetch_shared_total')).toBeGreaterThan(0);
  });

  it("never hands one fan's bookings to another, however many of their identical reads run at once", async () => {
    const g = await gateway({});
    // Tokens of this gateway's dev issuer, for the subject that booked through the platform's.
    const [tokenA, tokenB] = await Promise.all([g.devIssuer!.issue('dedup-fan-a', []), g.devIssuer!.issue('dedup-fan-b', [])]);
    const [asA, asB] = [graphqlClient(g.url, { authorization: `Bearer ${tokenA}` }), graphqlClient(g.url, { authorization: `Bearer ${tokenB}` })];
    const reads: Array<Promise<['A' | 'B', GraphQLResponse<operations.MyBookingsQuery>]>> = [];
    for (let i = 0; i < 20; i++) reads.push(asA(operations.MyBookingsDocument, {}).then((r) => ['A', r]), asB(operations.MyBookingsDocument, {}).then((r) => ['B', r]));
    const results = await Promise.all(reads);
    const idsOf = (r: GraphQLResponse<operations.MyBookingsQuery>) => r.data?.myBookings.edges.map((e) => e.node.id) ?? r.errors;
    expect(results.filter(([who]) => who === 'A').map(([, r]) => idsOf(r))).toEqual(Array.from({ length: 20 }, () => [bookingOfA]));
    expect(results.filter(([who]) => who === 'B').map(([, r]) => idsOf(r))).toEqual(Array.from({ length: 20 }, () => []));
    // Each fan's own identical reads did share.
    expect(await counter(g, 'eventix_gateway_subgraph_fetch_shared_total')).toBeGreaterThan(0);
  });

  it('shares nothing with GATEWAY_DEDUP=off', async () => {
    const g = await gateway({ GATEWAY_DEDUP: 'off' });
    const client = graphqlClient(g.url);
    const results = await Promise.all(Array.from({ length: 40 }, () => client(operations.SeatMapDocument, { eventId })));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(await counter(g, 'eventix_gateway_subgraph_fetch_shared_total')).toBe(0);
  });

  it('sheds what exceeds its capacity with 429 and RATE_LIMITED, answers the rest, never 5xx, and keeps health checks out of it', async () => {
    const g = await gateway({ GATEWAY_MAX_IN_FLIGHT: '1', GATEWAY_MAX_QUEUED: '2', GATEWAY_MAX_QUEUE_WAIT_MS: '1' });
    const base = new URL(g.url).origin;
    const post = () => fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query($id: ID!) { event(id: $id) { seats { id availability } } }', variables: { id: eventId } }) });
    const [responses, health] = await Promise.all([Promise.all(Array.from({ length: 30 }, post)), Promise.all(Array.from({ length: 5 }, () => fetch(`${base}/health/live`)))]);
    expect(health.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses).toContain(200);
    const shed = responses.filter((r) => r.status === 429);
    expect(shed.length).toBeGreaterThan(0);
    expect(shed[0].headers.get('retry-after')).toBe('1');
    const body = (await shed[0].json()) as GraphQLResponse<unknown>;
    expect(errorCodes({ ...body, status: 429 })).toEqual(['RATE_LIMITED']);
    expect(body.errors![0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(await counter(g, 'eventix_gateway_admission_shed_total')).toBe(shed.length);
    // The slots came back: once the burst is over a request runs at once.
    expect((await post()).status).toBe(200);
  });
});
