import type { EntityManager } from '@mikro-orm/postgresql';
import { STARTED_SQL } from './booking.rules';

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
  /** The event has started: its sales are closed. */
  started: boolean;
  /** The caller's booking under the idempotency key, when one was asked about and exists. */
  existing_id: string | null;
  /** The seats this transaction now holds locked. */
  seats: LockedSeat[];
  /** Seats it should have locked but another transaction holds (none were waited for). */
  busy: string[];
}

/**
 * The ids of the seats to lock: the requested seats — and, under the lone-seat rule (PREVENT),
 * every seat of their rows: two bookings in one row could each strand nobody alone and a seat
 * together. Worked out first, so that the lock is one primary-key lookup per id (`seat_id =
 * any(…)`) and a hold touches its own seats (and rows), never the event's other seats: written
 * as `seat_id = any(…) or <row mates>`, the OR made PostgreSQL read and filter every seat of the
 * event on every hold — 20,000 rows for a stadium. Row mates come from seat_projection_mates_idx.
 * Needs the `event` CTE. Parameters: seat array, event id, event id, seat array.
 */
const IDS_TO_LOCK = `array(
    select unnest(?::uuid[])
    union
    select mate.seat_id from seat_projection mate
     where (select single_seat_rule from event) = 'PREVENT' and mate.event_id = ? and (mate.section_id, mate.row_label) in (
       select section_id, row_label from seat_projection where event_id = ? and seat_id = any(?::uuid[]) and row_label is not null))`;

/**
 * One round trip: the event's sale state, the seats locked FOR UPDATE SKIP LOCKED, the seats
 * another transaction has locked (`busy`), and (for a keyed request) the booking already made
 * under the key. A buyer never queues behind another buyer of the same seat: a busy seat is
 * reported, not waited for, and the caller decides (seat-lock wait below) — knowing which seats
 * are busy, it waits for those only. `lock_timeout` is set here for the rest of the transaction
 * (the key lock, and at commit the seat-map version row every seat change of the event queues
 * on) without a statement of its own.
 */
const LOCK_SEATS_SQL = `
  with event as (
    select event_id, status, currency, projected_seats, total_seats, single_seat_rule, starts_at, set_config('lock_timeout', ?, true) as lock_timeout
      from event_projection where event_id = ?
  ), to_lock as (
    select ${IDS_TO_LOCK} as ids
  ), locked as (
    select seat_id, price_minor, section_id, row_label, seat_number, x, y from seat_projection
     where event_id = ? and seat_id = any((select ids from to_lock)::uuid[])
     order by seat_id for update skip locked
  )
  select e.status, e.currency, e.projected_seats, e.total_seats, e.single_seat_rule, ${STARTED_SQL('e')} as started,
         (select id from booking where user_id = ? and idempotency_key = ?) as existing_id,
         coalesce((select json_agg(l) from locked l), '[]'::json) as seats,
         coalesce((select json_agg(id order by id) from unnest((select ids from to_lock)) id
                    where id not in (select seat_id from locked)
                      and exists (select 1 from seat_projection s where s.event_id = e.event_id and s.seat_id = id)), '[]'::json) as busy
    from event e`;

export const lockTimeoutSetting = (ms: number) => `${Math.round(ms)}ms`;

/** Locks the seats that are free to lock (see LOCK_SEATS_SQL); undefined when the event is not in the projection. */
export async function lockSeats(tx: EntityManager, lockTimeoutMs: number, eventId: string, seatIds: readonly string[], key?: { userId: string; key: string }): Promise<LockedEvent | undefined> {
  const seats = uuidArray(seatIds);
  const [event] = await tx.execute<LockedEvent[]>(LOCK_SEATS_SQL, [
    lockTimeoutSetting(lockTimeoutMs), eventId,
    seats, eventId, eventId, seats,
    eventId,
    key?.userId ?? null, key?.key ?? null,
  ]);
  return event;
}

/** The advisory lock id of a (user, key) pair; parameters: user id, key. */
export const KEY_LOCK_SQL = 'hashtextextended(? || chr(1) || ?, 0)';

/**
 * Duplicates of one keyed request (a double click, a client retry) queue on each other here —
 * and only on each other: a transaction advisory lock on (user, key). So the second sees the
 * first's booking once it commits, while buyers of the same seats still never wait. The lock
 * timeout bounds the wait.
 */
export async function serializeKey(tx: EntityManager, lockTimeoutMs: number, userId: string, key: string): Promise<void> {
  await tx.execute(
    `select pg_advisory_xact_lock(${KEY_LOCK_SQL}) from (select set_config('lock_timeout', ?, true)) cfg`,
    [userId, key, lockTimeoutSetting(lockTimeoutMs)],
  );
}

/**
 * A loser's wait: until whoever holds the given seats — the ones LOCK_SEATS_SQL found busy —
 * (another buyer, a price update) has committed or rolled back. FOR SHARE locks do not conflict
 * with each other, so every loser of one seat wakes at once when the winner ends — no chain of
 * losers taking the seat lock in turn, as a queue of FOR UPDATE waiters would be. Only the busy
 * seats: a share lock held on a free seat while waiting would make every buyer of that seat
 * find it busy in turn, and spin (find it busy, wait, find it free, try again) until this wait
 * ends. Called in a transaction of its own that holds no other lock. Throws 55P03 when the
 * wait exceeds the lock timeout.
 */
export async function waitForSeats(tx: EntityManager, lockTimeoutMs: number, eventId: string, seatIds: readonly string[]): Promise<void> {
  await tx.execute(
    `select seat_id from (select set_config('lock_timeout', ?, true)) cfg, seat_projection
      where event_id = ? and seat_id = any(?::uuid[])
      order by seat_id for share of seat_projection`,
    [lockTimeoutSetting(lockTimeoutMs), eventId, uuidArray(seatIds)],
  );
}
