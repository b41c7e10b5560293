import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fromMinorUnits } from '@eventix/subgraph-kit';
import { holdLocks, startBooking, type BookingHarness } from './booking-harness';
import { errorCodes, operations } from '@eventix/testing';
import { oneStatementHolds } from '../src/booking/create-booking.metrics';
import { holdInOneStatement } from '../src/booking/one-statement-hold';

const SETTINGS = { holdTtlSeconds: 600, lockTimeoutMs: 5_000 };

/**
 * createBooking's one-statement hold (one-statement-hold.ts) on real PostgreSQL: it writes a
 * whole hold when nothing needs deciding, and otherwise writes nothing, waits for nothing and
 * leaves the answer to the transaction.
 */
describe('the one-statement hold (real PostgreSQL)', () => {
  let h: BookingHarness;
  beforeAll(async () => {
    h = await startBooking();
  });
  afterAll(() => h?.close());

  const tryHold = (userId: string, eventId: string, seatIds: string[], idempotencyKey?: string) =>
    holdInOneStatement(h.booking.orm.em.fork(), SETTINGS, new Date(), { userId, eventId, seatIds, idempotencyKey });

  const bookingsOf = async (userId: string) => Number((await h.sql<{ n: string }>('select count(*) as n from booking where user_id = ?', [userId]))[0].n);

  /** Another transaction that ran `lock` and holds what it took until `release()` (rolled back). */
  const holding = async (lock: (tx: EntityManager) => Promise<unknown>) => {
    const holder = await holdLocks(h, lock);
    return () => holder.end(false);
  };

  it('holds free seats in one committed statement: the booking, its items at their prices, and booking.created with the total and a seat map version', async () => {
    const { eventId, seatIds } = await h.publishEvent(3, { currency: 'CHF' });
    const [a, b] = seatIds;
    await h.sql('update seat_projection set price_minor = case seat_id when ?::uuid then 1999 else 5 end where event_id = ?', [a, eventId]);

    const booking = await tryHold('one-statement-fan', eventId, [b, a]);

    expect(booking).toMatchObject({ userId: 'one-statement-fan', eventId, status: 'PENDING', totalMinor: '2004', currency: 'CHF' });
    const [row] = await h.sql<{ status: string; total_minor: string; currency: string }>('select status, total_minor, currency from booking where id = ?', [booking!.id]);
    expect(row).toEqual({ status: 'PENDING', total_minor: '2004', currency: 'CHF' });
    const items = await h.sql<{ seat_id: string; price_minor: string; status: string }>('select seat_id, price_minor, status from booking_item where booking_id = ? order by seat_id', [booking!.id]);
    expect(items).toEqual([
      { seat_id: a, price_minor: '1999', status: 'PENDING' },
      { seat_id: b, price_minor: '5', status: 'PENDING' },
    ]);
    const [message] = await h.sql<{ payload: Record<string, unknown> }>(`select payload from outbox where type = 'booking.created' and payload->>'bookingId' = ?`, [booking!.id]);
    expect(message.payload).toEqual({
      bookingId: booking!.id,
      userId: 'one-statement-fan',
      eventId,
      seatIds: [a, b],
      totalMinor: 2004,
      totalAmount: fromMinorUnits(2004),
      currency: 'CHF',
      expiresAt: booking!.expiresAt.toISOString(),
      // Assigned as the statement committed, by the seat_change_pending trigger.
      seatMapVersion: expect.any(Number),
    });
    expect(message.payload.seatMapVersion).toBeGreaterThan(0);
    const [version] = await h.sql<{ seat_map_version: number }>('select seat_map_version from event_projection where event_id = ?', [eventId]);
    expect(Number(version.seat_map_version)).toBe(message.payload.seatMapVersion);
  });

  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [99, '0.99'],
    [100, '1.00'],
    [123_456_789, '1234567.89'],
  ])('writes totalAmount as fromMinorUnits does: %i minor units → %s', async (minor, amount) => {
    const { eventId, seatIds } = await h.publishEvent(1, { priceMinor: minor });
    const booking = await tryHold(`amount-${minor}`, eventId, seatIds);
    const [message] = await h.sql<{ payload: { totalAmount: string } }>(`select payload from outbox where payload->>'bookingId' = ?`, [booking!.id]);
    expect(message.payload.totalAmount).toBe(amount);
    expect(fromMinorUnits(minor)).toBe(amount);
  });

  describe('writes nothing, without waiting, when the transaction has something to decide', () => {
    const refusedQuickly = async (userId: string, eventId: string, seatIds: string[], key?: string) => {
      const started = Date.now();
      expect(await tryHold(userId, eventId, seatIds, key)).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(SETTINGS.lockTimeoutMs / 2);
      expect(await bookingsOf(userId)).toBe(0);
    };

    it('a requested seat is locked by another transaction (a buyer or a price update)', async () => {
      const { eventId, seatIds } = await h.publishEvent(2);
      const release = await holding((tx) => tx.execute('select 1 from seat_projection where event_id = ? and seat_id = ? for update', [eventId, seatIds[1]]));
      try {
        await refusedQuickly('busy-seat', eventId, seatIds);
      } finally {
        await release();
      }
      // Its other seat was not kept locked: once the lock is gone the hold goes through.
      expect(await tryHold('busy-seat', eventId, seatIds)).toBeDefined();
    });

    it('a requested seat is held, sold, or held past its expiry (the transaction expires it)', async () => {
      const { eventId, seatIds } = await h.publishEvent(4);
      expect(await tryHold('first-buyer', eventId, [seatIds[0]])).toBeDefined();
      await refusedQuickly('second-buyer', eventId, [seatIds[0], seatIds[1]]);
      const overdue = randomUUID();
      await h.sql(`insert into booking (id, user_id, event_id, status, total_minor, currency, expires_at) values (?, 'late', ?, 'PENDING', 2500, 'EUR', now() - interval '1 minute')`, [overdue, eventId]);
      await h.sql(`insert into booking_item (id, booking_id, event_id, seat_id, price_minor, status) values (?, ?, ?, ?, 2500, 'PENDING')`, [randomUUID(), overdue, eventId, seatIds[2]]);
      await refusedQuickly('after-the-late-one', eventId, [seatIds[2]]);
    });

    it('a requested seat is not a seat of the event', async () => {
      const { eventId, seatIds } = await h.publishEvent(1);
      await refusedQuickly('unknown-seat', eventId, [seatIds[0], randomUUID()]);
    });

    it('the event is unknown, cancelled, or sells under the lone-seat rule', async () => {
      await refusedQuickly('unknown-event', randomUUID(), [randomUUID()]);
      const prevent = await h.publishEvent(2);
      await h.sql(`update event_projection set single_seat_rule = 'PREVENT' where event_id = ?`, [prevent.eventId]);
      await refusedQuickly('lone-seat-rule', prevent.eventId, [prevent.seatIds[0]]);
      const cancelled = await h.publishEvent(1);
      await h.cancelEvent(cancelled.eventId);
      await refusedQuickly('cancelled-event', cancelled.eventId, cancelled.seatIds);
    });

    it("booking has not received all of the event's seats yet, or the event is in any state but ON_SALE", async () => {
      // The transaction answers these "not yet" (SERVICE_UNAVAILABLE) or BAD_USER_INPUT.
      const partial = await h.publishEvent(2);
      await h.sql('update event_projection set projected_seats = total_seats - 1 where event_id = ?', [partial.eventId]);
      await refusedQuickly('partly-projected', partial.eventId, [partial.seatIds[0]]);
      const offSale = await h.publishEvent(1);
      await h.sql(`update event_projection set status = 'SOLD_OUT' where event_id = ?`, [offSale.eventId]);
      await refusedQuickly('off-sale', offSale.eventId, offSale.seatIds);
    });

    it("the request's idempotency key was used already, or a duplicate of the request holds its lock", async () => {
      const { eventId, seatIds } = await h.publishEvent(3);
      expect(await tryHold('keyed-fan', eventId, [seatIds[0]], 'hold-1')).toBeDefined();
      const started = Date.now();
      expect(await tryHold('keyed-fan', eventId, [seatIds[1]], 'hold-1')).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(SETTINGS.lockTimeoutMs / 2);
      // The lock serializeKey takes (seat-lock.ts) for a duplicate in progress.
      const release = await holding((tx) => tx.execute('select pg_advisory_xact_lock(hashtextextended(? || chr(1) || ?, 0))', ['other-fan', 'hold-2']));
      try {
        await refusedQuickly('other-fan', eventId, [seatIds[2]], 'hold-2');
      } finally {
        await release();
      }
      expect(await tryHold('other-fan', eventId, [seatIds[2]], 'hold-2')).toBeDefined();
    });
  });

  /**
   * The statement never takes an event with the lone-seat rule (PREVENT, a new event's
   * default): createBooking does not try it for such an event once a transaction has seen the
   * rule, and tries it again once a transaction sees the rule gone.
   */
  it('is not tried for an event whose lone-seat rule a transaction has seen, and is tried again once the rule is gone', async () => {
    const outcomes = async () => Object.fromEntries((await oneStatementHolds().get()).values.map((v) => [String(v.labels.outcome), v.value]));
    const hold = async (user: string, eventId: string, seatId: string) => {
      const before = await outcomes();
      const res = await h.as({ sub: user })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatId] } });
      expect(errorCodes(res)).toEqual([]);
      const after = await outcomes();
      return Object.fromEntries(['made', 'declined', 'skipped'].map((o) => [o, (after[o] ?? 0) - (before[o] ?? 0)]));
    };
    const prevent = await h.publishEvent(4, { singleSeatRule: 'PREVENT' });
    // The first hold learns the rule from its transaction; the next ones do not try the statement.
    expect(await hold('rule-fan-1', prevent.eventId, prevent.seatIds[0])).toEqual({ made: 0, declined: 1, skipped: 0 });
    expect(await hold('rule-fan-2', prevent.eventId, prevent.seatIds[1])).toEqual({ made: 0, declined: 0, skipped: 1 });
    // The rule lifted: the next transaction sees it gone, and the statement is tried again.
    await h.sql(`update event_projection set single_seat_rule = 'ALLOW' where event_id = ?`, [prevent.eventId]);
    expect(await hold('rule-fan-3', prevent.eventId, prevent.seatIds[2])).toEqual({ made: 0, declined: 0, skipped: 1 });
    expect(await hold('rule-fan-4', prevent.eventId, prevent.seatIds[3])).toEqual({ made: 1, declined: 0, skipped: 0 });
    const allow = await h.publishEvent(1);
    expect(await hold('rule-fan-5', allow.eventId, allow.seatIds[0])).toEqual({ made: 1, declined: 0, skipped: 0 });
  });
});
