import { errorCodes, operations, waitFor } from '@eventix/testing';
import { startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

type MapSeat = { id: string; row: string; number: number; x: number; y: number; price: string; availability: string | null; section: { name: string } };

const MAP = 'query ($id: ID!) { event(id: $id) { seats { id row number x y price availability section { name } } } }';

/**
 * Issue #16 target 4: a stadium's whole map through the real gateway (catalog's seats, then one
 * booking `_entities` fetch of 20,000 representations, which booking used to refuse with 413).
 */
describe("a 20,000-seat event's whole map through the gateway", () => {
  let h: PlatformHarness;
  let event: { eventId: string; seatIds: string[] };

  /** As an organizer would, through the gateway; waits (longer than the harness's onSaleEvent) for booking's projection of 20,000 seats. */
  async function stadiumOnSale(): Promise<{ eventId: string; seatIds: string[] }> {
    const org = h.as(await h.token('organizer', ['catalog:write']));
    const venue = await org(operations.CreateVenueDocument, { input: { name: 'Stadium', city: 'Testville', sections: [{ name: 'Bowl', rows: 100, seatsPerRow: 200, price: '35.00' }] } });
    const startsAt = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const created = await org(operations.CreateEventDocument, { input: { venueId: venue.data!.createVenue.id, title: 'Final', startsAt, currency: 'EUR', singleSeatRule: 'ALLOW' } });
    const eventId = created.data!.createEvent.id;
    await org(operations.PublishEventDocument, { id: eventId });
    h.platform.catalog.relay.nudge();
    await waitFor(async () => ((await h.as()<{ event: { availableSeatCount: number } }>('query ($id: ID!) { event(id: $id) { availableSeatCount } }', { id: eventId })).data?.event.availableSeatCount === 20_000 ? true : undefined), 180_000, 'the projection of 20,000 seats');
    const ids = await h.as()<{ event: { seats: Array<{ id: string }> } }>('query ($id: ID!) { event(id: $id) { seats { id } } }', { id: eventId });
    return { eventId, seatIds: ids.data!.event.seats.map((s) => s.id) };
  }

  beforeAll(async () => {
    h = await startTestPlatform();
    event = await stadiumOnSale();
  }, 300_000);
  afterAll(() => h?.close());

  it('serves every seat with its availability, the one just booked HELD', async () => {
    const held = event.seatIds[12_345];
    const fan = h.as(await h.token('stadium-fan'));
    const booking = await fan('mutation ($input: CreateBookingInput!) { createBooking(input: $input) { id } }', { input: { eventId: event.eventId, seatIds: [held] } });
    expect(booking.errors).toBeUndefined();

    const res = await h.as()<{ event: { seats: MapSeat[] } }>(MAP, { id: event.eventId });
    expect(res.errors).toBeUndefined();
    const seats = res.data!.event.seats;
    expect(seats).toHaveLength(20_000);
    expect(seats.map((s) => s.id)).toEqual(event.seatIds);
    expect(seats.filter((s) => s.availability !== 'AVAILABLE').map((s) => [s.id, s.availability])).toEqual([[held, 'HELD']]);
    expect(seats[0]).toMatchObject({ row: 'A', number: 1, x: 0, y: 0, price: '35.00', section: { name: 'Bowl' } });
    expect(seats[19_999]).toMatchObject({ row: 'CV', number: 200, x: 199, y: 99 });
  }, 120_000);

  it('still refuses a query aliasing many whole maps (cost limit)', async () => {
    const aliases = Array.from({ length: 6 }, (_, i) => `m${i}: event(id: $id) { seats { id availability section { name } } }`).join(' ');
    const res = await h.as()(`query ($id: ID!) { ${aliases} }`, { id: event.eventId });
    expect(errorCodes(res)).toEqual(['OPERATION_TOO_COMPLEX']);
    expect(res.data ?? null).toBeNull();
  });
});
