import { loadGatewayConfig } from '@eventix/gateway/dist/src/env';
import { startGateway, type RunningGateway } from '@eventix/gateway/dist/src/server';
import { REQUEST_ID_HEADER } from '@eventix/subgraph-kit';
import { errorCodes, graphqlClient, type GraphQLResponse } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from './platform-harness';

type Events = { events: { edges: Array<{ node: { id: string; title: string } }> } };

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

  beforeAll(async () => {
    // Events on the in-process bus: this file is about HTTP between gateway and subgraphs.
    h = await startTestPlatform({ KAFKA_BROKERS: '' });
    bookingUrl = h.subgraphUrls.booking;
    gateway = await startGateway({
      config: loadGatewayConfig({ ...h.env, INTERNAL_JWT_SECRET: h.internalSecret, CATALOG_URL: h.subgraphUrls.catalog, BOOKING_URL: bookingUrl, PAYMENT_URL: h.subgraphUrls.payment }),
      log: (m) => logs.push(m),
    });
    ({ eventId } = await onSaleEvent(h, { venue: 'Dark Hall', title: 'Booking Outage Night', rows: 1, seatsPerRow: 4 }));
    await h.platform.booking.stop();
  });
  afterAll(async () => {
    await gateway?.stop();
    await h?.close();
  });

  const client = async () => graphqlClient(gateway.url, { authorization: `Bearer ${await gateway.devIssuer!.issue('outage-fan', [])}` });

  it('answers SERVICE_UNAVAILABLE for the booking part, keeps the catalog data, and logs the subgraph with the request id', async () => {
    const requestId = `subgraph-outage-${Date.now()}`;
    const res = await (await client())<Events & { booking: unknown }>(
      `query Mixed { events { edges { node { id title } } } booking(id: "00000000-0000-4000-8000-000000000000") { id status } }`,
      {},
      { [REQUEST_ID_HEADER]: requestId },
    );
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
    const seats = await fan(`query Seats($id: ID!) { event(id: $id) { title availableSeatCount } }`, { id: eventId });
    expect(new Set(errorCodes(seats))).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    expectNoTopology(seats, bookingUrl);
    const book = await fan(`mutation { createBooking(input: { eventId: "${eventId}", seatIds: ["00000000-0000-4000-8000-000000000001"] }) { id } }`);
    expect(errorCodes(book)).toEqual(['SERVICE_UNAVAILABLE']);
    expectNoTopology(book, bookingUrl);
  });

  it("does not name the subgraph in a subgraph's own errors either", async () => {
    // A contract error catalog answers with HTTP 200, to which @apollo/gateway adds
    // extensions.serviceName ("catalog").
    const organizer = graphqlClient(gateway.url, { authorization: `Bearer ${await gateway.devIssuer!.issue('outage-organizer', ['catalog:write'])}` });
    const res = await organizer(`mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, {
      i: { venueId: '00000000-0000-4000-8000-00000000dead', title: 'Nowhere', startsAt: new Date(Date.now() + 86_400_000).toISOString(), currency: 'EUR' },
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    for (const error of res.errors ?? []) expect(error.extensions).not.toHaveProperty('serviceName');
  });
});
