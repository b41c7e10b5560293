import type { EntityManager } from '@mikro-orm/postgresql';
import { appError, badUserInput, ErrorCode, loneSeat, seatUnavailable } from '@eventix/errors';
import { Booking, type BookingStatus } from './booking.entity';
import { activeStatusSql, isOverdue, sameSeats, validateSeatRequest, type SeatRequest } from './booking.rules';
import { insertHold, type HoldSettings } from './hold-insert';
import { countCreateBookingRoute, countOneStatementHold } from './create-booking.metrics';
import { InFlightHolds, NOTHING, seenByEarlier, type Observation, type TrackedRequest } from './in-flight-holds';
import { LoneSeatRuleEvents } from './lone-seat-rule-events';
import { MadeUnderKey } from './made-under-key';
import { holdInOneStatement } from './one-statement-hold';
import { lockSeats, serializeKey, uuidArray, waitForSeats, type LockedSeat } from './seat-lock';
import { groupRows, strandedSeats, type MapSeat } from '../best-available/best-available.rules';

export interface CreateBookingSettings extends HoldSettings {
  maxSeatsPerBooking: number;
  /** The longest a request waits, all in all, for seats other buyers are busy with. */
  lockTimeoutMs: number;
}

/** What createBooking needs from the rest of the service. */
export interface CreateBookingPorts {
  /** Expires the given overdue PENDING bookings (releasing their seats) in the caller's transaction. */
  expire(tx: EntityManager, bookingIds: string[]): Promise<void>;
}

interface ActiveHold {
  seat_id: string;
  booking_id: string;
  status: BookingStatus;
  expires_at: Date | string;
}

/** PostgreSQL error codes we turn into contract errors. */
const UNIQUE_VIOLATION = '23505';
const LOCK_NOT_AVAILABLE = '55P03';
const DEADLOCK_DETECTED = '40P01';
const pgCode = (error: unknown) => (error as { code?: string } | undefined)?.code;
const pgConstraint = (error: unknown) => (error as { constraint?: string }).constraint;

/** One createBooking request, as each of its attempts sees it. */
interface HoldRequest {
  userId: string;
  eventId: string;
  /** Validated, distinct. */
  seatIds: string[];
  key: string | undefined;
  /** Epoch ms after which the request stops waiting for busy seats. */
  deadline: number;
  /** Seats this request found live-held or sold by others (and refused with SEAT_UNAVAILABLE). */
  seen: Observation;
}

/** SEAT_UNAVAILABLE for `seats`, found taken by a statement sent after `since`. */
function refuse(req: HoldRequest, seats: readonly string[], since: number): Error {
  req.seen = { seats: new Set(seats), since };
  return seatUnavailable(seats);
}

/** A booking and whether this request made it (rather than replaying one made under its key). */
interface Made {
  booking: Booking;
  created: boolean;
}

/**
 * What a request that made a hold tells the requests waiting on it: their seats were taken, as
 * of now — not as of when its statement was sent, though most of them arrived after that. The
 * hold is held from its commit until at least this moment: the expiry worker takes only holds
 * past their expiry (checked here), and cancelling needs the booking's id, which its buyer
 * learns from this answer — short of listing their bookings and cancelling from another tab in
 * the instant between the commit and this line. So each waiter's seats were taken at some moment
 * while it waited — the commit, or its arrival if that came later — and SEAT_UNAVAILABLE is the
 * answer the database would have given it, without a second trip there. (An event cancelled in
 * that instant releases its holds; its seats cannot be booked either.)
 */
function madeHold(seatIds: readonly string[], booking: Booking): Observation {
  return booking.expiresAt.getTime() > Date.now() ? { seats: new Set(seatIds), since: performance.now() } : NOTHING;
}

/** An attempt found requested seats (or, under PREVENT, seats of their rows) locked by another transaction. */
class SeatsBusy extends Error {
  constructor(readonly seats: readonly string[]) {
    super('seats busy');
  }
}

const busy = () => appError(ErrorCode.SERVICE_UNAVAILABLE, 'These seats are busy right now; please try again', { retryable: true, retryAfterSeconds: 1 });

