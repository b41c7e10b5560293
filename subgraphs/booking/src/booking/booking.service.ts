import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appError, ErrorCode, notFound, badUserInput } from '@eventix/errors';
import { recordEvent } from '@eventix/events';
import { isUuid, toMinorUnits, type Caller } from '@eventix/subgraph-kit';
import { Booking, BookingStatus, CancellationReason } from './booking.entity';
import { BookingTopics, type BookingCancelledPayload, type BookingConfirmedPayload, type SeatChange } from './booking.messages';
import { BookingPaymentRejectedTopic, type BookingPaymentRejectedPayload, type PaymentFailedPayload, type PaymentProcessingPayload, type PaymentSuccessPayload } from '../payment-results/payment.messages';
import type { TicketService } from '../ticket/ticket.service';
import { newTicketReference } from '../ticket/ticket-reference';
import { canRead } from './booking.queries';
import { ACTIVE_STATUSES, activeStatusSql, assertMove, isLiveHold, isOverdue, liveHoldSql, overdueHoldSql, STARTED_SQL, type SeatRequest } from './booking.rules';
import { chooseBestAvailable, groupRows, strandedBy, strandedSeats, windowsInRow, type MapSeat, type SeatRow } from '../best-available/best-available.rules';
import { activeHolds, assertOpenForBooking, CreateBooking, mapSeats } from './create-booking';
import { insertHold } from './hold-insert';
import { announceSeatChange } from './seat-change-announce';

export interface BookingSettings {
  holdTtlSeconds: number;
  /** Longest a payment in flight may stretch a hold beyond its creation. */
  maxHoldExtensionSeconds: number;
  maxSeatsPerBooking: number;
  /** How long createBooking waits for a seat lock before giving up. */
  lockTimeoutMs: number;
  /** Seat map versions per event kept in seat_change_log (issue #15); default 1,000. */
  changeLogVersions?: number;
}

/** What holdBestAvailable was asked for. */
export interface BestAvailableRequest {
  eventId: string;
  quantity: number;
  sectionId?: string;
  /** Decimal string, like prices. */
  maxPrice?: string;
  allowSplit?: boolean;
  idempotencyKey?: string;
}

/** What holdBestAvailable chose. */
export interface BestAvailableHold {
  booking: Booking;
  adjacent: boolean;
  /** Row labels used, front row first. */
  rows: string[];
}

interface ProjectedSeat {
  seat_id: string;
  price_minor: string;
  section_id: string | null;
  row_label: string | null;
  seat_number: number | null;
  x: number | null;
  y: number | null;
}

interface OpenEvent {
  status: string;
  currency: string;
  projected_seats: number;
  total_seats: number;
  single_seat_rule: 'ALLOW' | 'PREVENT';
  started: boolean;
}

