import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadGatewayConfig, startGateway, type RunningGateway } from '../src/lib';
import { REQUEST_ID_HEADER } from '@eventix/subgraph-kit';
import { errorCodes, graphqlClient, operations, waitFor, type GraphQLResponse } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

/** Nothing in an error may tell a client where the subgraphs run or what they are called. */
function expectNoTopology(res: GraphQLResponse<unknown>, url: string) {
  const text = JSON.stringify(res.errors);
  const { hostname, port } = new URL(url);
  expect(text).not.toContain(hostname);
  expect(text).not.toContain(port);
  expect(text).not.toMatch(/booking|ECONNREFUSED|serviceName|https?:/i);
}

/**
 * Issue #10 item 6: with a subgraph down the gateway answers SERVICE_UNAVAILABLE (retry later),
 * not INTERNAL_SERVER_ERROR (a bug), names the subgraph in its log only, and keeps the other
 * subgraphs' data where the schema lets it. The booking subgraph's server is really stopped, so
 * its port refuses connections.
 */
describe('a subgraph down (booking stopped)', () => {
  let h: PlatformHarness;
  let gateway: RunningGateway;
  const logs: string[] = [];
  let eventId: string;
  let bookingUrl: string;
  let live: Client;
  /** What a live subscriber to the seat map saw once booking stopped under it. */
  const seen = { errors: [] as Array<{ message: string; extensions?: Record<string, unknown> }>, completed: 0 };
  let stoppedAt = 0;

  beforeAll(async () => {
    // Events on the in-process bus: this file is about HTTP between gateway and subgraphs.
    h = await startTestPlatform({ KAFKA_BROKERS: '' });
    bookingUrl = h.subgraphUrls.booking;
    gateway = await startGateway({
      config: loadGatewayConfig(h.gatewayEnv({ BOOKING_URL: bookingUrl })),
      log: (m) => logs.push(m),
    });
    ({ eventId } = await onSaleEvent(h, { venue: 'Dark Hall', title: 'Booking Outage Night', rows: 1, seatsPerRow: 4 }));
    live = createClient({ url: gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${await gateway.devIssuer!.issue('outage-viewer', [])}` } });
    live.subscribe({ query: print(operations.LiveSeatAvailabilityDocument), variables: { eventId } }, {
      next: (r) => seen.errors.push(...((r.errors ?? []) as typeof seen.errors)),
      error: (e) => seen.errors.push({ message: String(e) }),
      complete: () => (seen.completed = Date.now()),
    });
    await waitFor(() => (h.platform.booking.fanout.subscriberCount(eventId) === 1 ? true : undefined), 10_000, 'the live subscription to reach booking');
    stoppedAt = Date.now();
    await h.platform.booking.stop();
  });
  afterAll(async () => {
    await live?.dispose();
    await gateway?.stop();
    await h?.close();
  });

  const client = async () => graphqlClient(gateway.url, { authorization: `Bearer ${await gateway.devIssuer!.issue('outage-fan', [])}` });

  it('answers SERVICE_UNAVAILABLE for the booking part, keeps the catalog data, and logs the subgraph with the request id', async () => {
    const requestId = `subgraph-outage-${Date.now()}`;
    const res = await (await client())(operations.EventTitlesAndBookingDocument, { bookingId: '00000000-0000-4000-8000-000000000000' }, { [REQUEST_ID_HEADER]: requestId });
    expect(errorCodes(res)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(res.data!.events.edges.map((e) => e.node)).toContainEqual({ id: eventId, title: 'Booking Outage Night' });
    expect(res.data!.booking).toBeNull();
    // Partial data: a 503 would make HTTP clients throw the catalog part away.
    expect(res.status).toBe(200);
    expectNoTopology(res, bookingUrl);
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^subgraph booking unavailable \\(request ${requestId}\\): .*ECONNREFUSED`)));
  });

  it('answers SERVICE_UNAVAILABLE, never INTERNAL_SERVER_ERROR, for booking fields of catalog entities and for mutations', async () => {
    const fan = await client();
    const seats = await fan(operations.EventSeatAvailabilityDocument, { id: eventId });
    expect(new Set(errorCodes(seats))).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    // The booking fields are nullable, so only they are lost: the event and its layout stay.
    expect(seats.data!.event).toEqual({ title: 'Booking Outage Night', availableSeatCount: null, seats: Array.from({ length: 4 }, () => ({ row: 'A', availability: null })) });
    expectNoTopology(seats, bookingUrl);
    const book = await fan(operations.CreateBookingDocument, { input: { eventId, seatIds: ['00000000-0000-4000-8000-000000000001'] } });
    expect(errorCodes(book)).toEqual(['SERVICE_UNAVAILABLE']);
    expectNoTopology(book, bookingUrl);
  });

  it("does not name the subgraph in a subgraph's own errors either", async () => {
    // A contract error catalog answers with HTTP 200, to which @apollo/gateway adds
    // extensions.serviceName ("catalog").
    const organizer = graphqlClient(gateway.url, { authorization: `Bearer ${await gateway.devIssuer!.issue('outage-organizer', ['catalog:write'])}` });
    const res = await organizer(operations.CreateEventDocument, {
      input: { venueId: '00000000-0000-4000-8000-00000000dead', title: 'Nowhere', startsAt: new Date(Date.now() + 86_400_000).toISOString(), currency: 'EUR' },
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    for (const error of res.errors ?? []) expect(error.extensions).not.toHaveProperty('serviceName');
  });

  it('ends a live subscription with SERVICE_UNAVAILABLE as soon as the subgraph goes away, not after a silent reconnect', async () => {
    await waitFor(() => (seen.completed ? true : undefined), 5_000, 'the live subscription to end');
    process.stderr.write(`live subscriber told ${seen.completed - stoppedAt} ms after booking began stopping\n`);
    expect(seen.errors.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expectNoTopology({ status: 200, errors: seen.errors }, bookingUrl);
  });
});