/** Seats with a position, as the lone-seat rule sees them (also best-available's read of the map). */
export function mapSeats(seats: readonly LockedSeat[], taken: ReadonlySet<string>): MapSeat[] {
  return seats
    .filter((s) => s.row_label !== null && s.section_id !== null)
    .map((s) => ({
      seatId: s.seat_id,
      sectionId: s.section_id!,
      row: s.row_label!,
      number: s.seat_number ?? 0,
      x: Number(s.x ?? s.seat_number ?? 0),
      y: Number(s.y ?? 0),
      priceMinor: Number(s.price_minor),
      free: !taken.has(s.seat_id),
    }));
}

/**
 * The booking side learns of events from catalog's messages, so right after publication (or
 * during a broker outage) it may not know an event yet, or only part of its seats. It cannot
 * tell "not yet" from "never" without calling catalog on the sales path (docs/adr/0002-seat-projection-in-booking.md), so it
 * says "not yet": SERVICE_UNAVAILABLE with a retry hint, never a final NOT_FOUND.
 */
export function assertOpenForBooking(eventId: string, event: { status: string; projected_seats: number; total_seats: number; started: boolean } | undefined): void {
  if (event?.status === 'CANCELLED') throw badUserInput('eventId', 'this event was cancelled');
  if (event?.started) throw badUserInput('eventId', 'this event has started; its sales are closed');
  if (!event || event.projected_seats < event.total_seats) {
    throw appError(ErrorCode.SERVICE_UNAVAILABLE, `Event ${eventId} is not open for booking yet; try again in a few seconds`, { retryable: true, retryAfterSeconds: 2 });
  }
  if (event.status !== 'ON_SALE') throw badUserInput('eventId', 'this event is not on sale');
}

/**
 * createBooking's hot path in plain SQL: a hold is one statement when nothing needs deciding
 * (one-statement-hold.ts), else a handful of round trips, and no entity hydration. One attempt
 * is one transaction: lock the requested seats SKIP LOCKED (with the event's state and, for a
 * keyed request, the booking already made under the key), read the holds on them, expire
 * overdue ones, refuse taken seats (or a stranded one under the lone-seat rule), then write
 * booking, items and the outbox message (its seat map version assigned at commit) in one
 * statement. The partial unique index on active items stays the backstop.
 *
 * Contention: a seat another transaction has locked is never queued for. The attempt ends at
 * once; the loser waits (FOR SHARE on the busy seats only, see waitForSeats) until that
 * transaction has ended, then reads its seats once: held or sold → SEAT_UNAVAILABLE; free again
 * (the other buyer was refused, or only locked it as a row neighbour) → another attempt. So every
 * loser of a seat answers right after the winner commits, all at once, and a seat is never
 * refused while it is free. Past `lockTimeoutMs` in all: SERVICE_UNAVAILABLE, retryable.
 * Before all that, a request whose seats another request of this process is already trying for
 * waits for that one and may be answered from it (in-flight-holds.ts).
 */
export class CreateBooking {
  private readonly inFlight = new InFlightHolds();
  private readonly madeUnderKey = new MadeUnderKey();
  private readonly loneSeatRule = new LoneSeatRuleEvents();

