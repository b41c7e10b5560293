import { createEnvelope, UnprocessableMessageError } from '@eventix/events';
import { CancellationReason } from '../booking/booking.entity';
import { BookingTopics, type BookingCancelledPayload, type BookingConfirmedPayload, type BookingCreatedPayload } from '../booking/booking.messages';
import { SeatAvailability } from '../booking/booking.types';
import { seatChangeFrom, seatChangeTopics } from './seat-change';

const eventId = '00000000-0000-4000-8000-000000000999';
const seatIds = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
const change = { bookingId: 'b-1', userId: 'fan-1', eventId, seatIds, seatMapVersion: 7 };

const created: BookingCreatedPayload = { ...change, totalMinor: 9000, totalAmount: '90.00', currency: 'EUR', expiresAt: '2026-01-01T00:10:00.000Z' };
const confirmed: BookingConfirmedPayload = { ...change, ticketReference: 'EVX-1' };
const cancelled = (reason: CancellationReason): BookingCancelledPayload => ({ ...change, reason, refundRequested: false });

/** Every seat of the message, with the availability the mapping should give them. */
const seatsAs = (availability: SeatAvailability) => seatIds.map((seatId) => ({ seatId, availability }));

describe('seatChangeFrom (booking messages → live seat availability changes)', () => {
  it('listens to exactly the three seat-changing topics', () => {
    expect([...seatChangeTopics].sort()).toEqual([BookingTopics.cancelled, BookingTopics.confirmed, BookingTopics.created]);
  });

  it('a new hold makes its seats HELD', () => {
    expect(seatChangeFrom(createEnvelope({ type: BookingTopics.created, key: eventId, payload: created }))).toEqual({ eventId, seatMapVersion: 7, seats: seatsAs(SeatAvailability.HELD) });
  });

  it('a confirmed booking makes its seats SOLD', () => {
    expect(seatChangeFrom(createEnvelope({ type: BookingTopics.confirmed, key: eventId, payload: confirmed }))).toEqual({ eventId, seatMapVersion: 7, seats: seatsAs(SeatAvailability.SOLD) });
  });

  it.each([CancellationReason.USER, CancellationReason.PAYMENT_FAILED, CancellationReason.EXPIRED])('a booking ended as %s gives its seats back: AVAILABLE', (reason) => {
    expect(seatChangeFrom(createEnvelope({ type: BookingTopics.cancelled, key: eventId, payload: cancelled(reason) }))?.seats).toEqual(seatsAs(SeatAvailability.AVAILABLE));
  });

  it('seats released because the concert was cancelled are NOT_ON_SALE, never bookable again', () => {
    expect(seatChangeFrom(createEnvelope({ type: BookingTopics.cancelled, key: eventId, payload: cancelled(CancellationReason.EVENT_CANCELLED) }))?.seats).toEqual(
      seatsAs(SeatAvailability.NOT_ON_SALE),
    );
  });

  it('seats let go after the event started (its sales closed) are NOT_ON_SALE, not AVAILABLE', () => {
    for (const reason of [CancellationReason.USER, CancellationReason.EXPIRED]) {
      expect(seatChangeFrom(createEnvelope({ type: BookingTopics.cancelled, key: eventId, payload: { ...cancelled(reason), salesClosed: true } }))?.seats).toEqual(seatsAs(SeatAvailability.NOT_ON_SALE));
    }
  });

  it('carries the seat map version after the change, so a client can spot a gap', () => {
    const next = seatChangeFrom(createEnvelope({ type: BookingTopics.confirmed, key: eventId, payload: { ...confirmed, seatMapVersion: 8 } }));
    expect(next?.seatMapVersion).toBe(8);
  });

  it('ignores a message that changes no seat', () => {
    expect(seatChangeFrom(createEnvelope({ type: 'booking.something-else', key: eventId, payload: created }))).toBeUndefined();
  });

  it('refuses a message version it does not know (dead-lettered, not misread)', () => {
    expect(() => seatChangeFrom(createEnvelope({ type: BookingTopics.created, key: eventId, payload: created, version: 2 }))).toThrow(UnprocessableMessageError);
  });
});
