import type { EventEnvelope } from '@eventix/events';
import { BookingTopics, type BookingCancelledPayload, type BookingConfirmedPayload, type BookingCreatedPayload } from '../booking/booking.messages';
import { SeatAvailability } from '../booking/booking.types';

/** One change of an event's seat map, as pushed to live subscribers. */
export interface SeatAvailabilityChangeData {
  eventId: string;
  seatMapVersion: number;
  seats: Array<{ seatId: string; availability: SeatAvailability }>;
}

export const seatChangeTopics = [BookingTopics.created, BookingTopics.confirmed, BookingTopics.cancelled];

/** booking.created → HELD, booking.confirmed → SOLD, booking.cancelled (any reason) → AVAILABLE. */
export function seatChangeFrom(message: EventEnvelope): SeatAvailabilityChangeData | undefined {
  const availability =
    message.type === BookingTopics.created ? SeatAvailability.HELD : message.type === BookingTopics.confirmed ? SeatAvailability.SOLD : message.type === BookingTopics.cancelled ? SeatAvailability.AVAILABLE : undefined;
  if (!availability) return undefined;
  const payload = message.payload as BookingCreatedPayload | BookingConfirmedPayload | BookingCancelledPayload;
  return { eventId: payload.eventId, seatMapVersion: payload.seatMapVersion, seats: payload.seatIds.map((seatId) => ({ seatId, availability })) };
}
