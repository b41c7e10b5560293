import { Permission } from '@eventix/subgraph-kit';
import { graphqlClient, operations } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';
import { loadGatewayConfig, startGateway, type RunningGateway } from '../src/lib';
import { metricValue } from './gateway-metrics';

type MapSeat = { id: string; price: string; availability: string | null; section: { id: string } };

/**
 * #16 target 4: whole seat maps of published events are answered from the gateway's memory
 * while nothing on them has changed (ADR 0012) — and never once something has: a booking, a
 * hold running out, a reprice. Real subgraphs on real PostgreSQL; holds of 3 s and booking's
 * expiry sweeper off, so a hold ends only by its time passing (no write, no version bump).
 */
describe('seat-map cache (real subgraphs)', () => {
  let h: PlatformHarness;
  let g: RunningGateway;
  let eventId: string;
  let seatIds: string[];

  const cacheCount = (result: string) => metricValue(g, 'eventix_gateway_seat_map_cache_total', { result });
  const counts = async () => ({ hit: await cacheCount('hit'), refresh: await cacheCount('refresh'), miss: await cacheCount('miss'), uncacheable: await cacheCount('uncacheable') });
  const mapAs = async (token?: string) => {
    const res = await graphqlClient(g.url, token ? { authorization: `Bearer ${token}` } : {})(operations.SeatMapDocument, { eventId });
    expect(res.errors).toBeUndefined();
    return res.data!.event!.seats as MapSeat[];
  };
  const availabilityOf = (seats: MapSeat[], seatId: string) => seats.find((s) => s.id === seatId)?.availability;

  beforeAll(async () => {
    h = await startTestPlatform({ KAFKA_BROKERS: '', HOLD_TTL_SECONDS: '3', BOOKING_EXPIRY_INTERVAL_MS: '3600000' });
    ({ eventId, seatIds } = await onSaleEvent(h, { title: 'Cached Map Night', rows: 2, seatsPerRow: 10 }));
    g = await startGateway({ config: loadGatewayConfig(h.gatewayEnv({ RATE_LIMIT_PER_MINUTE: '100000' })), log: () => undefined });
  });
  afterAll(async () => {
    await g?.stop();
    await h?.close();
  });

  it('answers the same map from memory for everybody, signed in or not, marked no-store for browsers and CDNs', async () => {
    const before = await counts();
    const first = await mapAs();
    const second = await mapAs(await g.devIssuer!.issue('cached-map-fan', []));
    expect(second).toEqual(first);
    expect(first).toHaveLength(20);
    expect(await counts()).toEqual({ ...before, hit: before.hit + 1, miss: before.miss + 1 });
    // Planned, then from memory: both say no-store.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query ($id: ID!) { event(id: $id) { seats { id availability } } }', variables: { id: eventId } }) });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect(await cacheCount('hit')).toBe(before.hit + 2);
  });

  it('serves a stored map exactly as it was planned: the same data and cost, with its age', async () => {
    const ask = () => fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query ($id: ID!) { event(id: $id) { id seats { id row number price availability section { name } } } }', variables: { id: eventId } }) });
    const misses = await cacheCount('miss');
    const planned = await ask();
    expect(await cacheCount('miss')).toBe(misses + 1);
    expect(planned.headers.get('age')).toBeNull();
    const plannedText = await planned.text();
    const plannedBody = JSON.parse(plannedText) as { data: unknown; extensions: { cost: { estimated: number; actual: number } } };
    expect(plannedBody.extensions.cost.actual).toBeGreaterThan(0);
    for (let i = 0; i < 2; i++) {
      const hits = await cacheCount('hit');
      const served = await ask();
      expect(await cacheCount('hit')).toBe(hits + 1);
      expect(served.headers.get('age')).toMatch(/^\d+$/);
      // Byte for byte: the stored text is spliced into the same answer Apollo would write.
      expect(await served.text()).toBe(plannedText);
    }
  });

  it('shows a booking the moment createBooking answered, and holds it until the hold runs out with no write at all', async () => {
    expect(availabilityOf(await mapAs(), seatIds[0])).toBe('AVAILABLE');
    const booked = await h.as(await h.token('cached-map-buyer'))(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[0]] } });
    expect(booked.errors).toBeUndefined();
    const heldAt = Date.now();
    expect(availabilityOf(await mapAs(), seatIds[0])).toBe('HELD');
    const hits = await cacheCount('hit');
    expect(availabilityOf(await mapAs(), seatIds[0])).toBe('HELD');
    expect(await cacheCount('hit')).toBe(hits + 1);
    // The 3-s hold ends by time alone (the sweeper is off): the key's earliest expiry moves.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, heldAt + 3_500 - Date.now())));
    expect(availabilityOf(await mapAs(), seatIds[0])).toBe('AVAILABLE');
  });

  it('brings a changed map up to date once for many fans asking at the same moment, signed in or not', async () => {
    const booked = await h.as(await h.token('cached-map-burst-buyer'))(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[5]] } });
    expect(booked.errors).toBeUndefined();
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => g.devIssuer!.issue(`cached-map-burst-fan-${i}`, [])));
    const before = await counts();
    const maps = await Promise.all([...tokens.map((t) => mapAs(t)), ...tokens.map(() => mapAs())]);
    expect(maps.map((m) => availabilityOf(m, seatIds[5]))).toEqual(maps.map(() => 'HELD'));
    // The one that was not served from memory refreshed the stored map (only booking's key moved).
    expect(await counts()).toEqual({ ...before, hit: before.hit + 19, refresh: before.refresh + 1 });
  });

  it("after a seat changes, refreshes the stored map with booking's values alone: the same answer the planner gives", async () => {
    const mapSelection = 'event(id: $eventId) { id title seatMapVersion availableSeatCount venue { name } seats { id row number price availability section { name } } }';
    // Two root fields make the same map uncacheable: the planner's answer to compare with.
    const planned = async () => {
      const res = await graphqlClient(g.url)<{ __typename: string; event: unknown }>(`query ($eventId: ID!) { __typename ${mapSelection} }`, { eventId });
      expect(res.errors).toBeUndefined();
      return res.data!.event;
    };
    const cached = async () => {
      const res = await graphqlClient(g.url)<{ event: unknown }>(`query ($eventId: ID!) { ${mapSelection} }`, { eventId });
      expect(res.errors).toBeUndefined();
      return res.data!.event;
    };
    await cached();
    const buyer = h.as(await h.token('cached-map-refresh-buyer'));
    for (const seatId of [seatIds[7], seatIds[8]]) {
      expect((await buyer(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatId] } })).errors).toBeUndefined();
      const before = await counts();
      const refreshed = (await cached()) as { seatMapVersion: number; seats: MapSeat[] };
      expect(await counts()).toEqual({ ...before, refresh: before.refresh + 1 });
      expect(availabilityOf(refreshed.seats, seatId)).toBe('HELD');
      expect(refreshed).toEqual(await planned());
      // And from memory until the next change.
      expect(await cached()).toEqual(refreshed);
      expect(await cacheCount('hit')).toBe(before.hit + 1);
    }
  });

  it('shows a reprice at once', async () => {
    const seats = await mapAs();
    await mapAs();
    const sectionId = seats[0].section.id;
    const org = h.as(await h.token('cached-map-organizer', [Permission.CATALOG_WRITE]));
    const repriced = await org(operations.ChangeSectionPriceDocument, { eventId, sectionId, price: '99.00' });
    expect(repriced.errors).toBeUndefined();
    const before = await counts();
    expect(new Set((await mapAs()).map((s) => s.price))).toEqual(new Set(['99.00']));
    // Catalog's key moved: planned again, never refreshed from the old prices.
    expect(await counts()).toEqual({ ...before, miss: before.miss + 1 });
  });

  it('never caches a draft (its layout may still change), nor anything but one event read with map fields', async () => {
    const org = h.as(await h.token('cached-map-organizer', [Permission.CATALOG_WRITE]));
    const venue = await org(operations.CreateVenueDocument, { input: { name: 'Draft Hall', city: 'Testville', sections: [{ name: 'A', rows: 1, seatsPerRow: 3, price: '10.00' }] } });
    const draft = await org(operations.CreateEventDocument, { input: { venueId: venue.data!.createVenue.id, title: 'Draft Night', startsAt: new Date(Date.now() + 86_400_000).toISOString(), currency: 'EUR' } });
    const draftId = draft.data!.createEvent.id;
    const organizer = graphqlClient(g.url, { authorization: `Bearer ${await g.devIssuer!.issue('cached-map-organizer', [Permission.CATALOG_WRITE])}` });
    const before = await counts();
    for (let i = 0; i < 2; i++) expect((await organizer(operations.SeatMapDocument, { eventId: draftId })).data!.event!.seats).toHaveLength(3);
    expect(await counts()).toEqual({ ...before, uncacheable: before.uncacheable + 2 });
    // Two root fields: planned every time, not even counted as a map.
    const twoRoots = graphqlClient(g.url);
    for (let i = 0; i < 2; i++) expect((await twoRoots(operations.EventAndVenueDocument, { eventId, venueId: venue.data!.createVenue.id })).errors).toBeUndefined();
    expect(await counts()).toEqual({ ...before, uncacheable: before.uncacheable + 2 });
  });

  it('shows a cancelled event NOT_ON_SALE as soon as booking knows', async () => {
    await mapAs();
    const org = h.as(await h.token('cached-map-organizer', [Permission.CATALOG_WRITE]));
    expect((await org(operations.CancelEventDocument, { id: eventId })).errors).toBeUndefined();
    const deadline = Date.now() + 15_000;
    let seats = await mapAs();
    while (seats.some((s) => s.availability !== 'NOT_ON_SALE') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seats = await mapAs();
    }
    expect(new Set(seats.map((s) => s.availability))).toEqual(new Set(['NOT_ON_SALE']));
  });

  it('keeps the key fields out of the public API', async () => {
    const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query ($id: ID!) { event(id: $id) { catalogCacheKey availabilityCacheKey } }', variables: { id: eventId } }) });
    const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
