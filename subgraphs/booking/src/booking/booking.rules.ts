import { appError, badUserInput, ErrorCode } from '@eventix/errors';
import { isUuid } from '@eventix/subgraph-kit';
import { BookingStatus } from './booking.entity';


export interface SeatRequest {
  eventId: string;
  seatIds: string[];
  idempotencyKey?: string;
}

/**
 * Checks a booking request before any database work and returns the seat ids in lock order.
 * Sorting matters: every transaction locks seats in the same (ascending id) order, so two
 * overlapping multi-seat bookings can never wait on each other in a cycle.
 */
export function validateSeatRequest(request: SeatRequest, maxSeats: number): string[] {
  if (!isUuid(request.eventId)) throw badUserInput('eventId', 'must be an event id');
  if (!request.seatIds.length) throw badUserInput('seatIds', 'choose at least one seat');
  if (request.seatIds.length > maxSeats) throw badUserInput('seatIds', `at most ${maxSeats} seats per booking`);
  const bad = request.seatIds.find((id) => !isUuid(id));
  if (bad !== undefined) throw badUserInput('seatIds', `${JSON.stringify(bad)} is not a seat id`);
  const normalised = request.seatIds.map((id) => id.toLowerCase());
  if (new Set(normalised).size !== normalised.length) throw badUserInput('seatIds', 'a seat is listed twice');
  if (request.idempotencyKey !== undefined && (!request.idempotencyKey.trim() || request.idempotencyKey.length > 200)) {
    throw badUserInput('idempotencyKey', 'must be 1 to 200 characters');
  }
  // PostgreSQL's text type cannot hold NUL; refuse it here instead of failing the INSERT.
  if (request.idempotencyKey?.includes('\u0000')) throw badUserInput('idempotencyKey', 'must not contain NUL characters');
  return lockOrder(normalised);
}

/** The one order in which seats are locked. */
export const lockOrder = (seatIds: readonly string[]) => [...seatIds].sort();

/** Same seats, whatever the order: the idempotency check compares sets. */
export function sameSeats(a: readonly string[], b: readonly string[]): boolean {
  const left = lockOrder(a.map((s) => s.toLowerCase()));
  const right = lockOrder(b.map((s) => s.toLowerCase()));
  return left.length === right.length && left.every((id, i) => id === right[i]);
}

/** When a hold made at `now` ends. */
export const holdExpiry = (now: Date, ttlSeconds: number) => new Date(now.getTime() + ttlSeconds * 1000);

/** Where each status may go next (docs/architecture.md, decision 6). Terminal statuses go nowhere. */
const NEXT: Record<BookingStatus, readonly BookingStatus[]> = {
  [BookingStatus.PENDING]: [BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED],
  [BookingStatus.CONFIRMED]: [BookingStatus.CANCELLED],
  [BookingStatus.CANCELLED]: [],
  [BookingStatus.EXPIRED]: [],
};

export function canMove(from: BookingStatus, to: BookingStatus): boolean {
  return NEXT[from].includes(to);
}

export function assertMove(from: BookingStatus, to: BookingStatus): void {
  if (!canMove(from, to)) throw appError(ErrorCode.INVALID_BOOKING_STATE, `a ${from} booking cannot become ${to}`, { status: from });
}

/**
 * Statuses that hold their seats (a PENDING one only while its hold is live, see below). The
 * partial unique index on booking_item (migrations) is built on the same set.
 */
export const ACTIVE_STATUSES: readonly BookingStatus[] = [BookingStatus.PENDING, BookingStatus.CONFIRMED];

/** `column in ('PENDING', 'CONFIRMED')`: ACTIVE_STATUSES for a query. */
export const activeStatusSql = (column: string) => `${column} in (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Sales close when the event starts (`starts_at` of its projection, from catalog): no new hold,
 * its seats NOT_ON_SALE. An event projected before booking kept its start (null) stays open.
 * `table` is the event_projection row's alias.
 */
export const STARTED_SQL = (table: string) => `coalesce(${table}.starts_at <= now(), false)`;

/**
 * The hold rule: a hold is live while its booking is PENDING and its expiry is still ahead. A
 * PENDING hold whose time is up is overdue: it no longer protects its seats, whatever the
 * expiry worker has done yet.
 */
export const isLiveHold = (status: BookingStatus, expiresAt: Date, now: Date) => status === BookingStatus.PENDING && expiresAt.getTime() > now.getTime();

export const isOverdue = (status: BookingStatus, expiresAt: Date, now: Date) => status === BookingStatus.PENDING && expiresAt.getTime() <= now.getTime();

/** Where a query finds the parts of the hold rule: SQL expressions (columns, `now()` or `?`). */
export interface HoldColumns {
  status: string;
  expiresAt: string;
  now: string;
}

/**
 * The hold rule for queries that apply it to many rows at once; the same predicates as
 * isLiveHold / isOverdue, so SQL and TypeScript cannot disagree about when a hold ends.
 */
export const liveHoldSql = (c: HoldColumns) => `(${c.status} = '${BookingStatus.PENDING}' and ${c.expiresAt} > ${c.now})`;
export const overdueHoldSql = (c: HoldColumns) => `(${c.status} = '${BookingStatus.PENDING}' and ${c.expiresAt} <= ${c.now})`;
