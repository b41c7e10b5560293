import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appError, badUserInput, ErrorCode, notFound } from '@eventix/errors';
import { CLAIMED, recordEvent } from '@eventix/events';
import { entityId, type Caller } from '@eventix/subgraph-kit';
import { ProviderUnavailableError, withDeadline, type ChargeResult, type PaymentProvider } from '../provider/payment-provider';
import { Payment, PaymentStatus } from './payment.entity';
import type { BookingHolds, ConfirmOutcome } from './booking-hold.client';
import { alreadyPaid, assertMove, attemptOutcome, isFree, needsRefund, settlementOf } from './payment.rules';
import {
  PaymentTopics,
  type BookingCreatedPayload,
  type PaymentFailedPayload,
  type PaymentProcessingPayload,
  type PaymentRefundedPayload,
  type PaymentSuccessPayload,
} from './payment.messages';

export interface PaymentSettings {
  /** How long to wait for the provider before leaving the charge to reconciliation. */
  providerTimeoutMs: number;
  /** How far a charge in flight stretches the booking's hold. */
  holdExtensionSeconds: number;
  /** PROCESSING longer than this is reconciled with the provider. */
  reconcileAfterMs: number;
}

/**
 * A charge may take up to the provider timeout; the hold must outlive it by this margin (the
 * confirmation after it), or the card is not charged at all.
 */
const HOLD_MARGIN_MS = 5_000;

export interface PayCommand {
  bookingId: string;
  paymentMethodToken: string;
  idempotencyKey?: string;
}

/**
 * Payments: created from booking.created, charged by payBooking, settled by the provider's
 * answer, a webhook or reconciliation, refunded when the booking cannot keep the money. Every
 * state change and its message commit together; provider calls happen between transactions,
 * never inside one, so a slow provider holds no database locks.
 */
export class PaymentService {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly settings: PaymentSettings,
    private readonly holds: BookingHolds,
    private readonly log: (message: string) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * booking.created → a payment waiting for the customer. Idempotent by booking id. With `claim`
   * (the consumer and message it comes from) the message is claimed in the same statement
   * (CLAIMED): nothing is written for a message already processed, and `em` needs no transaction.
   */
  async openForBooking(em: EntityManager, booking: Pick<BookingCreatedPayload, 'bookingId' | 'userId' | 'totalMinor' | 'currency' | 'expiresAt'>, claim?: { consumer: string; messageId: string }): Promise<void> {
    const values = [booking.bookingId, booking.userId, booking.totalMinor, booking.currency, new Date(booking.expiresAt)];
    const insert = `insert into payment (id, booking_id, user_id, status, amount_minor, currency, booking_expires_at)
       select gen_random_uuid(), ?, ?, 'REQUIRES_PAYMENT', ?, ?, ?`;
    if (!claim) {
      await em.execute(`${insert} on conflict (booking_id) do nothing`, values);
      return;
    }
    await em.execute(`with ${CLAIMED} ${insert} where exists (select 1 from claimed) on conflict (booking_id) do nothing`, [claim.consumer, claim.messageId, ...values]);
  }