  constructor(
    private readonly settings: CreateBookingSettings,
    private readonly ports: CreateBookingPorts,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(em: EntityManager, userId: string, request: SeatRequest): Promise<Booking> {
    const seatIds = validateSeatRequest(request, this.settings.maxSeatsPerBooking);
    const req: HoldRequest = {
      userId,
      // One spelling of the concert's id in rows, messages and Kafka keys, whatever the case sent.
      eventId: request.eventId.toLowerCase(),
      seatIds,
      key: request.idempotencyKey?.trim() || undefined,
      deadline: Date.now() + this.settings.lockTimeoutMs,
      seen: NOTHING,
    };
    // Requests of this process in flight on these seats go first (in-flight-holds.ts). Once none
    // is, this one goes to the database in the same tick, so those still waiting wait for it.
    const arrivedAt = performance.now();
    for (let earlier = this.overlapping(req); earlier.length; earlier = this.overlapping(req)) {
      const seen = await seenByEarlier(earlier, seatIds, arrivedAt, req.deadline);
      if (seen === 'timeout') throw busy();
      if (seen === 'taken') {
        // A retry of a keyed request whose booking took the seats gets that booking back:
        // only the database can say, so it goes there.
        if (req.key && (await this.madeUnderKey.ask(em, req.userId, req.key))) break;
        countCreateBookingRoute('in_flight');
        throw seatUnavailable(seatIds);
      }
    }
    countCreateBookingRoute('database');
    const tracked = this.inFlight.track(req.eventId, seatIds, userId, req.key);
    const made = this.book(em, req, tracked);
    // What later requests for these seats learn from this one.
    tracked.settle(made.then((m): Observation => (m.created ? madeHold(seatIds, m.booking) : req.seen), () => req.seen));
    return (await made).booking;
  }

  private overlapping(req: HoldRequest): Array<Promise<Observation>> {
    return this.inFlight.overlapping(req.eventId, req.seatIds, req.userId, req.key);
  }

  private async book(em: EntityManager, req: HoldRequest, tracked: TrackedRequest): Promise<Made> {
    for (let first = true; ; first = false) {
      let busySeats: readonly string[];
      try {
        // The common case in one statement; whatever needs deciding, the transaction decides.
        // The statement never decides the lone-seat rule: for such events it is not tried.
        if (first && this.loneSeatRule.has(req.eventId)) countOneStatementHold('skipped');
        else if (first) {
          const held = await holdInOneStatement(em, this.settings, this.now(), { userId: req.userId, eventId: req.eventId, seatIds: req.seatIds, idempotencyKey: req.key });
          countOneStatementHold(held ? 'made' : 'declined');
          if (held) return { booking: held, created: true };
        }
        return await em.transactional((tx) => this.attempt(tx, req));
      } catch (error) {
        if (pgCode(error) === UNIQUE_VIOLATION && pgConstraint(error) === 'booking_idempotency_idx' && req.key) {
          // Only a hash collision of the key lock lets the same key race itself; the other won.
          const existing = await this.byKey(em.fork(), req);
          if (existing) return { booking: existing, created: false };
        }
        // The backstop index refused an item: some seat was taken, which one is not known here.
        if (pgCode(error) === UNIQUE_VIOLATION) throw seatUnavailable(req.seatIds);
        // The lock timeout ran out on the key lock, or at commit on the version row: as busy as it gets.
        if (pgCode(error) === LOCK_NOT_AVAILABLE) throw busy();
        if (!(error instanceof SeatsBusy) && pgCode(error) !== DEADLOCK_DETECTED) throw error;
        // A deadlock names no seats: wait on the requested ones.
        busySeats = error instanceof SeatsBusy ? error.seats : req.seatIds;
      }
      // Waiting on others' seats, it tries for none: buyers of its free seats need not wait for it.
      tracked.withdraw();
      const settled = await this.afterBusy(em, req, busySeats);
      if (settled) return { booking: settled, created: false };
      tracked.rejoin();
    }
  }

  private async attempt(tx: EntityManager, req: HoldRequest): Promise<Made> {
    const { userId, eventId, seatIds, key } = req;
    if (key) await serializeKey(tx, this.settings.lockTimeoutMs, userId, key);
    const event = await lockSeats(tx, this.settings.lockTimeoutMs, eventId, seatIds, key ? { userId, key } : undefined);
    if (event?.existing_id && key) return { booking: await this.replay(tx, event.existing_id, req), created: false };
    // Rolling back lets go of the seats it did lock.
    if (event?.busy.length) throw new SeatsBusy(event.busy);
    if (event) this.loneSeatRule.note(eventId, event.single_seat_rule === 'PREVENT');
    assertOpenForBooking(eventId, event);
    const locked = event!.seats;
    const wanted = new Set(seatIds);
    const seats = locked.filter((s) => wanted.has(s.seat_id));
    if (seats.length !== seatIds.length) {
      const known = new Set(seats.map((s) => s.seat_id));
      throw badUserInput('seatIds', `not seats of this event: ${seatIds.filter((id) => !known.has(id)).join(', ')}`);
    }
    const readAt = performance.now();
    const taken = await this.takenAfterExpiry(tx, eventId, locked.map((s) => s.seat_id));
    const unavailable = seatIds.filter((id) => taken.has(id));
    if (unavailable.length) throw refuse(req, unavailable, readAt);
    if (event!.single_seat_rule === 'PREVENT') {
      const stranded = strandedSeats(groupRows(mapSeats(locked, taken)), wanted);
      if (stranded.length) throw loneSeat(stranded);
    }
    // The seat map version is assigned when this commits (seat-change-announce.ts).
    const booking = await insertHold(tx, this.settings, this.now(), { userId, eventId, currency: event!.currency, seats, idempotencyKey: key });
    return { booking, created: true };
  }

  /**
   * `busySeats` were locked by others: wait until their holders have ended, then look once.
   * Returns the keyed request's booking if its duplicate made it meanwhile; throws
   * SEAT_UNAVAILABLE for seats now held or sold; returns undefined when it is worth another attempt.
   */
  private async afterBusy(em: EntityManager, req: HoldRequest, busySeats: readonly string[]): Promise<Booking | undefined> {
    const left = req.deadline - Date.now();
    if (left <= 0) throw busy();
    try {
      return await em.transactional(async (tx) => {
        await waitForSeats(tx, Math.max(1, left), req.eventId, busySeats);
        // A new statement, so a new snapshot: it sees what the holder committed.
        if (req.key) {
          const existing = await this.byKey(tx, req);
          if (existing) return existing;
        }
        const now = this.now();
        const readAt = performance.now();
        const live = (await activeHolds(tx, req.eventId, req.seatIds)).filter((h) => !isOverdue(h.status, new Date(h.expires_at), now));
        if (live.length) throw refuse(req, [...new Set(live.map((h) => h.seat_id))].sort(), readAt);
        return undefined;
      });
    } catch (error) {
      if (pgCode(error) === LOCK_NOT_AVAILABLE) throw busy();
      if (pgCode(error) === DEADLOCK_DETECTED) return undefined;
      throw error;
    }
  }

  /** Seats (locked by the caller) held or sold right now; overdue holds on them are expired first. */
  private async takenAfterExpiry(tx: EntityManager, eventId: string, seatIds: string[]): Promise<Set<string>> {
    const holds = await activeHolds(tx, eventId, seatIds);
    if (!holds.length) return new Set();
    const now = this.now();
    const overdue = [...new Set(holds.filter((h) => isOverdue(h.status, new Date(h.expires_at), now)).map((h) => h.booking_id))];
    if (overdue.length) await this.ports.expire(tx, overdue);
    return new Set(holds.filter((h) => !overdue.includes(h.booking_id)).map((h) => h.seat_id));
  }

  private async replay(em: EntityManager, bookingId: string, req: HoldRequest): Promise<Booking> {
    const booking = await em.findOneOrFail(Booking, { id: bookingId }, { populate: ['items'] });
    assertSameRequest(booking, req.eventId, req.seatIds);
    return booking;
  }

  private async byKey(em: EntityManager, req: HoldRequest): Promise<Booking | null> {
    const booking = await em.findOne(Booking, { userId: req.userId, idempotencyKey: req.key }, { populate: ['items'] });
    if (booking) assertSameRequest(booking, req.eventId, req.seatIds);
    return booking;
  }
}

/** A key names one request: the same key for another event or other seats is refused. */
function assertSameRequest(booking: Booking, eventId: string, seatIds: string[]): void {
  if (booking.eventId !== eventId || !sameSeats(booking.items.getItems().map((i) => i.seatId), seatIds)) {
    throw badUserInput('idempotencyKey', 'this key was already used for a different booking');
  }
}

/**
 * Holds on the given seats whose status still claims them (live or overdue). One index lookup
 * per seat, on (event, seat) of the active-items index: a lateral subquery per seat, because
 * `seat_id = any(…)` next to `event_id = …` let the planner read every active item of the event
 * and filter (it did whenever its statistics thought the event small — always for an event that
 * went on sale after the last ANALYZE), i.e. work growing with the tickets sold.
 */
export function activeHolds(tx: EntityManager, eventId: string, seatIds: readonly string[]): Promise<ActiveHold[]> {
  return tx.execute<ActiveHold[]>(
    `select r.seat_id, h.booking_id, h.status, h.expires_at
       from unnest(?::uuid[]) r (seat_id) cross join lateral (
         select i.booking_id, b.status, b.expires_at
           from booking_item i join booking b on b.id = i.booking_id
          where i.event_id = ? and i.seat_id = r.seat_id and ${activeStatusSql('i.status')}
          limit 1) h`,
    [uuidArray(seatIds), eventId],
  );
}
