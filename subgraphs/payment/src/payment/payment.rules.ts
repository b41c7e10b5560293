import { appError, ErrorCode } from '@eventix/errors';
import type { ChargeResult } from '../provider/payment-provider';
import { PaymentStatus } from './payment.entity';
import { PaymentTopics } from './payment.messages';

/**
 * The payment lifecycle, as pure rules: every move a payment may make and what it means. A
 * payment waits for the customer (REQUIRES_PAYMENT), is charged (PROCESSING), is settled once
 * by whichever answer comes first — the charge call, a webhook or reconciliation — and a paid
 * one whose booking could not keep the money is refunded. FAILED and REFUNDED are final. Each
 * move commits with its message (`announces`), which is how the booking side hears of it.
 */
export const TRANSITIONS = [
  {
    from: PaymentStatus.REQUIRES_PAYMENT,
    to: PaymentStatus.PROCESSING,
    announces: PaymentTopics.processing,
    means: 'a charge is in flight; booking stretches the hold so the seats outlive it',
  },
  {
    from: PaymentStatus.PROCESSING,
    to: PaymentStatus.SUCCEEDED,
    announces: PaymentTopics.success,
    means: 'the provider took the money (or none was due: a free order); booking confirms (or rejects, and it is refunded)',
  },
  {
    from: PaymentStatus.PROCESSING,
    to: PaymentStatus.FAILED,
    announces: PaymentTopics.failed,
    means: 'declined, or never completed by the provider; booking releases the seats',
  },
  {
    from: PaymentStatus.SUCCEEDED,
    to: PaymentStatus.REFUNDED,
    announces: PaymentTopics.refunded,
    means: 'the booking ended without keeping the money, and the provider gave it back (a free order: nothing to give)',
  },
] as const;

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.to === to);
}

/** A move the rules forbid is a bug in the caller, never the customer's doing. */
export function assertMove(from: PaymentStatus, to: PaymentStatus): void {
  if (!canMove(from, to)) throw new Error(`a ${from} payment cannot become ${to}`);
}

/**
 * What a charge outcome (or reconciliation's verdict) settles a PROCESSING payment to: nothing
 * yet while the provider says pending, else SUCCEEDED or FAILED. Only a PROCESSING payment is
 * settled; a later answer about a settled one changes nothing (first answer wins).
 */
export function settlementOf(status: PaymentStatus, result: ChargeResult | { status: 'failed'; reason: string }): PaymentStatus | undefined {
  if (status !== PaymentStatus.PROCESSING || result.status === 'pending') return undefined;
  return result.status === 'succeeded' ? PaymentStatus.SUCCEEDED : PaymentStatus.FAILED;
}

/**
 * What a payBooking call meets, given the payment's status and whether it repeats the attempt
 * (same idempotency key) that moved it on:
 * - `charge`: nothing charged yet, go ahead (REQUIRES_PAYMENT);
 * - `replay`: the same attempt again — answer with its payment, charge nothing;
 * - an error: another attempt after success, while one is in flight, or after a failure.
 */
export function attemptOutcome(status: PaymentStatus, sameAttempt: boolean): 'charge' | 'replay' | ReturnType<typeof appError> {
  switch (status) {
    case PaymentStatus.REQUIRES_PAYMENT:
      return 'charge';
    case PaymentStatus.SUCCEEDED:
      return sameAttempt ? 'replay' : alreadyPaid();
    case PaymentStatus.REFUNDED:
      // Paid, then cancelled and refunded: "already paid" would tell the fan the order stands.
      return sameAttempt ? 'replay' : appError(ErrorCode.INVALID_BOOKING_STATE, 'This booking was cancelled and its payment refunded; book the seats again');
    case PaymentStatus.PROCESSING:
      return sameAttempt ? 'replay' : appError(ErrorCode.INVALID_BOOKING_STATE, 'A payment for this booking is already in progress');
    case PaymentStatus.FAILED:
      return appError(ErrorCode.INVALID_BOOKING_STATE, 'This payment failed and its booking was released');
  }
}

export const alreadyPaid = () => appError(ErrorCode.INVALID_BOOKING_STATE, 'This booking is already paid');

/**
 * The booking ended without keeping the money: a paid payment is to be refunded, once — a
 * refund already asked for is not asked again; an unpaid one has nothing to give back.
 */
export const needsRefund = (status: PaymentStatus, refundRequested: boolean) => status === PaymentStatus.SUCCEEDED && !refundRequested;

/**
 * A free order (a total of 0.00) is settled without the card provider: there is no money to
 * take or give back, and a real provider refuses a zero charge (and may decline the card).
 */
export const isFree = (amountMinor: number | string) => Number(amountMinor) === 0;
