import { BookingStatus } from './booking.entity';
import { activeStatusSql, assertMove, canMove, holdExpiry, isLiveHold, isOverdue, liveHoldSql, lockOrder, overdueHoldSql, sameSeats, validateSeatRequest } from './booking.rules';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const event = id(999);

describe('booking rules', () => {
  it('returns seats in ascending lock order, so overlapping bookings lock alike', () => {
    expect(validateSeatRequest({ eventId: event, seatIds: [id(3), id(1), id(2)] }, 10)).toEqual([id(1), id(2), id(3)]);
    expect(lockOrder([id(2), id(3)])[0]).toBe(lockOrder([id(3), id(2)])[0]);
  });

  it.each([
    [{ eventId: 'nope', seatIds: [id(1)] }, 'eventId'],
    [{ eventId: event, seatIds: [] }, 'seatIds'],
    [{ eventId: event, seatIds: [id(1), id(1)] }, 'seatIds'],
    [{ eventId: event, seatIds: [id(1), id(1).toUpperCase()] }, 'seatIds'],
    [{ eventId: event, seatIds: ['1; drop table booking'] }, 'seatIds'],
    [{ eventId: event, seatIds: Array.from({ length: 11 }, (_, i) => id(i)) }, 'seatIds'],
    [{ eventId: event, seatIds: [id(1)], idempotencyKey: ' ' }, 'idempotencyKey'],
  ])('refuses %j naming %s', (request, field) => {
    expect(() => validateSeatRequest(request, 10)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) }));
  });

  it('compares seat sets regardless of order and case', () => {
    expect(sameSeats([id(1), id(2)], [id(2), id(1).toUpperCase()])).toBe(true);
    expect(sameSeats([id(1)], [id(1), id(2)])).toBe(false);
  });

  it('allows only the documented status moves', () => {
    expect(canMove(BookingStatus.PENDING, BookingStatus.CONFIRMED)).toBe(true);
    expect(canMove(BookingStatus.PENDING, BookingStatus.EXPIRED)).toBe(true);
    expect(canMove(BookingStatus.CONFIRMED, BookingStatus.CANCELLED)).toBe(true);
    expect(canMove(BookingStatus.CONFIRMED, BookingStatus.EXPIRED)).toBe(false);
    expect(canMove(BookingStatus.EXPIRED, BookingStatus.CONFIRMED)).toBe(false);
    expect(() => assertMove(BookingStatus.CANCELLED, BookingStatus.CANCELLED)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_BOOKING_STATE' }) }));
  });

  it('computes hold expiry and overdue holds', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(holdExpiry(now, 600).toISOString()).toBe('2026-01-01T00:10:00.000Z');
    expect(isOverdue(BookingStatus.PENDING, now, now)).toBe(true);
    expect(isOverdue(BookingStatus.PENDING, holdExpiry(now, 1), now)).toBe(false);
    expect(isOverdue(BookingStatus.CONFIRMED, now, now)).toBe(false);
  });

  it('a hold is live while PENDING and before its expiry, and overdue from its expiry on', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const later = holdExpiry(now, 1);
    expect(isLiveHold(BookingStatus.PENDING, later, now)).toBe(true);
    expect(isLiveHold(BookingStatus.PENDING, now, now)).toBe(false);
    expect(isLiveHold(BookingStatus.CONFIRMED, later, now)).toBe(false);
    // Live and overdue split every PENDING hold between them, at every instant.
    for (const expiresAt of [new Date(now.getTime() - 1), now, later]) {
      expect(isLiveHold(BookingStatus.PENDING, expiresAt, now)).toBe(!isOverdue(BookingStatus.PENDING, expiresAt, now));
    }
  });

  it('spells the hold rule and the active statuses the same way for SQL', () => {
    const columns = { status: 'b.status', expiresAt: 'b.expires_at', now: 'now()' };
    expect(liveHoldSql(columns)).toBe("(b.status = 'PENDING' and b.expires_at > now())");
    expect(overdueHoldSql({ ...columns, now: '?' })).toBe("(b.status = 'PENDING' and b.expires_at <= ?)");
    // The partial unique index in the initial migration is built on exactly this list.
    expect(activeStatusSql('status')).toBe("status in ('PENDING', 'CONFIRMED')");
  });
});