/** Thrown inside a best-available attempt whose rows were all busy or changed: try again. */
class RetryAttempt extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SEAT_COLUMNS = 'seat_id, price_minor, section_id, row_label, seat_number, x, y';

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
  private readonly creation: CreateBooking;

  constructor(
    private readonly settings: BookingSettings,
    private readonly tickets: TicketService,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.creation = new CreateBooking(settings, { expire: (tx, ids) => this.expire(tx, ids) }, now);
  }

  /** Holds seats for the caller: see CreateBooking (create-booking.ts) for how, and how contention is answered. */
  create(em: EntityManager, userId: string, request: SeatRequest): Promise<Booking> {
    return this.creation.run(em, userId, request);
  }

  /**
   * Best available (issue #15): holds `quantity` adjacent seats in the front-most row that can
   * take them without stranding a seat (best-available.rules.ts decides), or with allowSplit
   * the closest split when no row can. Buyers never wait on each other: a candidate row is
   * locked whole with FOR UPDATE SKIP LOCKED (seat-id order) and, if another buyer has any of
   * its seats, skipped for the next one; the choice is re-made on the locked row's fresh state.
   * An attempt that found only busy rows is retried with jitter; "no seats" is answered only
   * from a consistent snapshot in which no placement existed.
   */
  async holdBestAvailable(em: EntityManager, userId: string, request: BestAvailableRequest): Promise<BestAvailableHold> {
    if (!isUuid(request.eventId)) throw badUserInput('eventId', 'must be an event id');
    if (request.sectionId !== undefined && !isUuid(request.sectionId)) throw badUserInput('sectionId', 'must be a section id');
    if (!Number.isInteger(request.quantity) || request.quantity < 1 || request.quantity > this.settings.maxSeatsPerBooking) {
      throw badUserInput('quantity', `must be 1 to ${this.settings.maxSeatsPerBooking}`);
    }
    const maxPriceMinor = request.maxPrice === undefined ? undefined : Number(toMinorUnits(request.maxPrice, 'maxPrice'));
    const key = request.idempotencyKey?.trim();
    if (request.idempotencyKey !== undefined && (!key || request.idempotencyKey.length > 200)) throw badUserInput('idempotencyKey', 'must be 1 to 200 characters');
    // As createBooking words it (booking.rules.ts): PostgreSQL's text cannot hold NUL.
    if (request.idempotencyKey?.includes('\u0000')) throw badUserInput('idempotencyKey', 'must not contain NUL characters');
    const eventId = request.eventId.toLowerCase();
    const sectionId = request.sectionId?.toLowerCase();
    const eligible = (seat: MapSeat) => (!sectionId || seat.sectionId === sectionId) && (maxPriceMinor === undefined || seat.priceMinor <= maxPriceMinor);
    const replay = async (e: EntityManager) => {
      if (!key) return undefined;
      const existing = await e.findOne(Booking, { userId, idempotencyKey: key }, { populate: ['items'] });
      if (!existing) return undefined;
      if (existing.eventId !== eventId) throw badUserInput('idempotencyKey', 'this key was already used for a different booking');
      return this.describeHold(e, existing);
    };
    const first = await replay(em);
    if (first) return first;

    // Busy rows are a queue, not a refusal: keep trying for a while (three lock timeouts) before
    // answering SERVICE_UNAVAILABLE, which is retryable and never final.
    const deadline = Date.now() + Math.max(3 * this.settings.lockTimeoutMs, 5_000);
    for (let attempt = 0; ; attempt++) {
      try {
        return await em.fork().transactional(async (tx) => {
          await this.lockTimeout(tx);
          const event = await this.openEvent(tx, eventId);
          const snapshot = await this.seatMap(tx, eventId, sectionId);
          if (!snapshot.length) throw badUserInput(sectionId ? 'sectionId' : 'eventId', 'no seats with a place on the map to choose from');
          const rows = groupRows(snapshot);
          const plan = chooseBestAvailable(rows, request.quantity, { allowSplit: request.allowSplit, eligible });
          if (!plan) {
            throw appError(ErrorCode.SEAT_UNAVAILABLE, `No ${request.quantity} seats ${request.allowSplit ? '' : 'together '}are available that match`, {
              seatIds: [],
              quantity: request.quantity,
            });
          }
          if (plan.adjacent) {
            // Every block that could seat the party, best first. Only the block and two seats on
            // each side are locked: whether the block strands a seat depends on nothing else, and
            // anyone who takes one of those seats must lock it too. So several buyers can take
            // blocks of one row at once, and a busy block is skipped, never waited for.
            for (const row of rows) {
              for (const window of windowsInRow(row, request.quantity, eligible)) {
                const around = row.seats.slice(Math.max(0, window.start - 2), window.start + request.quantity + 2).map((s) => s.seatId);
                await tx.execute('savepoint best_block');
                const fresh = await this.lockSeats(tx, eventId, around);
                if (fresh) {
                  const free = row.seats.map((s) => fresh.get(s.seatId) ?? s.free);
                  const block = Array.from({ length: request.quantity }, (_, i) => window.start + i);
                  if (block.every((i) => free[i]) && !strandedBy(free, new Set(block)).length) {
                    const chosen = block.map((i) => row.seats[i].seatId);
                    return this.holdChosen(tx, userId, eventId, event.currency, chosen, key, true, [row.row]);
                  }
                }
                // Busy or changed: let go of it at once so another buyer can use it.
                await tx.execute('rollback to savepoint best_block');
              }
            }
            throw new RetryAttempt();
          }
          const planRows = plan.parts.map((p) => rows.find((r) => r.key === p.rowKey)!);
          const fresh = await this.lockRows(tx, eventId, planRows);
          if (!fresh) throw new RetryAttempt();
          // The split must still be free and strand nobody now that its rows are locked.
          const chosen = new Set(plan.parts.flatMap((p) => p.seatIds));
          const stillFree = fresh.every((r) => r.seats.every((s) => !chosen.has(s.seatId) || s.free));
          if (!stillFree || strandedSeats(fresh, chosen).length) throw new RetryAttempt();
          return this.holdChosen(tx, userId, eventId, event.currency, [...chosen], key, false, planRows.map((r) => r.row));
        });
      } catch (error) {
        if (pgCode(error) === UNIQUE_VIOLATION && pgConstraint(error) === 'booking_idempotency_idx' && key) {
          const existing = await replay(em.fork());
          if (existing) return existing;
        }
        const retry = error instanceof RetryAttempt || pgCode(error) === UNIQUE_VIOLATION || pgCode(error) === LOCK_NOT_AVAILABLE;
        if (!retry) throw error;
        if (Date.now() > deadline) {
          throw appError(ErrorCode.SERVICE_UNAVAILABLE, 'Seats are being chosen by many buyers right now; please try again', { retryable: true, retryAfterSeconds: 1 });
        }
        await sleep(10 + Math.random() * Math.min(200, 20 * (attempt + 1)));
      }
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
      await refuseIfNoLongerCancellable(tx, booking);
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
    // Whether the event has started, read in the same statement (one subquery, not per row): a
    // seat let go after the start is not AVAILABLE to anyone, and live maps must not say it is.
    const seats = await tx.execute<Array<{ seat_id: string; sales_closed: boolean }>>(
      `update booking_item set status = ? where booking_id = ?
       returning seat_id, (select ${STARTED_SQL('e')} from event_projection e where e.event_id = ?) as sales_closed`,
      [next, booking.id, booking.eventId],
    );
    await this.announceSeatChange<BookingCancelledPayload>(tx, BookingTopics.cancelled, {
      bookingId: booking.id,
      userId: booking.userId,
      eventId: booking.eventId,
      seatIds: seats.map((s) => s.seat_id).sort(),
      reason,
      refundRequested: wasConfirmed,
      ...(seats.some((s) => s.sales_closed) ? { salesClosed: true } : {}),
    });
  }

  private async lockTimeout(tx: EntityManager): Promise<void> {
    await tx.execute(`set local lock_timeout = '${Math.round(this.settings.lockTimeoutMs)}ms'`);
  }

  private async openEvent(tx: EntityManager, eventId: string): Promise<OpenEvent> {
    const [event] = await tx.execute<OpenEvent[]>(
      `select status, currency, projected_seats, total_seats, single_seat_rule, ${STARTED_SQL('event_projection')} as started from event_projection where event_id = ?`,
      [eventId],
    );
    assertOpenForBooking(eventId, event);
    return event;
  }

  /**
   * Seats with a place on the map (of one section, or all), free unless a live hold or sale
   * has them: one consistent snapshot, no locks. An overdue hold counts as free (it is expired
   * when its seats are locked).
   */
  private async seatMap(tx: EntityManager, eventId: string, sectionId?: string): Promise<MapSeat[]> {
    const seats = await tx.execute<Array<ProjectedSeat & { taken: boolean }>>(
      `select ${SEAT_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')},
              exists (select 1 from booking_item i join booking b on b.id = i.booking_id
                       where i.event_id = s.event_id and i.seat_id = s.seat_id and ${activeStatusSql('i.status')}
                         and (b.status = 'CONFIRMED' or ${liveHoldSql({ status: 'b.status', expiresAt: 'b.expires_at', now: '?' })})) as taken
         from seat_projection s
        where s.event_id = ? and s.row_label is not null ${sectionId ? 'and s.section_id = ?' : ''}`,
      [this.now(), eventId, ...(sectionId ? [sectionId] : [])],
    );
    return mapSeats(seats, new Set(seats.filter((s) => s.taken).map((s) => s.seat_id)));
  }

  /**
   * Locks every seat of the given rows without waiting (FOR UPDATE SKIP LOCKED, seat-id order)
   * and returns the rows as they are now, overdue holds on them expired. Undefined when any
   * seat of them is locked by another buyer.
   */
  private async lockRows(tx: EntityManager, eventId: string, rows: readonly SeatRow[]): Promise<SeatRow[] | undefined> {
    const ids = rows.flatMap((r) => r.seats.map((s) => s.seatId));
    const locked = await tx.execute<ProjectedSeat[]>(
      `select ${SEAT_COLUMNS} from seat_projection
        where event_id = ? and (section_id, row_label) in (${rows.map(() => '(?, ?)').join(',')})
        order by seat_id for update skip locked`,
      [eventId, ...rows.flatMap((r) => [r.sectionId, r.row])],
    );
    if (locked.length < ids.length) return undefined;
    // Read only: overdue holds count as free here and are expired on the seats actually chosen
    // (holdChosen), so a row that is let go of again leaves nothing behind.
    const now = this.now();
    const holds = await activeHolds(tx, eventId, locked.map((s) => s.seat_id));
    const taken = new Set(holds.filter((h) => !isOverdue(h.status, new Date(h.expires_at), now)).map((h) => h.seat_id));
    return groupRows(mapSeats(locked, taken));
  }

  /**
   * Locks the given seats without waiting (FOR UPDATE SKIP LOCKED, seat-id order) and says
   * which are free (overdue holds count as free). Undefined when another buyer has any of them.
   */
  private async lockSeats(tx: EntityManager, eventId: string, seatIds: string[]): Promise<Map<string, boolean> | undefined> {
    const locked = await tx.execute<Array<{ seat_id: string }>>(
      `select seat_id from seat_projection where event_id = ? and seat_id in (${seatIds.map(() => '?').join(',')}) order by seat_id for update skip locked`,
      [eventId, ...seatIds],
    );
    if (locked.length < seatIds.length) return undefined;
    const now = this.now();
    const holds = await activeHolds(tx, eventId, seatIds);
    const taken = new Set(holds.filter((h) => !isOverdue(h.status, new Date(h.expires_at), now)).map((h) => h.seat_id));
    return new Map(seatIds.map((id) => [id, !taken.has(id)]));
  }

  /** Seats (locked by the caller) held or sold right now; overdue holds on them are expired first. */
  private async takenAfterExpiry(tx: EntityManager, eventId: string, seatIds: string[]): Promise<Set<string>> {
    const holds = await activeHolds(tx, eventId, seatIds);
    const now = this.now();
    const overdue = [...new Set(holds.filter((h) => isOverdue(h.status, new Date(h.expires_at), now)).map((h) => h.booking_id))];
    if (overdue.length) await this.expire(tx, overdue);
    return new Set(holds.filter((h) => !overdue.includes(h.booking_id)).map((h) => h.seat_id));
  }

  private async holdChosen(tx: EntityManager, userId: string, eventId: string, currency: string, seatIds: string[], key: string | undefined, adjacent: boolean, rows: string[]): Promise<BestAvailableHold> {
    if ((await this.takenAfterExpiry(tx, eventId, seatIds)).size) throw new RetryAttempt();
    const seats = await tx.execute<ProjectedSeat[]>(
      `select ${SEAT_COLUMNS} from seat_projection where event_id = ? and seat_id in (${seatIds.map(() => '?').join(',')}) order by seat_id`,
      [eventId, ...seatIds],
    );
    const booking = await insertHold(tx, this.settings, this.now(), { userId, eventId, currency, seats, idempotencyKey: key });
    return { booking, adjacent, rows };
  }

  /** What an existing booking's seats look like as a best-available answer (idempotent replays). */
  private async describeHold(em: EntityManager, booking: Booking): Promise<BestAvailableHold> {
    const seatIds = booking.items.getItems().map((i) => i.seatId);
    const seats = await em.execute<ProjectedSeat[]>(
      `select ${SEAT_COLUMNS} from seat_projection where event_id = ? and seat_id in (${seatIds.map(() => '?').join(',')})`,
      [booking.eventId, ...seatIds],
    );
    const rows = groupRows(mapSeats(seats, new Set()));
    const adjacent = rows.length === 1 && rows[0].seats.every((s, i, all) => i === 0 || s.number === all[i - 1].number + 1 || s.x === all[i - 1].x + 1);
    return { booking, adjacent, rows: rows.map((r) => r.row) };
  }

  /** Every seat change ends the same way: version bump, change log and message in one statement (seat-change-announce.ts). */
  private async announceSeatChange<Payload extends SeatChange>(tx: EntityManager, type: string, change: Omit<Payload, 'seatMapVersion'>): Promise<void> {
    await announceSeatChange<Payload>(tx, type, change, { keep: this.settings.changeLogVersions });
  }
}

