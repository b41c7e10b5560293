import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createEnvelope } from '@eventix/events';
import { errorCodes, operations } from '@eventix/testing';
import { holdLocks, startBooking, type BookingHarness } from './booking-harness';
import { createBookingRoutes } from '../src/booking/create-booking.metrics';

/**
 * How createBooking answers buyers of a seat another transaction holds (create-booking.ts): they
 * never queue for the seat's lock, they wait only until its holder has ended, then they are
 * answered from what it left — SEAT_UNAVAILABLE for a seat it took, the seat for a seat it
 * did not take. "Another transaction" is played here by a transaction of the test's own that
 * locks the seat row exactly as a buyer does, so the test decides when it ends.
 */
describe('createBooking: buyers of a busy seat (real PostgreSQL)', () => {
  let h: BookingHarness;
  beforeAll(async () => {
    h = await startBooking({ MAX_SEATS_PER_BOOKING: '10', BOOKING_LOCK_TIMEOUT_MS: '10000' });
  });
  afterAll(() => h.close());

  const lockHolder = (lock: (tx: EntityManager) => Promise<unknown>, onCommit: (tx: EntityManager) => Promise<unknown>) => holdLocks(h, lock, onCommit);

  /** A transaction holding `seatId`'s row lock until `end` is called (on commit it takes the seat). */
  const holder = (eventId: string, seatId: string) =>
    lockHolder(
      (tx) => tx.execute('select seat_id from seat_projection where event_id = ? and seat_id = ? for update', [eventId, seatId]),
      (tx) => takeSeat(tx, eventId, seatId),
    );

  /**
   * A transaction holding the idempotency-key lock of `user`'s requests under `key` until `end`
   * is called: such a request stays in flight, trying for its seats (not waiting on seats others
   * hold, when it would withdraw — in-flight-holds.ts). On commit it takes `seatId` for someone else.
   */
  const keyHolder = (user: string, key: string, eventId?: string, seatId?: string) =>
    lockHolder(
      // The lock createBooking's serializeKey takes (seat-lock.ts).
      (tx) => tx.execute('select pg_advisory_xact_lock(hashtextextended(? || chr(1) || ?, 0))', [user, key]),
      async (tx) => {
        if (eventId && seatId) await takeSeat(tx, eventId, seatId);
      },
    );

  /** What a winning buyer writes: an active hold on the seat. */
  async function takeSeat(tx: EntityManager, eventId: string, seatId: string) {
    const bookingId = randomUUID();
    await tx.execute(
      `insert into booking (id, user_id, event_id, status, total_minor, currency, expires_at) values (?, 'holder', ?, 'PENDING', 2500, 'EUR', now() + interval '10 minutes')`,
      [bookingId, eventId],
    );
    await tx.execute(`insert into booking_item (id, booking_id, event_id, seat_id, price_minor, status) values (?, ?, ?, ?, 2500, 'PENDING')`, [randomUUID(), bookingId, eventId, seatId]);
  }

  const book = (user: string, eventId: string, seatIds: string[]) =>
    h.as({ sub: user })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } });

  /** Resolves to the settled answers so far, after `ms`. */
  const settledAfter = async <T>(promises: Array<Promise<T>>, ms: number) => {
    const settled = new Set<number>();
    promises.forEach((p, i) => void p.then(() => settled.add(i), () => settled.add(i)));
    await new Promise((r) => setTimeout(r, ms));
    return settled.size;
  };

  it('answers every buyer SEAT_UNAVAILABLE once the holder commits its hold — none before, none with another code', async () => {
    const { eventId, seatIds } = await h.publishEvent(3);
    const seat = seatIds[0];
    const other = await holder(eventId, seat);
    const answers = Array.from({ length: 24 }, (_, i) => book(`loser-${i}`, eventId, [seat]));
    // They wait for the holder (no refusal for a seat that might yet be free)…
    expect(await settledAfter(answers, 500)).toBe(0);
    await other.end(true);
    // …and the moment it has committed, every one of them learns the seat is taken.
    const results = await Promise.all(answers);
    expect(results.map((r) => errorCodes(r).join(','))).toEqual(Array(24).fill('SEAT_UNAVAILABLE'));
    expect(results.every((r) => (r.errors![0].extensions?.seatIds as string[]).includes(seat))).toBe(true);
  });

  it('gives the seat to exactly one buyer when the holder rolls back (a busy seat is not refused while it may be free)', async () => {
    const { eventId, seatIds } = await h.publishEvent(3);
    const seat = seatIds[1];
    const other = await holder(eventId, seat);
    const answers = Array.from({ length: 24 }, (_, i) => book(`second-chance-${i}`, eventId, [seat]));
    expect(await settledAfter(answers, 500)).toBe(0);
    await other.end(false);
    const results = await Promise.all(answers);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(new Set(results.filter((r) => r.errors).map((r) => errorCodes(r).join(',')))).toEqual(new Set(['SEAT_UNAVAILABLE']));
    const active = await h.sql<{ n: string }>(`select count(*) as n from booking_item where event_id = ? and seat_id = ? and status in ('PENDING', 'CONFIRMED')`, [eventId, seat]);
    expect(Number(active[0].n)).toBe(1);
  });

  it('under the lone-seat rule, a buyer whose row another buyer is busy in gets a free seat once that buyer is done', async () => {
    // One row of six seats, PREVENT: a booking locks the whole row of its seats.
    const eventId = randomUUID();
    const row = Array.from({ length: 6 }, (_, i) => ({ seatId: randomUUID(), priceMinor: 2500, sectionId: eventId, row: 'A', number: i + 1, x: i, y: 0 }));
    await h.booking.projection.handle(
      createEnvelope({
        type: 'catalog.event-published',
        key: eventId,
        version: 2,
        payload: { eventId, currency: 'EUR', priceVersion: 1, part: 1, parts: 1, totalSeats: 6, singleSeatRule: 'PREVENT', seats: row },
      }),
    );
    // The other buyer holds seat 1 (and, as a row lock, seat 6); ours wants seat 6.
    const other = await holder(eventId, row[0].seatId);
    const ours = book('row-neighbour', eventId, [row[5].seatId]);
    expect(await settledAfter([ours], 300)).toBe(0);
    await other.end(true);
    const result = await ours;
    expect(errorCodes(result)).toEqual([]);
    expect(result.data!.createBooking.id).toBeDefined();
  });

  it('answers SERVICE_UNAVAILABLE (retryable) when the holder outlasts the lock timeout, and holds nothing', async () => {
    const quick = await startBooking({ BOOKING_LOCK_TIMEOUT_MS: '300' }, h);
    try {
      const { eventId, seatIds } = await h.publishEvent(2);
      const other = await holder(eventId, seatIds[0]);
      const result = await quick.as({ sub: 'impatient' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0]] } });
      await other.end(false);
      expect(errorCodes(result)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(await h.sql('select 1 from booking where user_id = ?', ['impatient'])).toEqual([]);
    } finally {
      await quick.close();
    }
  });

  /** createBooking requests decided so far, by route (create-booking.metrics.ts). */
  async function routes(): Promise<Record<string, number>> {
    const { values } = await createBookingRoutes().get();
    return Object.fromEntries(values.map((v) => [String(v.labels.route), v.value]));
  }
  const delta = (before: Record<string, number>, after: Record<string, number>, route: string) => (after[route] ?? 0) - (before[route] ?? 0);

  it('decides a burst of buyers of one seat in the database once and answers the others from that: one winner, every other SEAT_UNAVAILABLE', async () => {
    const { eventId, seatIds } = await h.publishEvent(2);
    const seat = seatIds[0];
    const before = await routes();
    const results = await Promise.all(Array.from({ length: 48 }, (_, i) => book(`burst-${i}`, eventId, [seat])));
    const after = await routes();
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    const losers = results.filter((r) => r.errors);
    expect(losers.map((r) => errorCodes(r).join(','))).toEqual(Array(47).fill('SEAT_UNAVAILABLE'));
    expect(losers.every((r) => (r.errors![0].extensions?.seatIds as string[]).includes(seat))).toBe(true);
    const active = await h.sql<{ n: string }>(`select count(*) as n from booking_item where event_id = ? and seat_id = ? and status in ('PENDING', 'CONFIRMED')`, [eventId, seat]);
    expect(Number(active[0].n)).toBe(1);
    expect(delta(before, after, 'database') + delta(before, after, 'in_flight')).toBe(48);
    expect(delta(before, after, 'in_flight')).toBeGreaterThan(0);
  });

  it('answers buyers who arrived while the winning hold was being written from that hold, without going to the database', async () => {
    const { eventId, seatIds } = await h.publishEvent(2);
    const seat = seatIds[0];
    // The winner's hold is written, then waits to commit: its deferred trigger bumps the event's
    // seat map version, whose row this transaction has locked.
    const versionRow = await holdLocks(h, (tx) => tx.execute('select event_id from event_projection where event_id = ? for update', [eventId]));
    const winner = book('first-in', eventId, [seat]);
    await new Promise((r) => setTimeout(r, 200));
    const before = await routes();
    // These arrive after the winner's statement was sent: they wait for it in this process.
    const losers = Array.from({ length: 24 }, (_, i) => book(`arrived-later-${i}`, eventId, [seat]));
    expect(await settledAfter([winner, ...losers], 300)).toBe(0);
    await versionRow.end(false);
    expect(errorCodes(await winner)).toEqual([]);
    const results = await Promise.all(losers);
    expect(results.map((r) => errorCodes(r).join(','))).toEqual(Array(24).fill('SEAT_UNAVAILABLE'));
    // The hold is theirs to be refused by from its commit on: none of them asks the database again.
    const after = await routes();
    expect(delta(before, after, 'in_flight')).toBe(24);
    expect(delta(before, after, 'database')).toBe(0);
  });

  it('sends buyers waiting on a request in flight to the database when that request did not take their seat', async () => {
    const { eventId, seatIds } = await h.publishEvent(3);
    const [wanted, contested] = seatIds;
    // The first buyer wants both seats; another transaction holds its idempotency key's lock and
    // will take the second seat, so that buyer stays in flight — and every buyer of the first
    // seat waits for it in this process.
    const other = await keyHolder('wants-both', 'hold-both', eventId, contested);
    const before = await routes();
    const first = h.as({ sub: 'wants-both' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [wanted, contested], idempotencyKey: 'hold-both' } });
    await new Promise((r) => setTimeout(r, 100));
    const answers = Array.from({ length: 24 }, (_, i) => book(`wants-one-${i}`, eventId, [wanted]));
    expect(await settledAfter([first, ...answers], 300)).toBe(0);
    // Only the first buyer has gone to the database; the others wait for it.
    expect(delta(before, await routes(), 'database')).toBe(1);
    // The other transaction takes the second seat: the first buyer is refused that seat only…
    await other.end(true);
    const refused = await first;
    expect(errorCodes(refused)).toEqual(['SEAT_UNAVAILABLE']);
    expect(refused.errors![0].extensions?.seatIds).toEqual([contested]);
    // …which says nothing about the first seat: the database gives it to exactly one buyer.
    const results = await Promise.all(answers);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(new Set(results.filter((r) => r.errors).map((r) => errorCodes(r).join(',')))).toEqual(new Set(['SEAT_UNAVAILABLE']));
  });

  it('gives a retried keyed request its own booking back, even while a rival buyer of the seat is in flight', async () => {
    const { eventId, seatIds } = await h.publishEvent(2);
    const seat = seatIds[0];
    const fan = h.as({ sub: 'retrying-fan' });
    const input = { eventId, seatIds: [seat], idempotencyKey: 'hold-once' };
    const first = await fan(operations.CreateBookingWithSeatIdsDocument, { input });
    expect(errorCodes(first)).toEqual([]);
    // A rival is kept in flight by another transaction holding its own key's lock…
    const other = await keyHolder('rival', 'rival-hold');
    const rival = h.as({ sub: 'rival' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seat], idempotencyKey: 'rival-hold' } });
    await new Promise((r) => setTimeout(r, 100));
    // …when the fan's client, which never saw the first answer, sends the same request again.
    const retry = fan(operations.CreateBookingWithSeatIdsDocument, { input });
    expect(await settledAfter([rival, retry], 300)).toBe(0);
    await other.end(false);
    // The rival finds the seat taken (by the fan); the fan gets its booking, not a refusal.
    expect(errorCodes(await rival)).toEqual(['SEAT_UNAVAILABLE']);
    const replayed = await retry;
    expect(errorCodes(replayed)).toEqual([]);
    expect(replayed.data!.createBooking.id).toBe(first.data!.createBooking.id);
  });

  /**
   * Another transaction is busy with one seat and a buyer of both seats waits for it. That wait
   * must not keep a buyer of the free seat waiting too — on another booking process (the wait
   * holds no lock on the free seat) nor on the same one (the waiting request tries for neither
   * seat meanwhile, so it leaves the in-flight map: in-flight-holds.ts). The neighbour, through
   * `neighbour`, gets the seat while the other transaction still runs; the waiting buyer then
   * finds both seats taken.
   */
  async function expectFreeSeatServedWhileBuyerWaits(neighbour: BookingHarness, buyer: string) {
    const { eventId, seatIds } = await h.publishEvent(3);
    // Seats are locked in id order: the free seat comes first, so a wait on both seats would
    // hold it (shared) while it waits for the busy one.
    const [freeSeat, busySeat] = seatIds;
    const other = await holder(eventId, busySeat);
    const waiting = book(`${buyer}-wants-both`, eventId, [busySeat, freeSeat]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await settledAfter([waiting], 0)).toBe(0);
    const served = neighbour.as({ sub: `${buyer}-wants-free` })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [freeSeat] } });
    expect(await settledAfter([served], 1000)).toBe(1);
    expect(errorCodes(await served)).toEqual([]);
    await other.end(true);
    const refused = await waiting;
    expect(errorCodes(refused)).toEqual(['SEAT_UNAVAILABLE']);
    expect([...(refused.errors![0].extensions?.seatIds as string[])].sort()).toEqual([busySeat, freeSeat].sort());
  }

  it('lets a buyer of another booking process take a seat that a waiting buyer wants but nobody holds', async () => {
    // Two booking processes on one database (each with its own pool and requests in flight).
    const second = await startBooking({ MAX_SEATS_PER_BOOKING: '10', BOOKING_LOCK_TIMEOUT_MS: '10000' }, h);
    try {
      await expectFreeSeatServedWhileBuyerWaits(second, 'there');
    } finally {
      await second.close();
    }
  });

  it('lets a buyer of the same booking process take a seat that a waiting buyer wants but nobody holds', () => expectFreeSeatServedWhileBuyerWaits(h, 'here'));
});
