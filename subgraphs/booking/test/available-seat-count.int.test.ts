import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@eventix/events';
import { errorCodes, operations, waitFor } from '@eventix/testing';
import { initOrm } from '@eventix/subgraph-kit';
import { createTestDatabase } from '@eventix/testing';
import { bookingMigrations } from '../migrations';
import { bookingEntities } from '../src/server';
import { startBooking, type BookingHarness } from './booking-harness';

/**
 * availableSeatCount comes from a count of active items kept at commit by triggers, less the
 * items of overdue holds (Migration20261126040000). Every way a seat is taken or given back must
 * move it exactly as counting the event's items would: holds, payments, cancellations, holds
 * running out before and after the expiry worker, concurrent buyers, a cancelled event.
 */
describe('availableSeatCount from the kept count (real PostgreSQL and Kafka)', () => {
  // Long enough for the steps before a hold should run out, on a slow machine too.
  const HOLD_SECONDS = 5;
  let h: BookingHarness;
  beforeAll(async () => {
    h = await startBooking({ HOLD_TTL_SECONDS: String(HOLD_SECONDS), BOOKING_EXPIRY_INTERVAL_MS: '3600000' });
  });
  afterAll(() => h?.close());

  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event { availableSeatCount seatStates } } }`;

  /** What the subgraph answers: the count, and the seat-map snapshot's count. */
  async function served(eventId: string): Promise<number> {
    const res = await h.as({})<{ _entities: Array<{ availableSeatCount: number; seatStates: string }> }>(ENTITIES, { r: [{ __typename: 'Event', id: eventId }] });
    expect(res.errors).toBeUndefined();
    const [event] = res.data!._entities;
    expect((JSON.parse(event.seatStates) as { availableSeatCount: number }).availableSeatCount).toBe(event.availableSeatCount);
    return event.availableSeatCount;
  }

  /** The count by its definition: seats of the event neither sold nor under a live hold, counted item by item. */
  async function recounted(eventId: string): Promise<number> {
    const [row] = await h.sql<{ n: string }>(
      `select e.total_seats - (select count(*) from booking_item i join booking b on b.id = i.booking_id
                                where i.event_id = e.event_id
                                  and (i.status = 'CONFIRMED' or (i.status = 'PENDING' and b.expires_at > now()))) as n
         from event_projection e where e.event_id = ?`,
      [eventId],
    );
    return Number(row.n);
  }

  /** The kept count itself matches the event's active items (overdue holds included until expired). */
  async function expectCountKept(eventId: string): Promise<void> {
    const [row] = await h.sql<{ kept: number; counted: string }>(
      `select e.active_items as kept,
              (select count(*) from booking_item i where i.event_id = e.event_id and i.status in ('PENDING', 'CONFIRMED')) as counted
         from event_projection e where e.event_id = ?`,
      [eventId],
    );
    expect(row.kept).toBe(Number(row.counted));
  }

  async function expectAvailable(eventId: string, expected: number): Promise<void> {
    expect(await served(eventId)).toBe(expected);
    expect(await recounted(eventId)).toBe(expected);
    await expectCountKept(eventId);
  }

  async function hold(user: string, eventId: string, seatIds: string[]): Promise<string> {
    const res = await h.as({ sub: user })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } });
    expect(res.errors).toBeUndefined();
    return res.data!.createBooking.id;
  }

  async function pay(bookingId: string, amountMinor: number): Promise<void> {
    const success = createEnvelope({ type: 'payment.success', key: bookingId, payload: { paymentId: randomUUID(), bookingId, amountMinor, currency: 'EUR', providerTransactionId: `ch_${bookingId}` } });
    await h.transport.publish('payment.success', [success]);
    await waitFor(async () => ((await h.sql<{ status: string }>('select status from booking where id = ?', [bookingId]))[0]?.status === 'CONFIRMED' ? true : undefined), 20_000, 'the paid booking');
  }

  it('moves with holds, payments, cancellations and holds running out, as counting the items would', async () => {
    const { eventId, seatIds } = await h.publishEvent(30);
    await expectAvailable(eventId, 30);

    const ada = await hold('ada', eventId, seatIds.slice(0, 1));
    const ben = await hold('ben', eventId, seatIds.slice(1, 3));
    const cat = await hold('cat', eventId, seatIds.slice(3, 6));
    await expectAvailable(eventId, 24);

    await pay(ben, 5000); // held → sold: no change
    await expectAvailable(eventId, 24);

    const cancelled = await h.as({ sub: 'cat' })(operations.CancelBookingDocument, { id: cat });
    expect(cancelled.errors).toBeUndefined();
    await expectAvailable(eventId, 27);

    // Ada's hold runs out: its seat is available before the worker gets to it…
    await new Promise((resolve) => setTimeout(resolve, HOLD_SECONDS * 1000 + 200));
    expect(await served(eventId)).toBe(28);
    expect(await recounted(eventId)).toBe(28);
    // …and after (the item leaves the kept count, the overdue hold is gone).
    expect(await h.booking.expiry.runOnce()).toBeGreaterThanOrEqual(1);
    await expectAvailable(eventId, 28);
    expect((await h.sql<{ status: string }>('select status from booking where id = ?', [ada]))[0].status).toBe('EXPIRED');

    // A paid booking cancelled by its owner gives its seats back.
    const paidCancel = await h.as({ sub: 'ben' })(operations.CancelBookingDocument, { id: ben });
    expect(paidCancel.errors).toBeUndefined();
    await expectAvailable(eventId, 30);

    // A cancelled event has no seats open, whatever the count.
    await hold('dan', eventId, seatIds.slice(10, 12));
    await h.cancelEvent(eventId);
    expect(await served(eventId)).toBe(0);
    await expectCountKept(eventId);
  }, 60_000);

  it('stays exact under concurrent buyers, winners and losers alike', async () => {
    const { eventId, seatIds } = await h.publishEvent(120);
    // 60 buyers of one seat each, 40 more racing for 10 seats already wanted by others.
    const buyers = [
      ...seatIds.slice(0, 60).map((seat, i) => ({ user: `solo-${i}`, seats: [seat] })),
      ...Array.from({ length: 40 }, (_, i) => ({ user: `racer-${i}`, seats: [seatIds[i % 10], seatIds[60 + i]] })),
    ];
    const results = await Promise.all(buyers.map((b) => h.as({ sub: b.user })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: b.seats } })));
    const won = results.filter((r) => !r.errors);
    const lost = results.filter((r) => r.errors);
    for (const r of lost) expect(errorCodes(r)).toEqual(['SEAT_UNAVAILABLE']);
    const taken = won.reduce((sum, r) => sum + r.data!.createBooking.items.length, 0);
    expect(taken).toBeGreaterThanOrEqual(60);
    // Holds last seconds here: on a slow machine some of these may already have run out (and count
    // as available), and a racer that came later took the seat over — the overdue booking is
    // expired in the racer's transaction, its items leave the count (CI saw 10 of 80). The kept
    // count must hold every item taken and not taken over since (the expiry worker is off); what
    // is served must be what counting says at that moment.
    const [{ active_items: kept }] = await h.sql<{ active_items: number }>('select active_items from event_projection where event_id = ?', [eventId]);
    const [{ n: takenOver }] = await h.sql<{ n: string }>(`select count(*) as n from booking_item where event_id = ? and status not in ('PENDING', 'CONFIRMED')`, [eventId]);
    expect(kept).toBe(taken - Number(takenOver));
    await expectCountKept(eventId);
    const [served1, recount, served2] = [await served(eventId), await recounted(eventId), await served(eventId)];
    expect(recount).toBeLessThanOrEqual(served2);
    expect(recount).toBeGreaterThanOrEqual(served1);
    expect(served1).toBeGreaterThanOrEqual(120 - taken);
  }, 60_000);
});

describe('the active-item count on a database that already has bookings (real PostgreSQL)', () => {
  it('is counted from the existing items when the migration runs, and kept from then on', async () => {
    const db = await createTestDatabase('booking_count_upgrade');
    // Every migration up to the count's, as a database deployed before it has them.
    const countAt = bookingMigrations.findIndex((m) => m.name === 'Migration20261126040000_active_item_count');
    expect(countAt).toBeGreaterThan(0);
    const before = bookingMigrations.slice(0, countAt);
    const eventId = randomUUID();
    const item = (status: string) => ({ booking: randomUUID(), status });
    // Two sold, one held, one cancelled, one expired: three active items.
    const items = ['CONFIRMED', 'CONFIRMED', 'PENDING', 'CANCELLED', 'EXPIRED'].map(item);
    const old = await initOrm({ name: 'booking', clientUrl: db.url, entities: bookingEntities, migrations: before });
    try {
      const em = old.em.fork();
      await em.execute(`insert into event_projection (event_id, currency, status, price_version, total_seats, projected_seats) values (?, 'EUR', 'ON_SALE', 1, 10, 10)`, [eventId]);
      for (const { booking, status } of items) {
        await em.execute(`insert into booking (id, user_id, event_id, status, total_minor, currency, expires_at) values (?, 'fan', ?, ?, 2500, 'EUR', now() + interval '10 minutes')`, [booking, eventId, status]);
        await em.execute(`insert into booking_item (id, booking_id, event_id, seat_id, price_minor, status) values (?, ?, ?, ?, 2500, ?)`, [randomUUID(), booking, eventId, randomUUID(), status]);
      }
    } finally {
      await old.close();
    }
    const upgraded = await initOrm({ name: 'booking', clientUrl: db.url, entities: bookingEntities, migrations: bookingMigrations });
    try {
      const em = upgraded.em.fork();
      const count = async () => (await em.execute<Array<{ active_items: number }>>('select active_items from event_projection where event_id = ?', [eventId]))[0].active_items;
      expect(await count()).toBe(3);
      await em.execute(`update booking_item set status = 'CANCELLED' where booking_id = ?`, [items[2].booking]);
      expect(await count()).toBe(2);
    } finally {
      await upgraded.close();
      await db.drop();
    }
  });
});
