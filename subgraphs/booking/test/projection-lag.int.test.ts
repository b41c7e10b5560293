import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@eventix/events';
import { errorCodes, operations } from '@eventix/testing';
import { startBooking, type BookingHarness } from './booking-harness';

// Inline: _entities is the gateway's entity resolution, not part of the public API schema the typed operations are checked against.
const AVAILABILITY = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Seat { id availability } ... on Event { id availableSeatCount seatMapVersion } } }`;

type Entities = { _entities: Array<{ id: string; availability?: string; availableSeatCount?: number }> };

/**
 * Issue #10 item 0: catalog's messages reach the booking side with a lag (and in parts of
 * 2,000 seats). Until the whole event is projected — and after it is cancelled — availability
 * must not say AVAILABLE, and createBooking must say "try again", not NOT_FOUND.
 */
describe('availability while the projection lags (real PostgreSQL)', () => {
  let h: BookingHarness;
  beforeAll(async () => {
    h = await startBooking({ BOOKING_EXPIRY_INTERVAL_MS: '3600000' });
  });
  afterAll(() => h.close());

  const part = (eventId: string, seatIds: string[], n: number, parts: number, totalSeats: number) =>
    h.booking.projection.handle(
      createEnvelope({
        type: 'catalog.event-published',
        key: eventId,
        payload: { eventId, currency: 'EUR', priceVersion: 1, part: n, parts, totalSeats, seats: seatIds.map((seatId) => ({ seatId, priceMinor: 1000 })) },
      }),
    );

  const availability = async (eventId: string, seatIds: string[]) => {
    const res = await h.as({})<Entities>(AVAILABILITY, { r: [{ __typename: 'Event', id: eventId }, ...seatIds.map((id) => ({ __typename: 'Seat', id }))] });
    expect(res.errors).toBeUndefined();
    const [event, ...seats] = res.data!._entities;
    return { count: event.availableSeatCount, seats: seats.map((s) => s.availability) };
  };

  it('an event booking has not heard of yet: seats NOT_ON_SALE, count 0, createBooking retryable SERVICE_UNAVAILABLE', async () => {
    const eventId = randomUUID();
    const seatIds = [randomUUID(), randomUUID()];
    expect(await availability(eventId, seatIds)).toEqual({ count: 0, seats: ['NOT_ON_SALE', 'NOT_ON_SALE'] });
    const res = await h.as({ sub: 'fan' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0]] } });
    expect(errorCodes(res)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(res.errors![0].extensions).toMatchObject({ retryable: true, retryAfterSeconds: 2 });
    expect(res.errors![0].message).not.toMatch(/not found/i);
  });

  it('a half-projected event (first of two parts) is not open for booking; the second part opens it', async () => {
    const eventId = randomUUID();
    const first = [randomUUID(), randomUUID()];
    const second = [randomUUID(), randomUUID()];
    await part(eventId, first, 1, 2, 4);
    expect(await availability(eventId, [...first, ...second])).toEqual({ count: 0, seats: ['NOT_ON_SALE', 'NOT_ON_SALE', 'NOT_ON_SALE', 'NOT_ON_SALE'] });
    const early = await h.as({ sub: 'fan' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [first[0]] } });
    expect(errorCodes(early)).toEqual(['SERVICE_UNAVAILABLE']);
    const [{ n }] = await h.sql<{ n: string }>('select count(*) as n from booking where event_id = ?', [eventId]);
    expect(Number(n)).toBe(0);

    await part(eventId, second, 2, 2, 4);
    expect(await availability(eventId, [...first, ...second])).toEqual({ count: 4, seats: ['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE'] });
    const booked = await h.as({ sub: 'fan' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [first[0], second[1]] } });
    expect(booked.errors).toBeUndefined();
    expect(await availability(eventId, [first[0], second[0]])).toEqual({ count: 2, seats: ['HELD', 'AVAILABLE'] });
  });

  it('a catalog message of a version this code does not know is refused as unprocessable (dead-lettered, not misread)', async () => {
    const eventId = randomUUID();
    const message = { ...createEnvelope({ type: 'catalog.event-published', key: eventId, payload: { eventId } }), version: 3 };
    await expect(h.booking.projection.handle(message)).rejects.toMatchObject({ name: 'UnprocessableMessageError' });
    const rows = await h.sql('select 1 from event_projection where event_id = ?', [eventId]);
    expect(rows).toHaveLength(0);
  });

  it('a redelivered part does not count twice towards the projection', async () => {
    const eventId = randomUUID();
    const first = [randomUUID()];
    await part(eventId, first, 1, 2, 2);
    await part(eventId, first, 1, 2, 2);
    expect(await availability(eventId, first)).toEqual({ count: 0, seats: ['NOT_ON_SALE'] });
  });

  it('a cancelled event: its seats are NOT_ON_SALE and booking is refused as final', async () => {
    const { eventId, seatIds } = await h.publishEvent(3);
    await h.cancelEvent(eventId);
    expect(await availability(eventId, seatIds)).toEqual({ count: 0, seats: ['NOT_ON_SALE', 'NOT_ON_SALE', 'NOT_ON_SALE'] });
    const res = await h.as({ sub: 'fan' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0]] } });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('a cancellation that overtakes its publication (separate topics) leaves the event cancelled for good', async () => {
    const eventId = randomUUID();
    const seatIds = [randomUUID(), randomUUID()];
    await h.cancelEvent(eventId);
    await part(eventId, seatIds, 1, 1, 2);
    expect(await availability(eventId, seatIds)).toEqual({ count: 0, seats: ['NOT_ON_SALE', 'NOT_ON_SALE'] });
    const res = await h.as({ sub: 'fan' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0]] } });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });
});
