import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '@eventix/events';
import { fromMinorUnits } from '@eventix/subgraph-kit';
import { Booking, BookingStatus } from './booking.entity';
import { BookingTopics, type BookingCreatedPayload } from './booking.messages';
import { holdExpiry } from './booking.rules';
import { seatChangeOf } from '../live/seat-change';
import { uuidArray } from './seat-lock';

/** A seat the caller has locked and checked, with the price it is held at. */
export interface SeatToHold {
  seat_id: string;
  /** Minor units; bigint comes back from PostgreSQL as a string, from json_agg as a number. */
  price_minor: string | number;
}

export interface NewHold {
  userId: string;
  eventId: string;
  currency: string;
  seats: readonly SeatToHold[];
  idempotencyKey?: string;
}

export interface HoldSettings {
  holdTtlSeconds: number;
  /** Seat map versions per event kept in seat_change_log; default 1,000. */
  changeLogVersions?: number;
}

/**
 * The booking, its items, the seat-map version bump and its change-log row: one statement, one
 * round trip. The bump is the row lock every seat change of the event queues on (held to
 * commit, so versions follow commit order, bench/README.md "The seat map version row"); taking
 * it in the same statement as the inserts keeps that critical section as short as it can be.
 * Items are inserted set-based from two arrays; the partial unique index on active items stays
 * the backstop (a 23505 here becomes SEAT_UNAVAILABLE in the caller).
 */
const INSERT_HOLD_SQL = `
  with bumped as (
    update event_projection set seat_map_version = seat_map_version + 1 where event_id = ? returning event_id, seat_map_version
  ), hold as (
    insert into booking (id, user_id, event_id, status, total_minor, currency, expires_at, idempotency_key, created_at, updated_at)
    values (?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?)
  ), items as (
    insert into booking_item (id, booking_id, event_id, seat_id, price_minor, status)
    select gen_random_uuid(), ?, ?, t.seat_id, t.price_minor, 'PENDING'
      from unnest(?::uuid[], ?::bigint[]) as t(seat_id, price_minor)
  ), logged as (
    insert into seat_change_log (event_id, version, seats) select event_id, seat_map_version, ?::jsonb from bumped
  )
  select seat_map_version from bumped`;

/**
 * Inserts a PENDING booking on seats the caller has locked and checked, and records its
 * booking.created message (flushed with the transaction, so it commits with the hold).
 * Returns the booking as written, detached: nothing about it is left for the unit of work.
 */
export async function insertHold(tx: EntityManager, settings: HoldSettings, now: Date, hold: NewHold): Promise<Booking> {
  const seats = [...hold.seats].sort((a, b) => (a.seat_id < b.seat_id ? -1 : a.seat_id > b.seat_id ? 1 : 0));
  const seatIds = seats.map((s) => s.seat_id);
  const totalMinor = seats.reduce((sum, s) => sum + Number(s.price_minor), 0);
  const booking = Object.assign(new Booking(), {
    userId: hold.userId,
    eventId: hold.eventId,
    status: BookingStatus.PENDING,
    totalMinor: String(totalMinor),
    currency: hold.currency,
    expiresAt: holdExpiry(now, settings.holdTtlSeconds),
    idempotencyKey: hold.idempotencyKey,
    createdAt: now,
    updatedAt: now,
  });
  const change: Omit<BookingCreatedPayload, 'seatMapVersion'> = {
    bookingId: booking.id,
    userId: hold.userId,
    eventId: hold.eventId,
    seatIds,
    totalMinor,
    totalAmount: fromMinorUnits(totalMinor),
    currency: hold.currency,
    expiresAt: booking.expiresAt.toISOString(),
  };
  const live = seatChangeOf(BookingTopics.created, { ...change, seatMapVersion: 0 })!;
  const [row] = await tx.execute<Array<{ seat_map_version: string }>>(INSERT_HOLD_SQL, [
    hold.eventId,
    booking.id, hold.userId, hold.eventId, booking.totalMinor, hold.currency, booking.expiresAt, hold.idempotencyKey ?? null, now, now,
    booking.id, hold.eventId, uuidArray(seatIds), `{${seats.map((s) => String(s.price_minor)).join(',')}}`,
    JSON.stringify(live.seats),
  ]);
  const seatMapVersion = Number(row?.seat_map_version ?? 0);
  await pruneChangeLog(tx, hold.eventId, seatMapVersion, settings.changeLogVersions);
  recordEvent<BookingCreatedPayload>(tx, { type: BookingTopics.created, key: hold.eventId, payload: { ...change, seatMapVersion } });
  return booking;
}

/**
 * The change log serves subscribers that resume after a version; it keeps at least the newest
 * `keep` versions, pruned every few versions rather than on every change (one statement less
 * on the path every seat change takes).
 */
export async function pruneChangeLog(tx: EntityManager, eventId: string, version: number, keep = 1_000): Promise<void> {
  const pruneEvery = Math.min(64, Math.max(1, Math.floor(keep / 4)));
  if (version > keep && version % pruneEvery === 0) {
    await tx.execute('delete from seat_change_log where event_id = ? and version <= ?', [eventId, version - keep]);
  }
}
