import { serviceClient, type Caller } from '@eventix/subgraph-kit';
import type { PaymentSuccessPayload } from './payment.messages';

/** The booking as the booking side reports it when a charge is about to take its hold. */
export interface BookingHold {
  bookingId: string;
  userId: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED';
  totalMinor: number;
  currency: string;
  expiresAt: string;
}

export type ConfirmOutcome = { confirmed: true } | { confirmed: false; reason: string };

/** The booking side's routes for the two payment steps that cannot wait for a message. */
const Paths = { hold: '/internal/payment-hold', confirm: '/internal/payment-confirm' } as const;

/**
 * The payment side's port to the booking side, for the moments a message would be too late:
 * taking the hold before a charge, and confirming right after one. Errors are contract errors
 * (NOT_FOUND, BOOKING_EXPIRED, INVALID_BOOKING_STATE) or SERVICE_UNAVAILABLE when booking
 * cannot be reached — then nothing is charged.
 */
export interface BookingHolds {
  hold(caller: Caller, bookingId: string, holdSeconds: number): Promise<BookingHold>;
  confirm(payment: PaymentSuccessPayload): Promise<ConfirmOutcome>;
}

/** Over HTTP to the booking subgraph's internal routes (see packages/subgraph-kit service-call). */
export function httpBookingHolds(options: { bookingUrl: () => string; secret: string; timeoutMs: number }): BookingHolds {
  const call = serviceClient({ subgraph: 'booking', baseUrl: options.bookingUrl, secret: options.secret, timeoutMs: options.timeoutMs });
  return {
    hold: (caller, bookingId, holdSeconds) => call(Paths.hold, caller, { bookingId, holdSeconds }),
    // Confirmation runs as the payment service itself, not as the end user.
    confirm: (payment) => call(Paths.confirm, { userId: 'svc:payment', permissions: [] }, payment),
  };
}