/**
 * A confirmed booking is no longer the fan's to cancel for a refund once it was used — a ticket
 * checked in: the fan is (or was) in the venue — or once its event has started: the seat was
 * there to be used, and a no-show cancelling after the show would get the money back. (An
 * organizer's cancelEvent still refunds everyone.) Runs with the booking row locked FOR UPDATE;
 * checkIn takes the same row FOR SHARE (ticket.service.ts), so a check-in and a cancellation
 * cannot both succeed, whichever comes first. One round trip for both facts.
 */
async function refuseIfNoLongerCancellable(tx: EntityManager, booking: Booking): Promise<void> {
  if (booking.status !== BookingStatus.CONFIRMED) return;
  const [facts] = await tx.execute<Array<{ checked_in_at: Date | null; started_at: Date | null }>>(
    `select (select checked_in_at from ticket where booking_id = ? and checked_in_at is not null order by checked_in_at limit 1) as checked_in_at,
            (select e.starts_at from event_projection e where e.event_id = ? and ${STARTED_SQL('e')}) as started_at`,
    [booking.id, booking.eventId],
  );
  if (facts.checked_in_at) {
    const at = new Date(facts.checked_in_at).toISOString();
    throw appError(ErrorCode.INVALID_BOOKING_STATE, `A ticket of this booking was checked in at ${at}; a used booking cannot be cancelled`, { checkedInAt: at });
  }
  if (facts.started_at) {
    const at = new Date(facts.started_at).toISOString();
    throw appError(ErrorCode.INVALID_BOOKING_STATE, `This event started at ${at}; its bookings can no longer be cancelled`, { startsAt: at });
  }
}
