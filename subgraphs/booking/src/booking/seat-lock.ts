import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The seat locks createBooking takes, in SQL. Every statement here is one round trip; each
 * locks in seat-id order (ORDER BY under the locking clause), the one order every transaction
 * of this service locks seats in, so overlapping bookings never wait on each other in a cycle.
 */

/** A PostgreSQL array literal of ids already checked to be UUIDs (validateSeatRequest). */
export const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

/** A projected seat as the lock statements return it. */
export interface LockedSeat {
  seat_id: string;
  price_minor: string | number;
  section_id: string | null;
  row_label: string | null;
  seat_number: number | null;
  x: number | null;
  y: number | null;
}

/** The event as createBooking needs it, with the seats it locked. */
export interface LockedEvent {
  status: string;
  currency: string;
  projected_seats: number;
  total_seats: number;
  single_seat_rule: 'ALLOW' | 'PREVENT';
  /** The caller's booking under the idempotency key, when one was asked about and exists. */
  existing_id: string | null;
  seats: LockedSeat[];
}

/**
 * The requested seats — and, under the lone-seat rule (PREVENT), every seat of their rows: two
 * bookings in one row could each strand nobody alone and a seat together. The ids to lock are
 * worked out first and the lock is one primary-key lookup per id (`seat_id = any(array(…))`),
 * so a hold touches its own seats (and rows), never the event's other seats: written as
 * `seat_id = any(…) or <row mates>`, the OR made PostgreSQL read and filter every seat of the
 * event on every hold — 20,000 rows for a stadium. Row mates come from seat_projection_mates_idx.
 * Parameters: event id, seat array, event id, event id, seat array.
 */
const SEATS_TO_LOCK = `
  event_id = ? and seat_id = any(array(
    select unnest(?::uuid[])
    union
    select mate.seat_id from seat_projection mate
     where (select single_seat_rule from event) = 'PREVENT' and mate.event_id = ? and (mate.section_id, mate.row_label) in (
       select section_id, row_label from seat_projection where event_id = ? and seat_id = any(?::uuid[]) and row_label is not null)))`;

const seatsToLockParams = (eventId: string, seats: string) => [eventId, seats, eventId, eventId, seats];

/**
 * One round trip: the event's sale state, the seats locked FOR UPDATE NOWAIT, and (for a keyed
 * request) the booking already made under the key. NOWAIT: a buyer never queues behind another
 * buyer of the same seat; a busy seat fails the statement at once with 55P03 and the caller
 * decides (seat-lock wait below). `lock_timeout` is set here for the rest of the transaction
 * (the key lock, and at commit the seat-map version row every seat change of the event queues
 * on) without a statement of its own.
 */
const LOCK_SEATS_SQL = `
  with event as (
    select status, currency, projected_seats, total_seats, single_seat_rule, set_config('lock_timeout', ?, true) as lock_timeout
      from event_projection where event_id = ?
  ), locked as (
    select seat_id, price_minor, section_id, row_label, seat_number, x, y from seat_projection
     where ${SEATS_TO_LOCK}
     order by seat_id for update nowait
  )
  select e.status, e.currency, e.projected_seats, e.total_seats, e.single_seat_rule,
         (select id from booking where user_id = ? and idempotency_key = ?) as existing_id,
         coalesce((select json_agg(l) from locked l), '[]'::json) as seats
    from event e`;

export const lockTimeoutSetting = (ms: number) => `${Math.round(ms)}ms`;

/** Locks the seats (see LOCK_SEATS_SQL); undefined when the event is not in the projection. Throws 55P03 when a seat is busy. */
export async function lockSeats(tx: EntityManager, lockTimeoutMs: number, eventId: string, seatIds: readonly string[], key?: { userId: string; key: string }): Promise<LockedEvent | undefined> {
  const seats = uuidArray(seatIds);
  const [event] = await tx.execute<LockedEvent[]>(LOCK_SEATS_SQL, [
    lockTimeoutSetting(lockTimeoutMs), eventId,
    ...seatsToLockParams(eventId, seats),
    key?.userId ?? null, key?.key ?? null,
  ]);
  return event;
}

/**
 * Duplicates of one keyed request (a double click, a client retry) queue on each other here —
 * and only on each other: a transaction advisory lock on (user, key). So the second sees the
 * first's booking once it commits, while buyers of the same seats still never wait. The lock
 * timeout bounds the wait.
 */
export async function serializeKey(tx: EntityManager, lockTimeoutMs: number, userId: string, key: string): Promise<void> {
  await tx.execute(
    `select pg_advisory_xact_lock(hashtextextended(? || chr(1) || ?, 0)) from (select set_config('lock_timeout', ?, true)) cfg`,
    [userId, key, lockTimeoutSetting(lockTimeoutMs)],
  );
}

/**
 * A loser's wait: until whoever holds the seats (another buyer, a price update) has committed
 * or rolled back. FOR SHARE locks do not conflict with each other, so every loser of one seat
 * wakes at once when the winner ends — no chain of losers taking the seat lock in turn, as a
 * queue of FOR UPDATE waiters would be. Called in a transaction of its own that holds no other
 * lock. Throws 55P03 when the wait exceeds the lock timeout.
 */
export async function waitForSeats(tx: EntityManager, lockTimeoutMs: number, eventId: string, seatIds: readonly string[]): Promise<void> {
  const seats = uuidArray(seatIds);
  await tx.execute(
    `with event as (select single_seat_rule from event_projection where event_id = ?)
     select seat_id from (select set_config('lock_timeout', ?, true)) cfg, seat_projection
      where ${SEATS_TO_LOCK}
      order by seat_id for share of seat_projection`,
    [eventId, lockTimeoutSetting(lockTimeoutMs), ...seatsToLockParams(eventId, seats)],
  );
}
