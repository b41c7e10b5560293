import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appError, ErrorCode, notFound, seatUnavailable, badUserInput } from '@eventix/errors';
import { recordEvent } from '@eventix/events';
import { fromMinorUnits, type Caller } from '@eventix/subgraph-kit';
import { Booking, BookingItem, BookingStatus, CancellationReason } from './booking.entity';
import { BookingTopics, type BookingCancelledPayload, type BookingConfirmedPayload, type BookingCreatedPayload, type SeatChange } from './booking.messages';
import { BookingPaymentRejectedTopic, type BookingPaymentRejectedPayload, type PaymentFailedPayload, type PaymentProcessingPayload, type PaymentSuccessPayload } from '../payment-results/payment.messages';
import type { TicketService } from '../ticket/ticket.service';
import { newTicketReference } from '../ticket/ticket-reference';
import { canRead } from './booking.queries';
import { ACTIVE_STATUSES, activeStatusSql, assertMove, holdExpiry, isLiveHold, isOverdue, overdueHoldSql, sameSeats, validateSeatRequest, type SeatRequest } from './booking.rules';

export interface BookingSettings {
  holdTtlSeconds: number;
  /** Longest a payment in flight may stretch a hold beyond its creation. */
  maxHoldExtensionSeconds: number;
  maxSeatsPerBooking: number;
  /** How long createBooking waits for a seat lock before giving up. */
  lockTimeoutMs: number;
}

/** What the payment side learns when it takes a booking's hold for a charge. */
export interface PaymentHold {
  bookingId: string;
  userId: string;
  status: BookingStatus;
  totalMinor: number;
  currency: string;
  expiresAt: string;
}

/** A payment success applied to its booking: confirmed, or rejected (the payment side refunds). */
export type PaymentOutcome = { confirmed: true } | { confirmed: false; reason: string };

interface ActiveHold {
  seat_id: string;
  booking_id: string;
  status: BookingStatus;
  expires_at: Date;
}

/**
 * The booking side learns of events from catalog's messages, so right after publication (or
 * during a broker outage) it may not know an event yet, or only part of its seats. It cannot
 * tell "not yet" from "never" without calling catalog on the sales path (docs/adr/0002-seat-projection-in-booking.md), so it
 * says "not yet": SERVICE_UNAVAILABLE with a retry hint, never a final NOT_FOUND.
 */
function assertOpenForBooking(eventId: string, event: { status: string; projected_seats: number; total_seats: number } | undefined): void {
  if (event?.status === 'CANCELLED') throw badUserInput('eventId', 'this event was cancelled');
  if (!event || event.projected_seats < event.total_seats) {
    throw appError(ErrorCode.SERVICE_UNAVAILABLE, `Event ${eventId} is not open for booking yet; try again in a few seconds`, { retryable: true, retryAfterSeconds: 2 });
  }
  if (event.status !== 'ON_SALE') throw badUserInput('eventId', 'this event is not on sale');
}

/** PostgreSQL error codes we turn into contract errors. */
const UNIQUE_VIOLATION = '23505';
const LOCK_NOT_AVAILABLE = '55P03';

const pgCode = (error: unknown) => (error as { code?: string }).code;
const pgConstraint = (error: unknown) => (error as { constraint?: string }).constraint;

/**
 * Bookings: holding seats, cancelling, expiring. Each method owns its transaction, its outbox
 * messages and its seat-map version bump, so a state change and its announcement commit
 * together (docs/adr/0001-transactional-outbox.md).
 */
