import { errorCodes, operations } from '@eventix/testing';
import { startBooking, type BookingHarness } from './booking-harness';

/**
 * The one thing that must never happen: a seat held or sold twice. These races run real
 * concurrent HTTP clients against the real subgraph and PostgreSQL.
 */
describe('createBooking under contention (real PostgreSQL)', () => {
  let h: BookingHarness;
  beforeAll(async () => {
    // The lock timeout is a timing knob, and these are correctness tests: with the whole suite
    // running beside them on two slow cores, a round's winner has taken more than the default
    // 5 s to commit, and a loser waiting on its seat was told "try again" (SERVICE_UNAVAILABLE,
    // truthful but not what these rounds check).
    h = await startBooking({ MAX_SEATS_PER_BOOKING: '10', BOOKING_LOCK_TIMEOUT_MS: '30000' });
  });
  afterAll(() => h.close());

  const activeItems = async (eventId: string, seatId: string) =>
    Number(
      (await h.sql<{ n: string }>(`select count(*) as n from booking_item where event_id = ? and seat_id = ? and status in ('PENDING', 'CONFIRMED')`, [eventId, seatId]))[0].n,
    );

  // 4,000 real requests: a correctness test, not a timing one, so a slow CI machine gets time.
  it('lets exactly one of 200 concurrent users hold a seat, 20 races in a row', async () => {
    const { eventId, seatIds } = await h.publishEvent(20);
    for (let round = 0; round < 20; round++) {
      const seat = seatIds[round];
      const users = Array.from({ length: 200 }, (_, i) => h.as({ sub: `racer-${round}-${i}` }));
      const results = await Promise.all(users.map((request) => request(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seat] } })));
      const won = results.filter((r) => !r.errors);
      const codes = results.filter((r) => r.errors).map((r) => errorCodes(r).join(','));
      expect({ round, won: won.length, lost: codes.length }).toEqual({ round, won: 1, lost: 199 });
      expect(new Set(codes)).toEqual(new Set(['SEAT_UNAVAILABLE']));
      expect(results.filter((r) => r.errors).every((r) => (r.errors![0].extensions?.seatIds as string[]).includes(seat))).toBe(true);
      expect(await activeItems(eventId, seat)).toBe(1);
    }
  }, 180_000);

  it('never deadlocks or double-holds on rings of overlapping multi-seat bookings', async () => {
    for (const ringSize of [3, 5, 10]) {
      for (let round = 0; round < 10; round++) {
        const { eventId, seatIds } = await h.publishEvent(ringSize);
        // User i wants seats i and i+1 (mod n): A: 1,2 — B: 2,3 — C: 3,1 for n = 3. Each user
        // lists them in a different order, so only the server's lock order prevents deadlock.
        const wants = seatIds.map((_, i) => (i % 2 ? [seatIds[i], seatIds[(i + 1) % ringSize]] : [seatIds[(i + 1) % ringSize], seatIds[i]]));
        const results = await Promise.all(wants.map((seats, i) => h.as({ sub: `ring-${ringSize}-${round}-${i}` })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: seats } })));
        const errors = results.flatMap((r) => errorCodes(r));
        expect(errors.every((code) => code === 'SEAT_UNAVAILABLE')).toBe(true);
        expect(results.some((r) => !r.errors)).toBe(true);
        const held = results.flatMap((r, i) => (r.errors ? [] : wants[i]));
        expect(new Set(held).size).toBe(held.length);
        for (const seat of seatIds) expect(await activeItems(eventId, seat)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('holds nothing twice when the same idempotency key races itself', async () => {
    const { eventId, seatIds } = await h.publishEvent(2);
    const fan = h.as({ sub: 'double-clicker' });
    const results = await Promise.all(Array.from({ length: 10 }, () => fan(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds, idempotencyKey: 'click-1' } })));
    expect(results.flatMap((r) => errorCodes(r))).toEqual([]);
    expect(new Set(results.map((r) => r.data!.createBooking.id)).size).toBe(1);
    expect(Number((await h.sql<{ n: string }>('select count(*) as n from booking where event_id = ?', [eventId]))[0].n)).toBe(1);
  });
  it('numbers the seat map changes of concurrent bookings and cancellations 1…n without gaps or repeats, in the change log and in the messages', async () => {
    const { eventId, seatIds } = await h.publishEvent(48);
    // 48 buyers of different seats and 16 cancellations of some of them, all at once.
    const holds = await Promise.all(seatIds.map((seat, i) => h.as({ sub: `version-${i}` })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seat] } })));
    expect(holds.flatMap((r) => errorCodes(r))).toEqual([]);
    const cancels = await Promise.all(
      holds.slice(0, 16).map((r, i) => h.as({ sub: `version-${i}` })(operations.CancelBookingDocument, { id: r.data!.createBooking.id })),
    );
    expect(cancels.flatMap((r) => errorCodes(r))).toEqual([]);
    const changes = 48 + 16;
    const [event] = await h.sql<{ seat_map_version: string }>('select seat_map_version from event_projection where event_id = ?', [eventId]);
    expect(Number(event.seat_map_version)).toBe(changes);
    const logged = await h.sql<{ version: string }>('select version from seat_change_log where event_id = ? order by version', [eventId]);
    expect(logged.map((r) => Number(r.version))).toEqual(Array.from({ length: changes }, (_, i) => i + 1));
    // The messages carry the same versions, each once (the outbox's seq is insertion order, not commit order).
    const messages = await h.sql<{ v: string }>(
      `select (payload->>'seatMapVersion') as v from outbox where message_key = ? and payload->'seatMapVersion' is not null`,
      [eventId],
    );
    expect(messages.map((m) => Number(m.v)).sort((a, b) => a - b)).toEqual(Array.from({ length: changes }, (_, i) => i + 1));
    expect(await h.sql('select * from seat_change_pending')).toEqual([]);
  }, 60_000);
});
