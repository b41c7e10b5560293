import type { EntityManager } from '@mikro-orm/postgresql';
import { activeStatusSql, lockOrder, STARTED_SQL } from './booking.rules';
import { holdRecord, HOLD_BOOKING_COLUMNS, HOLD_ITEM_COLUMNS, type HoldSettings } from './hold-insert';
import { announcementParams, announcementSql } from './seat-change-announce';
import { KEY_LOCK_SQL, lockTimeoutSetting, uuidArray } from './seat-lock';
import { BookingTopics, type BookingCreatedPayload } from './booking.messages';
import type { Booking } from './booking.entity';

/** A hold asked for: validated, distinct seats of one event. */
export interface OneStatementHold {
  userId: string;
  eventId: string;
  seatIds: readonly string[];
  idempotencyKey?: string;
}

const UNIQUE_VIOLATION = '23505';

/**
 * `totalAmount` of booking.created from the total in minor units, in SQL: what fromMinorUnits
 * (@eventix/subgraph-kit) writes for a total that is not negative (prices never are): "25.00".
 * one-statement-hold.int.test.ts checks the two agree.
 */
const TOTAL_AMOUNT_SQL = `(ok.total_minor / 100)::text || '.' || lpad((ok.total_minor % 100)::text, 2, '0')`;

/** The announcement, written only when `ok` has its row, with the currency and total it read. */
const ANNOUNCEMENT = announcementSql({
  source: 'ok',
  payloadFields: `jsonb_build_object('currency', ok.currency, 'totalMinor', ok.total_minor, 'totalAmount', ${TOTAL_AMOUNT_SQL})`,
});

/**
 * The common hold — every requested seat free, the event on sale and without the lone-seat
 * rule, no booking under the request's key yet and no duplicate of the request in progress (its
 * key's advisory lock free: taken without waiting, see serializeKey) — in ONE statement, outside
 * any transaction: lock the requested seats FOR UPDATE SKIP LOCKED, check that every one was
 * locked and none has an active item, and write the booking, its items and the announcement
 * (outbox message and seat_change_pending, whose deferred trigger assigns the seat map version
 * as the statement commits). One round trip where createBooking's transaction takes five
 * (BEGIN, lock, holds read, insert, COMMIT), each a socket write on both sides: on two cores,
 * that is CPU the next booking does not get.
 *
 * It writes only when nothing needs deciding; otherwise it writes nothing, says so, and the
 * transaction (create-booking.ts) decides as it always has: a busy seat, a taken or overdue one,
 * an unknown seat, an event not open or under the lone-seat rule, a key already used or in use
 * by a duplicate (the transaction queues on it). Its reads share the statement's snapshot, taken
 * before its locks: a hold committed in between is not seen, and the partial unique index on
 * active items refuses the insert (23505) — then too the transaction, with a statement after its
 * locks, decides. So this path never answers anything but success; every refusal still comes
 * from the one place that explains it.
 */
const ONE_STATEMENT_HOLD_SQL = `
  with event as (
    select status, currency, projected_seats, total_seats, single_seat_rule, starts_at, set_config('lock_timeout', ?, true) as lock_timeout
      from event_projection where event_id = ?
  ), locked as (
    select seat_id, price_minor from seat_projection
     where event_id = ? and seat_id = any(?::uuid[])
     order by seat_id for update skip locked
  ), ok as (
    select e.currency, (select sum(price_minor) from locked)::bigint as total_minor
      from event e
     where e.status = 'ON_SALE' and e.projected_seats >= e.total_seats and e.single_seat_rule = 'ALLOW' and not ${STARTED_SQL('e')}
       and (select count(*) from locked) = ?
       and not exists (
         select 1 from locked l cross join lateral (
           select 1 from booking_item i where i.event_id = ? and i.seat_id = l.seat_id and ${activeStatusSql('i.status')} limit 1) h)
       and not exists (select 1 from booking where user_id = ? and idempotency_key = ?)
       and (?::text is null or pg_try_advisory_xact_lock(${KEY_LOCK_SQL}))
  ), hold as (
    insert into booking (${HOLD_BOOKING_COLUMNS})
    select ?, ?, ?, 'PENDING', ok.total_minor, ok.currency, ?, ?, ?, ? from ok
  ), items as (
    insert into booking_item (${HOLD_ITEM_COLUMNS})
    select gen_random_uuid(), ?, ?, l.seat_id, l.price_minor, 'PENDING' from locked l, ok
  ),
  ${ANNOUNCEMENT.cte}, announced as (
    ${ANNOUNCEMENT.final}
  )
  select currency, total_minor from ok`;

/**
 * Tries the hold in one statement (above). The booking when it was written (committed), or
 * undefined when nothing was written and the transaction must decide.
 */
export async function holdInOneStatement(em: EntityManager, settings: HoldSettings & { lockTimeoutMs: number }, now: Date, hold: OneStatementHold): Promise<Booking | undefined> {
  const seatIds = lockOrder(hold.seatIds);
  // Currency and prices are read by the statement: the message's are filled in there.
  const { booking, change } = holdRecord(settings, now, { ...hold, seatIds, currency: '', totalMinor: 0 });
  let rows: Array<{ currency: string; total_minor: string }>;
  try {
    rows = await em.execute(ONE_STATEMENT_HOLD_SQL, [
      lockTimeoutSetting(settings.lockTimeoutMs), hold.eventId,
      hold.eventId, uuidArray(seatIds),
      seatIds.length,
      hold.eventId,
      hold.userId, hold.idempotencyKey ?? null,
      hold.idempotencyKey ?? null, hold.userId, hold.idempotencyKey ?? null,
      booking.id, hold.userId, hold.eventId, booking.expiresAt, hold.idempotencyKey ?? null, now, now,
      booking.id, hold.eventId,
      ...announcementParams<BookingCreatedPayload>(BookingTopics.created, change, { keep: settings.changeLogVersions }),
    ]);
  } catch (error) {
    // Something committed between the statement's snapshot and its locks: see above.
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
    throw error;
  }
  if (!rows.length) return undefined;
  booking.currency = rows[0].currency;
  booking.totalMinor = String(rows[0].total_minor);
  return booking;
}