export class BookingService {
  constructor(
    private readonly settings: BookingSettings,
    private readonly tickets: TicketService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Holds seats for the caller. In one transaction: lock the requested projection rows in
   * seat-id order (SELECT ... FOR UPDATE, under a lock timeout), expire overdue holds on them,
   * refuse if any is still held or sold, insert the booking and its items. The partial unique
   * index on active items is the backstop: a 23505 becomes SEAT_UNAVAILABLE, never a 500.
   */
  async create(em: EntityManager, userId: string, request: SeatRequest): Promise<Booking> {
    const seatIds = validateSeatRequest(request, this.settings.maxSeatsPerBooking);
    // One spelling of the concert's id in rows, messages and Kafka keys, whatever the case sent.
    const eventId = request.eventId.toLowerCase();
    const key = request.idempotencyKey?.trim();
    if (key) {
      const existing = await this.findByIdempotencyKey(em, userId, key, eventId, seatIds);
      if (existing) return existing;
    }
    try {
      return await em.transactional(async (tx) => {
        await tx.execute(`set local lock_timeout = '${Math.round(this.settings.lockTimeoutMs)}ms'`);
        const [event] = await tx.execute<Array<{ status: string; currency: string; projected_seats: number; total_seats: number }>>(
          'select status, currency, projected_seats, total_seats from event_projection where event_id = ?',
          [eventId],
        );
        assertOpenForBooking(eventId, event);

        const seats = await tx.execute<Array<{ seat_id: string; price_minor: string }>>(
          `select seat_id, price_minor from seat_projection
            where event_id = ? and seat_id in (${seatIds.map(() => '?').join(',')})
            order by seat_id for update`,
          [eventId, ...seatIds],
        );
        if (seats.length !== seatIds.length) {
          const known = new Set(seats.map((s) => s.seat_id));
          throw badUserInput('seatIds', `not seats of this event: ${seatIds.filter((id) => !known.has(id)).join(', ')}`);
        }

        // A duplicate request with the same key waited on the seat locks above; now that the
        // first one has committed, answer with its booking instead of refusing the seats.
        if (key) {
          const existing = await this.findByIdempotencyKey(tx, userId, key, eventId, seatIds);
          if (existing) return existing;
        }

        const holds = await this.activeHolds(tx, eventId, seatIds);
        const now = this.now();
        const overdue = [...new Set(holds.filter((h) => isOverdue(h.status, new Date(h.expires_at), now)).map((h) => h.booking_id))];
        if (overdue.length) await this.expire(tx, overdue);
        const taken = holds.filter((h) => !overdue.includes(h.booking_id)).map((h) => h.seat_id);
        if (taken.length) throw seatUnavailable(taken);

        const totalMinor = seats.reduce((sum, s) => sum + Number(s.price_minor), 0);
        const booking = tx.create(Booking, {
          userId,
          eventId: eventId,
          totalMinor: String(totalMinor),
          currency: event.currency,
          expiresAt: holdExpiry(now, this.settings.holdTtlSeconds),
          idempotencyKey: key,
          createdAt: now,
        });
        for (const seat of seats) {
          tx.create(BookingItem, { booking, eventId: eventId, seatId: seat.seat_id, priceMinor: seat.price_minor, status: BookingStatus.PENDING });
        }
        await tx.flush();
        await this.announceSeatChange<BookingCreatedPayload>(tx, BookingTopics.created, {
          bookingId: booking.id,
          userId,
          eventId: eventId,
          seatIds,
          totalMinor,
          totalAmount: fromMinorUnits(totalMinor),
          currency: event.currency,
          expiresAt: booking.expiresAt.toISOString(),
        });
        return booking;
      });
    } catch (error) {
      if (pgCode(error) === UNIQUE_VIOLATION && pgConstraint(error) === 'booking_idempotency_idx' && key) {
        // The same key raced itself: the other request won; answer with its booking.
        const existing = await this.findByIdempotencyKey(em.fork(), userId, key, eventId, seatIds);
        if (existing) return existing;
      }
      if (pgCode(error) === UNIQUE_VIOLATION) throw seatUnavailable(seatIds);
      if (pgCode(error) === LOCK_NOT_AVAILABLE) throw appError(ErrorCode.SERVICE_UNAVAILABLE, 'These seats are busy right now; please try again');
      throw error;
    }
  }

  /**
   * Cancels a booking for its owner (or bookings:admin) and releases its seats. Cancelling a
   * confirmed booking asks the payment side for a refund. A hold whose time is already up is
   * expired instead, and the caller is told BOOKING_EXPIRED.
   */
  async cancel(em: EntityManager, caller: Caller, id: string): Promise<Booking> {
    const outcome = await em.transactional(async (tx) => {
      const booking = await tx.findOne(Booking, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      // Someone else's booking is "not found": its existence is not the caller's business.
      if (!booking || !canRead(caller, booking)) throw notFound('Booking', id);
      if (isOverdue(booking.status, booking.expiresAt, this.now())) {
        await this.expire(tx, [booking.id]);
        return { expired: true as const };
      }
      assertMove(booking.status, BookingStatus.CANCELLED);
      await this.release(tx, booking, CancellationReason.USER);
      return { booking };
    });
    if ('expired' in outcome) throw appError(ErrorCode.BOOKING_EXPIRED, 'This booking has already expired; its seats were released');
    return outcome.booking;
  }

  /**
   * Expires holds whose time is up, in batches, oldest first. SKIP LOCKED lets several workers
   * (one per instance) run at once without waiting on or double-processing the same bookings.
   * Returns how many bookings it expired.
   */
  async expireOverdue(em: EntityManager, batchSize = 100): Promise<number> {
    return em.transactional(async (tx) => {
      const rows = await tx.execute<Array<{ id: string }>>(
        `select id from booking where ${overdueHoldSql({ status: 'status', expiresAt: 'expires_at', now: '?' })} order by expires_at limit ? for update skip locked`,
        [this.now(), batchSize],
      );
      if (rows.length) await this.expire(tx, rows.map((r) => r.id));
      return rows.length;
    });
  }

  /**
   * The payment side is about to charge this booking (synchronously, before the provider is
   * called): the hold is stretched so it cannot run out while the charge is in flight, and the
   * booking's amount and owner are returned, so a booking can be paid the moment it exists —
   * without waiting for booking.created to reach the payment side. A hold that is already over
   * is expired here and refused, so no card is charged for seats that are gone.
   */
  async holdForPayment(em: EntityManager, caller: Caller, bookingId: string, holdSeconds: number): Promise<PaymentHold> {
    const outcome = await em.transactional(async (tx) => {
      const booking = await tx.findOne(Booking, { id: bookingId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!booking || !canRead(caller, booking)) throw notFound('Booking', bookingId);
      const now = this.now();
      if (isOverdue(booking.status, booking.expiresAt, now)) {
        await this.expire(tx, [booking.id]);
        return { expired: true as const };
      }
      if (booking.status === BookingStatus.PENDING) {
        const ceiling = booking.createdAt.getTime() + (this.settings.holdTtlSeconds + this.settings.maxHoldExtensionSeconds) * 1000;
        const until = Math.min(now.getTime() + holdSeconds * 1000, ceiling);
        if (until > booking.expiresAt.getTime()) {
          booking.expiresAt = new Date(until);
          booking.updatedAt = now;
        }
      }
      return { booking };
    });
    if ('expired' in outcome) throw appError(ErrorCode.BOOKING_EXPIRED, 'This booking is no longer held; book the seats again');
    const { booking } = outcome;
    if (booking.status === BookingStatus.EXPIRED) throw appError(ErrorCode.BOOKING_EXPIRED, 'This booking is no longer held; book the seats again');
    if (booking.status === BookingStatus.CANCELLED) throw appError(ErrorCode.INVALID_BOOKING_STATE, 'This booking was cancelled');
    return {
      bookingId: booking.id,
      userId: booking.userId,
      status: booking.status,
      totalMinor: Number(booking.totalMinor),
      currency: booking.currency,
      expiresAt: booking.expiresAt.toISOString(),
    };
  }

  /**
   * A payment succeeded. A PENDING booking is confirmed — items, tickets and version in the
   * same transaction as the caller's processed-message row. Its seats are still its own even
   * if the hold is overdue: nobody can take them before its status changes. A booking that can
   * no longer take the money (cancelled, expired, already paid by another payment, wrong
   * amount) stays as it is, and the payment side is told to refund.
   */
  async applyPaymentSuccess(tx: EntityManager, payment: PaymentSuccessPayload): Promise<PaymentOutcome> {
    const booking = await tx.findOne(Booking, { id: payment.bookingId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!booking) return this.rejectPayment(tx, payment.paymentId, payment.bookingId, 'UNKNOWN', 'unknown booking');
    if (booking.status === BookingStatus.CONFIRMED && booking.paymentId === payment.paymentId) return { confirmed: true };
    if (booking.status !== BookingStatus.PENDING) {
      return this.rejectPayment(tx, payment.paymentId, booking.id, booking.status, `booking is ${booking.status}`);
    }
    if (Number(booking.totalMinor) !== payment.amountMinor || booking.currency !== payment.currency) {
      return this.rejectPayment(tx, payment.paymentId, booking.id, booking.status, 'amount does not match the booking');
    }
    booking.status = BookingStatus.CONFIRMED;
    booking.paymentId = payment.paymentId;
    booking.ticketReference = newTicketReference();
    booking.updatedAt = this.now();
    await tx.flush();
    const seats = await tx.execute<Array<{ seat_id: string }>>(
      `update booking_item set status = 'CONFIRMED' where booking_id = ? returning seat_id`,
      [booking.id],
    );
    const seatIds = seats.map((s) => s.seat_id).sort();
    await this.tickets.issue(tx, booking, seatIds);
    await this.announceSeatChange<BookingConfirmedPayload>(tx, BookingTopics.confirmed, {
      bookingId: booking.id,
      userId: booking.userId,
      eventId: booking.eventId,
      seatIds,
      ticketReference: booking.ticketReference,
    });
    return { confirmed: true };
  }

  /** A payment failed: a PENDING booking is cancelled (PAYMENT_FAILED) and its seats released. */
  async applyPaymentFailure(tx: EntityManager, payment: PaymentFailedPayload): Promise<void> {
    const booking = await tx.findOne(Booking, { id: payment.bookingId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (booking?.status === BookingStatus.PENDING) await this.release(tx, booking, CancellationReason.PAYMENT_FAILED);
  }

  /**
   * A charge is in flight: keep the seats until `holdUntil` so a slow provider does not cost
   * the customer their seats (the original plan's "payment callback delay"). Only a live hold
   * is extended, never past the configured maximum; an overdue one is left to expire.
   */
  async applyPaymentProcessing(tx: EntityManager, payment: PaymentProcessingPayload): Promise<void> {
    const booking = await tx.findOne(Booking, { id: payment.bookingId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!booking || !isLiveHold(booking.status, booking.expiresAt, this.now())) return;
    const ceiling = booking.createdAt.getTime() + (this.settings.holdTtlSeconds + this.settings.maxHoldExtensionSeconds) * 1000;
    const until = Math.min(new Date(payment.holdUntil).getTime(), ceiling);
    if (until > booking.expiresAt.getTime()) {
      booking.expiresAt = new Date(until);
      booking.updatedAt = this.now();
    }
  }

  private async rejectPayment(tx: EntityManager, paymentId: string, bookingId: string, bookingStatus: string, reason: string): Promise<PaymentOutcome> {
    recordEvent<BookingPaymentRejectedPayload>(tx, {
      type: BookingPaymentRejectedTopic,
      key: bookingId,
      payload: { paymentId, bookingId, bookingStatus, reason },
    });
    return { confirmed: false, reason };
  }

  /**
   * The concert was cancelled: every live booking of it is cancelled (EVENT_CANCELLED) in the
   * caller's transaction; confirmed ones are refunded by the payment side from the message.
   */
  async cancelAllForEvent(tx: EntityManager, eventId: string): Promise<number> {
    const live = await tx.find(
      Booking,
      { eventId, status: { $in: [...ACTIVE_STATUSES] } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
    );
    for (const booking of live) await this.release(tx, booking, CancellationReason.EVENT_CANCELLED);
    return live.length;
  }

  /** Moves the given (locked or lockable) PENDING bookings to EXPIRED and releases their seats. */
  private async expire(tx: EntityManager, bookingIds: string[]): Promise<void> {
    const bookings = await tx.find(Booking, { id: { $in: bookingIds }, status: BookingStatus.PENDING }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
    for (const booking of bookings) await this.release(tx, booking, CancellationReason.EXPIRED);
  }

  /** Ends a booking: status and items in step, seat map version bumped, message recorded. */
  private async release(tx: EntityManager, booking: Booking, reason: CancellationReason): Promise<void> {
    const wasConfirmed = booking.status === BookingStatus.CONFIRMED;
    const next = reason === CancellationReason.EXPIRED ? BookingStatus.EXPIRED : BookingStatus.CANCELLED;
    assertMove(booking.status, next);
    booking.status = next;
    booking.cancellationReason = reason;
    booking.updatedAt = this.now();
    await tx.flush();
    const seats = await tx.execute<Array<{ seat_id: string }>>(
      `update booking_item set status = ? where booking_id = ? returning seat_id`,
      [next, booking.id],
    );
    await this.announceSeatChange<BookingCancelledPayload>(tx, BookingTopics.cancelled, {
      bookingId: booking.id,
      userId: booking.userId,
      eventId: booking.eventId,
      seatIds: seats.map((s) => s.seat_id).sort(),
      reason,
      refundRequested: wasConfirmed,
    });
  }

  private activeHolds(tx: EntityManager, eventId: string, seatIds: string[]): Promise<ActiveHold[]> {
    return tx.execute<ActiveHold[]>(
      `select i.seat_id, i.booking_id, b.status, b.expires_at
         from booking_item i join booking b on b.id = i.booking_id
        where i.event_id = ? and i.seat_id in (${seatIds.map(() => '?').join(',')}) and ${activeStatusSql('i.status')}`,
      [eventId, ...seatIds],
    );
  }

  /**
   * Every seat change ends the same way: bump the event's seat map version (taken last in the
   * transaction, after the seat locks) and record the message, keyed by the concert, with it.
   */
  private async announceSeatChange<Payload extends SeatChange>(tx: EntityManager, type: string, change: Omit<Payload, 'seatMapVersion'>): Promise<void> {
    const seatMapVersion = await this.bumpSeatMapVersion(tx, change.eventId);
    recordEvent<Payload>(tx, { type, key: change.eventId, payload: { ...change, seatMapVersion } as Payload });
  }

  /** +1 per seat change of an event. */
  private async bumpSeatMapVersion(tx: EntityManager, eventId: string): Promise<number> {
    const [row] = await tx.execute<Array<{ seat_map_version: string }>>(
      'update event_projection set seat_map_version = seat_map_version + 1 where event_id = ? returning seat_map_version',
      [eventId],
    );
    return Number(row?.seat_map_version ?? 0);
  }

  private async findByIdempotencyKey(em: EntityManager, userId: string, key: string, eventId: string, seatIds: string[]): Promise<Booking | null> {
    const booking = await em.findOne(Booking, { userId, idempotencyKey: key }, { populate: ['items'] });
    if (!booking) return null;
    if (booking.eventId !== eventId || !sameSeats(booking.items.getItems().map((i) => i.seatId), seatIds)) {
      throw badUserInput('idempotencyKey', 'this key was already used for a different booking');
    }
    return booking;
  }
}
