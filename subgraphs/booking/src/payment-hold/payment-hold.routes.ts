import type { MikroORM } from '@mikro-orm/postgresql';
import { badUserInput } from '@eventix/errors';
import { isUuid, serviceRoute, type Route } from '@eventix/subgraph-kit';
import type { BookingService, PaymentHold, PaymentOutcome } from '../booking/booking.service';
import type { PaymentSuccessPayload } from '../payment-results/payment.messages';

/** Paths of the payment side's synchronous calls (payment declares the same in its client). */
export const PaymentHoldPaths = {
  hold: '/internal/payment-hold',
  confirm: '/internal/payment-confirm',
} as const;

/**
 * The two steps of a payment that must not wait for a message:
 * - hold: before charging, stretch the hold and learn the booking's amount and owner (a booking
 *   is payable the moment createBooking answered, even while Kafka is down);
 * - confirm: after the charge succeeded, confirm the booking at once, so the customer's
 *   SUCCEEDED means a confirmed booking. payment.success still follows through the outbox and
 *   finds the booking already confirmed (applyPaymentSuccess is idempotent per payment).
 */
export function paymentHoldRoutes(deps: { orm: MikroORM; bookings: BookingService; secret: string; onChange: () => void; log: (m: string) => void }): Record<string, Route> {
  return {
    [`POST ${PaymentHoldPaths.hold}`]: serviceRoute<{ bookingId?: unknown; holdSeconds?: unknown }, PaymentHold>(
      deps.secret,
      'booking',
      async (caller, input) => {
        if (!isUuid(input.bookingId)) throw badUserInput('bookingId', 'must be a booking id');
        const holdSeconds = typeof input.holdSeconds === 'number' && input.holdSeconds > 0 ? input.holdSeconds : 0;
        const hold = await deps.bookings.holdForPayment(deps.orm.em.fork(), caller, input.bookingId, holdSeconds);
        deps.onChange();
        return hold;
      },
      deps.log,
    ),
    [`POST ${PaymentHoldPaths.confirm}`]: serviceRoute<PaymentSuccessPayload, PaymentOutcome>(
      deps.secret,
      'booking',
      async (_caller, payment) => {
        if (!isUuid(payment.bookingId) || typeof payment.paymentId !== 'string') {
          throw badUserInput('bookingId', 'must be a booking id');
        }
        const outcome = await deps.orm.em.fork().transactional((tx) => deps.bookings.applyPaymentSuccess(tx, payment));
        deps.onChange();
        return outcome;
      },
      deps.log,
    ),
  };
}
