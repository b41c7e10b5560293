import type { CancellationReason } from './booking.entity';

/**
 * Messages the booking subgraph publishes (topic = type), keyed by the concert's id so one
 * event's seat changes stay in order on one partition. Each carries the event's
 * `seatMapVersion` after the change, so a seat-map client can spot a gap and refetch.
 */
export const BookingTopics = {
  created: 'booking.created',
  confirmed: 'booking.confirmed',
  cancelled: 'booking.cancelled',
} as const;

/** What every seat-changing message carries. */
export interface SeatChange {
  bookingId: string;
  userId: string;
  eventId: string;
  seatIds: string[];
  seatMapVersion: number;
}

export interface BookingCreatedPayload extends SeatChange {
  /** Minor units and the decimal string, so consumers never parse floats. */
  totalMinor: number;
  totalAmount: string;
  currency: string;
  expiresAt: string;
}

export interface BookingConfirmedPayload extends SeatChange {
  ticketReference: string;
}

export interface BookingCancelledPayload extends SeatChange {
  reason: CancellationReason;
  /** True when the booking had been paid: the payment side refunds it. */
  refundRequested: boolean;
  /**
   * True when the event's sales had closed (it has started) as the booking ended: its seats do
   * not come back on sale. Absent in messages recorded before it was added (read as false).
   */
  salesClosed?: boolean;
}
