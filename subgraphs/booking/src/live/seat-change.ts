import { requireVersion, type EventEnvelope } from '@eventix/events';
import { BookingTopics, type BookingCancelledPayload, type BookingConfirmedPayload, type BookingCreatedPayload } from '../booking/booking.messages';
import { SeatAvailability } from '../booking/booking.types';
import { CancellationReason } from '../booking/booking.entity';

/** One change of an event's seat map, as pushed to live subscribers. */
export interface SeatAvailabilityChangeData {
  eventId: string;
  seatMapVersion: number;
  seats: Array<{ seatId: string; availability: SeatAvailability }>;
}

export const seatChangeTopics = [BookingTopics.created, BookingTopics.confirmed, BookingTopics.cancelled];

/**
 * booking.created → HELD, booking.confirmed → SOLD, booking.cancelled → AVAILABLE — except when
 * the concert itself was cancelled or had started (its sales closed): its released seats are
 * NOT_ON_SALE, never bookable again, as a read of the map says.
 */
export function seatChangeFrom(message: EventEnvelope): SeatAvailabilityChangeData | undefined {
  requireVersion(message, 1);
  return seatChangeOf(message.type, message.payload as BookingCreatedPayload);
}

/** The same mapping from a message's type and payload (the change log writes it as the message is recorded). */
export function seatChangeOf(type: string, payload: BookingCreatedPayload | BookingConfirmedPayload | BookingCancelledPayload): SeatAvailabilityChangeData | undefined {
  const message = { type };
  const availability =
    message.type === BookingTopics.created
      ? SeatAvailability.HELD
      : message.type === BookingTopics.confirmed
        ? SeatAvailability.SOLD
        : message.type === BookingTopics.cancelled
          ? (payload as BookingCancelledPayload).reason === CancellationReason.EVENT_CANCELLED || (payload as BookingCancelledPayload).salesClosed === true
            ? SeatAvailability.NOT_ON_SALE
            : SeatAvailability.AVAILABLE
          : undefined;
  if (!availability) return undefined;
  return { eventId: payload.eventId, seatMapVersion: payload.seatMapVersion, seats: payload.seatIds.map((seatId) => ({ seatId, availability })) };
}
