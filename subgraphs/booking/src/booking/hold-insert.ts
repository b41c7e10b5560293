import type { EntityManager } from '@mikro-orm/postgresql';
import { fromMinorUnits } from '@eventix/subgraph-kit';
import { Booking, BookingStatus } from './booking.entity';
import { BookingTopics, type BookingCreatedPayload } from './booking.messages';
import { holdExpiry } from './booking.rules';
import { announcementParams, announcementSql } from './seat-change-announce';
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

/** The columns a hold writes (shared with one-statement-hold.ts). */
export const HOLD_BOOKING_COLUMNS = 'id, user_id, event_id, status, total_minor, currency, expires_at, idempotency_key, created_at, updated_at';
export const HOLD_ITEM_COLUMNS = 'id, booking_id, event_id, seat_id, price_minor, status';

/**
 * The booking, its items (set-based from two arrays) and the announcement of the change in one
 * statement: one round trip for the whole write (a hold is a handful in all, and on two cores
 * each one is CPU the machine does not have for the next booking). The partial unique index on
 * active items stays the backstop: a 23505 here becomes SEAT_UNAVAILABLE in the caller.
 */
const ANNOUNCEMENT = announcementSql();
const INSERT_HOLD_SQL = `
  with hold as (
    insert into booking (${HOLD_BOOKING_COLUMNS})
    values (?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?)
  ),
  items as (
    insert into booking_item (${HOLD_ITEM_COLUMNS})
    select gen_random_uuid(), ?, ?, t.seat_id, t.price_minor, 'PENDING'
      from unnest(?::uuid[], ?::bigint[]) as t(seat_id, price_minor)
  ),
  ${ANNOUNCEMENT.cte}
  ${ANNOUNCEMENT.final}`;

/** What a hold records: its booking (a new id, PENDING until its expiry) and its booking.created payload. */
export interface HoldRecord {
  booking: Booking;
  change: Omit<BookingCreatedPayload, 'seatMapVersion'>;
}

/** The booking and message of a hold on `seatIds` (sorted) for `totalMinor` in `currency`. */
export function holdRecord(
  settings: HoldSettings,
  now: Date,
  hold: { userId: string; eventId: string; currency: string; seatIds: string[]; totalMinor: number; idempotencyKey?: string },
): HoldRecord {
  const booking = Object.assign(new Booking(), {
    userId: hold.userId,
    eventId: hold.eventId,
    status: BookingStatus.PENDING,
    totalMinor: String(hold.totalMinor),
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
    seatIds: hold.seatIds,
    totalMinor: hold.totalMinor,
    totalAmount: fromMinorUnits(hold.totalMinor),
    currency: hold.currency,
    expiresAt: booking.expiresAt.toISOString(),
  };
  return { booking, change };
}

/**
 * Inserts a PENDING booking on seats the caller has locked and checked, and announces it
 * (booking.created in the outbox), in one statement.
 * Returns the booking as written, detached: nothing about it is left for the unit of work.
 */
export async function insertHold(tx: EntityManager, settings: HoldSettings, now: Date, hold: NewHold): Promise<Booking> {
  const seats = [...hold.seats].sort((a, b) => (a.seat_id < b.seat_id ? -1 : a.seat_id > b.seat_id ? 1 : 0));
  const seatIds = seats.map((s) => s.seat_id);
  const totalMinor = seats.reduce((sum, s) => sum + Number(s.price_minor), 0);
  const { booking, change } = holdRecord(settings, now, { userId: hold.userId, eventId: hold.eventId, currency: hold.currency, seatIds, totalMinor, idempotencyKey: hold.idempotencyKey });
  await tx.execute(INSERT_HOLD_SQL, [
    booking.id, hold.userId, hold.eventId, booking.totalMinor, hold.currency, booking.expiresAt, hold.idempotencyKey ?? null, now, now,
    booking.id, hold.eventId, uuidArray(seatIds), `{${seats.map((s) => String(s.price_minor)).join(',')}}`,
    ...announcementParams<BookingCreatedPayload>(BookingTopics.created, change, { keep: settings.changeLogVersions }),
  ]);
  return booking;
}