  /**
   * Charges the booking for its owner. The same idempotency key never charges twice; a second
   * attempt with another key while one is in flight or after success is refused.
   *
   * Before any charge the booking side is asked, synchronously, to take the hold for the
   * payment (stretching it past the provider's deadline) and to state the amount and owner. So
   * a booking can be paid the moment it exists — booking.created may still be on its way, or
   * Kafka down — and a hold cannot run out while its charge is in flight. If booking cannot be
   * reached, nothing is charged and the caller is told to try again. After a successful
   * charge the booking is confirmed synchronously too, so SUCCEEDED means a confirmed booking.
   */
  async pay(em: EntityManager, caller: Caller, command: PayCommand): Promise<Payment> {
    // Required, even for a free order (whose token is then neither checked nor sent): refused
    // before anything is looked up, as the contract has always answered an empty token.
    if (!command.paymentMethodToken.trim()) throw badUserInput('paymentMethodToken', 'must not be empty');
    const bookingId = entityId('Booking', command.bookingId);
    const rawKey = command.idempotencyKey?.trim() || undefined;
    if (rawKey?.includes('\u0000')) throw badUserInput('idempotencyKey', 'must not contain NUL characters');
    // A client's key names one payment attempt of one booking: the same key sent for another
    // booking is another attempt (its own charge), never a replay of the first booking's.
    const attemptKey = rawKey === undefined ? undefined : `${bookingId}:${rawKey}`;
    const earlier = await this.earlierAttempt(em.fork(), caller, bookingId, attemptKey);
    if (earlier) return earlier;

    const hold = await this.holds.hold(caller, bookingId, this.settings.holdExtensionSeconds);
    if (hold.status === 'CONFIRMED') throw alreadyPaid();
    // A free order (0.00) charges no card: whatever token comes with it is neither checked nor sent.
    const free = isFree(hold.totalMinor);
    // (A free order waits for no provider: a hold with a moment left is enough to confirm it.)
    if (!free && new Date(hold.expiresAt).getTime() - this.now().getTime() < this.settings.providerTimeoutMs + HOLD_MARGIN_MS) {
      throw appError(ErrorCode.BOOKING_EXPIRED, 'This hold ends too soon to take a payment safely; book the seats again');
    }
    const start = await em.transactional(async (tx) => {
      // The payment row usually comes from booking.created; if that message has not arrived
      // yet, the booking side's own answer opens it (the message then changes nothing).
      await this.openForBooking(tx, { bookingId: hold.bookingId, userId: hold.userId, totalMinor: hold.totalMinor, currency: hold.currency, expiresAt: hold.expiresAt });
      const payment = await tx.findOne(Payment, { bookingId: bookingId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      // A booking that is not the caller's is "not found", like the booking itself.
      if (!payment || payment.userId !== caller.userId) throw notFound('Booking', bookingId);
      const outcome = attemptOutcome(payment.status, attemptKey !== undefined && payment.idempotencyKey === attemptKey);
      if (outcome === 'replay') return { payment, next: 'answer' as const };
      if (outcome !== 'charge') throw outcome;
      payment.bookingExpiresAt = new Date(hold.expiresAt);
      if (!payment.bookingOpen || payment.bookingExpiresAt <= this.now()) {
        throw appError(ErrorCode.BOOKING_EXPIRED, 'This booking is no longer held; book the seats again');
      }
      assertMove(payment.status, PaymentStatus.PROCESSING);
      payment.status = PaymentStatus.PROCESSING;
      payment.idempotencyKey = attemptKey ?? `${payment.id}:${this.now().getTime()}`;
      payment.processingSince = this.now();
      recordEvent<PaymentProcessingPayload>(tx, {
        type: PaymentTopics.processing,
        key: payment.bookingId,
        payload: { paymentId: payment.id, bookingId: payment.bookingId, holdUntil: new Date(this.now().getTime() + this.settings.holdExtensionSeconds * 1000).toISOString() },
      });
      if (free) {
        // Nothing to take, so nothing to wait for: settled in the transaction that started it,
        // without the provider (which would decline a bad card, or refuse a zero charge).
        succeed(tx, payment, null);
        return { payment, next: 'confirm' as const };
      }
      return { payment, next: 'charge' as const };
    });
    if (start.next === 'confirm') await this.confirmNow(start.payment);
    if (start.next !== 'charge') return start.payment;

    const payment = start.payment;
    let result: ChargeResult;
    try {
      result = await withDeadline(
        this.provider.charge({
          amountMinor: Number(payment.amountMinor),
          currency: payment.currency,
          token: command.paymentMethodToken,
          idempotencyKey: payment.idempotencyKey!,
          metadata: { paymentId: payment.id, bookingId: payment.bookingId },
        }),
        this.settings.providerTimeoutMs,
      );
    } catch (error) {
      if (!(error instanceof ProviderUnavailableError)) throw error;
      // Unknown outcome: the payment stays PROCESSING and reconciliation settles it.
      return this.reload(em, payment.id);
    }
    const settled = await this.settle(em.fork(), payment.id, result);
    if (settled.status === PaymentStatus.FAILED) {
      throw appError(ErrorCode.PAYMENT_DECLINED, `The card was declined (${settled.failureReason})`, { reason: settled.failureReason, paymentId: settled.id });
    }
    if (settled.status === PaymentStatus.SUCCEEDED) await this.confirmNow(settled);
    return settled;
  }

  /**
   * Confirms the booking of a successful charge before answering. A rejection (the booking
   * ended after all) is answered as such — the charge is refunded when the rejection message
   * arrives — so a customer is never told SUCCEEDED for an order that will be refunded. If
   * booking cannot be reached now, payment.success in the outbox confirms it later; the hold
   * taken before the charge keeps the seats meanwhile.
   */
  private async confirmNow(payment: Payment): Promise<void> {
    let outcome: ConfirmOutcome;
    try {
      outcome = await this.holds.confirm({
        paymentId: payment.id,
        bookingId: payment.bookingId,
        amountMinor: Number(payment.amountMinor),
        currency: payment.currency,
        providerTransactionId: payment.providerTransactionId ?? null,
      });
    } catch (error) {
      this.log(`booking ${payment.bookingId} not confirmed synchronously (${(error as Error).message}); payment.success will confirm it`);
      return;
    }
    if (!outcome.confirmed) {
      throw appError(ErrorCode.BOOKING_EXPIRED, 'This booking could not be kept; the charge will be refunded', { reason: outcome.reason, paymentId: payment.id, refund: true });
    }
  }

  /**
   * A repeated call needs no booking round trip: the same attempt answers with its payment, a
   * different one after success or while one is in flight is refused, as in `pay`.
   */
  private async earlierAttempt(em: EntityManager, caller: Caller, bookingId: string, attemptKey: string | undefined): Promise<Payment | undefined> {
    const payment = await em.findOne(Payment, { bookingId });
    if (!payment) return undefined;
    if (payment.userId !== caller.userId) throw notFound('Booking', bookingId);
    const outcome = attemptOutcome(payment.status, attemptKey !== undefined && payment.idempotencyKey === attemptKey);
    if (outcome === 'replay') return payment;
    if (outcome !== 'charge') throw outcome;
    return undefined;
  }

  /**
   * Applies a charge outcome to a PROCESSING payment, once: from the charge call itself, a
   * webhook or reconciliation — whichever comes first wins, the others find nothing to do.
   */
  async settle(em: EntityManager, paymentId: string, result: ChargeResult | { status: 'failed'; reason: string }): Promise<Payment> {
    return em.transactional(async (tx) => {
      const payment = await tx.findOneOrFail(Payment, { id: paymentId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if ('chargeId' in result && !payment.chargeId) payment.chargeId = result.chargeId;
      const next = settlementOf(payment.status, result);
      // (`pending` never settles; tested again so TypeScript narrows `result` below.)
      if (!next || result.status === 'pending') return payment;
      assertMove(payment.status, next);
      if (result.status === 'succeeded') {
        succeed(tx, payment, result.chargeId);
      } else {
        payment.status = PaymentStatus.FAILED;
        payment.failureReason = result.reason;
        recordEvent<PaymentFailedPayload>(tx, { type: PaymentTopics.failed, key: payment.bookingId, payload: { paymentId: payment.id, bookingId: payment.bookingId, reason: result.reason } });
      }
      return payment;
    });
  }

  /** A webhook about a charge: settle the payment that made it. Unknown charges are ignored. */
  async settleByCharge(em: EntityManager, chargeId: string, idempotencyKey: string, result: ChargeResult): Promise<void> {
    const payment = await em.findOne(Payment, { $or: [{ chargeId }, { idempotencyKey }] });
    // Same transaction as the caller's (the webhook's processed-delivery row commits with it).
    if (payment) await this.settle(em, payment.id, result);
  }

  /**
   * Settles charges stuck in PROCESSING longer than `reconcileAfterMs`: asks the provider what
   * became of them; a charge it never completed is failed, so nothing stays PROCESSING forever.
   */
  async reconcile(em: EntityManager): Promise<number> {
    const cutoff = new Date(this.now().getTime() - this.settings.reconcileAfterMs);
    const stuck = await em.find(Payment, { status: PaymentStatus.PROCESSING, processingSince: { $lte: cutoff } }, { limit: 100 });
    for (const payment of stuck) {
      const known = await withDeadline(this.provider.retrieve(payment.idempotencyKey!), this.settings.providerTimeoutMs).catch(() => undefined);
      if (known?.status === 'pending') continue;
      await this.settle(em.fork(), payment.id, known ?? { status: 'failed', reason: 'provider_timeout' });
    }
    return stuck.length;
  }

  /**
   * The booking ended without keeping money: close the payment; refund it if it was paid.
   * Returns true when this asked for a refund (the refund worker has work).
   */
  async bookingClosed(tx: EntityManager, bookingId: string, reason: string): Promise<boolean> {
    const payment = await tx.findOne(Payment, { bookingId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!payment) return false;
    payment.bookingOpen = false;
    if (!needsRefund(payment.status, Boolean(payment.refundRequestedAt))) return false;
    payment.refundRequestedAt = this.now();
    payment.refundReason = reason;
    return true;
  }

  /**
   * Refunds every paid payment whose booking could not keep the money, exactly once: the
   * provider call carries the payment id as idempotency key, and the REFUNDED status with its
   * message commits only after the provider confirmed. A crash in between is retried safely.
   */
  async refundDue(em: EntityManager): Promise<number> {
    const due = await em.find(Payment, { status: PaymentStatus.SUCCEEDED, refundRequestedAt: { $ne: null } }, { limit: 100, orderBy: { refundRequestedAt: 'asc' } });
    let refunded = 0;
    for (const candidate of due) {
      try {
        // A free order took nothing, so there is nothing for the provider to give back.
        if (!isFree(candidate.amountMinor)) await this.provider.refund({ chargeId: candidate.chargeId!, amountMinor: Number(candidate.amountMinor), idempotencyKey: `refund:${candidate.id}` });
      } catch (error) {
        // One refund the provider refuses right now must not hold up every other one behind it.
        this.log(`refund of payment ${candidate.id} failed, retried on the next run: ${(error as Error).message}`);
        continue;
      }
      await em.fork().transactional(async (tx) => {
        const payment = await tx.findOneOrFail(Payment, { id: candidate.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (payment.status !== PaymentStatus.SUCCEEDED) return;
        assertMove(payment.status, PaymentStatus.REFUNDED);
        payment.status = PaymentStatus.REFUNDED;
        payment.refundedMinor = payment.amountMinor;
        recordEvent<PaymentRefundedPayload>(tx, {
          type: PaymentTopics.refunded,
          key: payment.bookingId,
          payload: { paymentId: payment.id, bookingId: payment.bookingId, amountMinor: Number(payment.amountMinor), currency: payment.currency, reason: payment.refundReason ?? 'booking cancelled' },
        });
        refunded += 1;
      });
    }
    return refunded;
  }

  private async reload(em: EntityManager, id: string): Promise<Payment> {
    return em.fork().findOneOrFail(Payment, { id });
  }
}

/** A PROCESSING payment whose money was taken (by the provider, or none was due) → SUCCEEDED. */
function succeed(tx: EntityManager, payment: Payment, providerTransactionId: string | null): void {
  assertMove(payment.status, PaymentStatus.SUCCEEDED);
  payment.status = PaymentStatus.SUCCEEDED;
  payment.providerTransactionId = providerTransactionId ?? undefined;
  recordEvent<PaymentSuccessPayload>(tx, {
    type: PaymentTopics.success,
    key: payment.bookingId,
    payload: { paymentId: payment.id, bookingId: payment.bookingId, amountMinor: Number(payment.amountMinor), currency: payment.currency, providerTransactionId },
  });
}
