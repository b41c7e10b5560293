import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeKeysetCursor, encodeKeysetCursor, hasPermission, Permission, type Caller } from '@eventix/subgraph-kit';
import { Booking, BookingStatus, CancellationReason } from './booking.entity';
import { isOverdue } from './booking.rules';

/** Owner (or bookings:admin) may read a booking; anyone else sees nothing, not even its existence. */
export function canRead(caller: Caller, booking: Booking): boolean {
  return booking.userId === caller.userId || hasPermission(caller, Permission.BOOKINGS_ADMIN);
}

/**
 * A PENDING booking past its expiry is reported EXPIRED even before the expiry worker has moved
 * it, so a fan never sees a hold that no longer protects their seats.
 */
export function withEffectiveStatus(booking: Booking, now: Date): Booking {
  if (isOverdue(booking.status, booking.expiresAt, now)) {
    booking.status = BookingStatus.EXPIRED;
    booking.cancellationReason = CancellationReason.EXPIRED;
  }
  return booking;
}

export class BookingQueries {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async findVisible(em: EntityManager, caller: Caller, id: string): Promise<Booking | null> {
    const booking = await em.findOne(Booking, { id });
    if (!booking || !canRead(caller, booking)) return null;
    // Detach so reporting the effective status never writes it back by accident.
    em.getUnitOfWork().unsetIdentity(booking);
    return withEffectiveStatus(booking, this.now());
  }

  /** The caller's bookings, newest first, keyset-paginated on (createdAt, id). */
  async mine(em: EntityManager, userId: string, first: number, after?: string): Promise<{ bookings: Booking[]; hasNextPage: boolean }> {
    if (first === 0) return { bookings: [], hasNextPage: false };
    const where: Record<string, unknown> = { userId };
    if (after) {
      const position = decodeKeysetCursor(after);
      where.$or = [{ createdAt: { $lt: position.at } }, { createdAt: position.at, id: { $lt: position.id } }];
    }
    const rows = await em.find(Booking, where, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: first + 1 });
    const now = this.now();
    rows.forEach((b) => em.getUnitOfWork().unsetIdentity(b));
    return { bookings: rows.slice(0, first).map((b) => withEffectiveStatus(b, now)), hasNextPage: rows.length > first };
  }

  cursorOf(booking: Booking): string {
    return encodeKeysetCursor({ at: booking.createdAt, id: booking.id });
  }
}
