import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@eventix/events';
import { errorCodes, operations, waitFor } from '@eventix/testing';
import { startBooking, type BookingHarness } from './booking-harness';

describe('booking subgraph (real PostgreSQL and Kafka)', () => {
  let h: BookingHarness;
  beforeAll(async () => {
    // The expiry worker is kept out of the way here; expiry has its own tests below.
    h = await startBooking({ BOOKING_EXPIRY_INTERVAL_MS: '3600000' });
  });
  afterAll(() => h.close());

  describe('createBooking', () => {
    it('holds seats with the total from the projection prices, and announces it keyed by the event', async () => {
      const { eventId, seatIds } = await h.publishEvent(5, { priceMinor: 1999 });
      const res = await h.as({ sub: 'alice' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[2], seatIds[0]] } });
      expect(res.errors).toBeUndefined();
      const booking = res.data!.createBooking;
      expect(booking).toMatchObject({ status: 'PENDING', totalAmount: '39.98', currency: 'EUR', event: { id: eventId } });
      expect(booking.items.map((i) => i.seat.id)).toEqual([seatIds[0], seatIds[2]]);
      const ttl = new Date(booking.expiresAt).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(590_000);
      expect(ttl).toBeLessThanOrEqual(600_000);
      h.booking.relay.nudge();
      const message = await waitFor(() => h.published.find((m) => m.type === 'booking.created' && (m.payload as { bookingId: string }).bookingId === booking.id), 20_000, 'booking.created');
      expect(message.key).toBe(eventId);
      expect(message.version).toBe(1);
      expect(message.id).not.toBe(eventId);
      expect(message.payload).toMatchObject({ userId: 'alice', eventId, seatIds: [seatIds[0], seatIds[2]], totalMinor: 3998, totalAmount: '39.98', currency: 'EUR', seatMapVersion: 1 });
    });

    it('returns the same booking for the same idempotency key, and refuses the key for other seats', async () => {
      const { eventId, seatIds } = await h.publishEvent(3);
      const bob = h.as({ sub: 'bob' });
      const first = await bob(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0]], idempotencyKey: 'k1' } });
      const again = await bob(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0]], idempotencyKey: 'k1' } });
      expect(again.data!.createBooking.id).toBe(first.data!.createBooking.id);
      const other = await bob(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[1]], idempotencyKey: 'k1' } });
      expect(errorCodes(other)).toEqual(['BAD_USER_INPUT']);
      expect(other.errors![0].extensions?.field).toBe('idempotencyKey');
      // Another user's key is theirs alone.
      const carol = await h.as({ sub: 'carol' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[1]], idempotencyKey: 'k1' } });
      expect(carol.errors).toBeUndefined();
    });

    it('refuses bad requests without holding anything', async () => {
      const { eventId, seatIds } = await h.publishEvent(12);
      const other = await h.publishEvent(1);
      const dave = h.as({ sub: 'dave' });
      const cases: Array<[operations.CreateBookingInput, string, string?]> = [
        [{ eventId: '00000000-0000-4000-8000-000000000000', seatIds: [seatIds[0]] }, 'SERVICE_UNAVAILABLE'],
        [{ eventId, seatIds: [] }, 'BAD_USER_INPUT', 'seatIds'],
        [{ eventId, seatIds: [seatIds[0], seatIds[0]] }, 'BAD_USER_INPUT', 'seatIds'],
        [{ eventId, seatIds: seatIds.slice(0, 11) }, 'BAD_USER_INPUT', 'seatIds'],
        [{ eventId, seatIds: [other.seatIds[0]] }, 'BAD_USER_INPUT', 'seatIds'],
        [{ eventId, seatIds: ['not-a-seat'] }, 'BAD_USER_INPUT', 'seatIds'],
        [{ eventId: 'x', seatIds: [seatIds[0]] }, 'BAD_USER_INPUT', 'eventId'],
      ];
      for (const [input, code, field] of cases) {
        const res = await dave(operations.CreateBookingWithSeatIdsDocument, { input });
        expect({ input, codes: errorCodes(res) }).toEqual({ input, codes: [code] });
        if (field) expect(res.errors![0].extensions?.field).toBe(field);
        expect(JSON.stringify(res.errors)).not.toMatch(/select|insert|syntax|stack/i);
      }
      await h.cancelEvent(eventId);
      expect(errorCodes(await dave(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0]] } }))).toEqual(['BAD_USER_INPUT']);
      expect(Number((await h.sql<{ n: string }>('select count(*) as n from booking where user_id = ?', ['dave']))[0].n)).toBe(0);
    });

    it('needs a signed-in user', async () => {
      const { eventId, seatIds } = await h.publishEvent(1);
      expect(errorCodes(await h.as({})(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } }))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('cancelBooking, booking and myBookings', () => {
    it('lets the owner cancel, which releases the seats for someone else', async () => {
      const { eventId, seatIds } = await h.publishEvent(1);
      const erin = h.as({ sub: 'erin' });
      const created = await erin(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } });
      const id = created.data!.createBooking.id;
      expect(errorCodes(await h.as({ sub: 'frank' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } }))).toEqual(['SEAT_UNAVAILABLE']);
      expect(errorCodes(await h.as({ sub: 'mallory' })(operations.CancelBookingDocument, { id }))).toEqual(['NOT_FOUND']);
      const cancelled = await erin(operations.CancelBookingDocument, { id });
      expect(cancelled.data!.cancelBooking).toEqual({ id, status: 'CANCELLED', cancellationReason: 'USER' });
      expect(errorCodes(await erin(operations.CancelBookingDocument, { id }))).toEqual(['INVALID_BOOKING_STATE']);
      expect((await h.as({ sub: 'frank' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } })).errors).toBeUndefined();
      h.booking.relay.nudge();
      const message = await waitFor(() => h.published.find((m) => m.type === 'booking.cancelled' && (m.payload as { bookingId: string }).bookingId === id), 20_000, 'booking.cancelled');
      expect(message.payload).toMatchObject({ reason: 'USER', refundRequested: false, seatIds, eventId });
    });

    it('shows a booking to its owner and bookings:admin only', async () => {
      const { eventId, seatIds } = await h.publishEvent(1);
      const created = await h.as({ sub: 'gina' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } });
      const id = created.data!.createBooking.id;
      expect((await h.as({ sub: 'gina' })(operations.BookingStateDocument, { id })).data!.booking!.id).toBe(id);
      expect((await h.as({ sub: 'harry' })(operations.BookingStateDocument, { id })).data!.booking).toBeNull();
      expect((await h.as({ sub: 'ops', permissions: ['bookings:admin'] })(operations.BookingStateDocument, { id })).data!.booking!.id).toBe(id);
      expect(errorCodes(await h.as({})(operations.BookingStateDocument, { id }))).toEqual(['UNAUTHENTICATED']);
    });

    it('pages through my bookings, newest first, and nobody else’s', async () => {
      const { eventId, seatIds } = await h.publishEvent(5);
      const ivy = h.as({ sub: 'ivy' });
      const ids: string[] = [];
      for (const seat of seatIds) ids.push((await ivy(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seat] } })).data!.createBooking.id);
      await h.as({ sub: 'jack' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId: (await h.publishEvent(1)).eventId, seatIds: [] } });
      const page1 = await ivy(operations.MyBookingIdsDocument, { first: 3 });
      expect(page1.data!.myBookings.edges.map((e) => e.node.id)).toEqual(ids.slice(2).reverse());
      expect(page1.data!.myBookings.pageInfo.hasNextPage).toBe(true);
      const page2 = await ivy(operations.MyBookingIdsDocument, { first: 3, after: page1.data!.myBookings.pageInfo.endCursor });
      expect(page2.data!.myBookings.edges.map((e) => e.node.id)).toEqual(ids.slice(0, 2).reverse());
      expect(page2.data!.myBookings.pageInfo.hasNextPage).toBe(false);
      expect(errorCodes(await ivy(operations.MyBookingIdsDocument, { after: 'garbage' }))).toEqual(['BAD_USER_INPUT']);
    });
  });

  it('closes sales when the event starts: no new hold by either path, its seats NOT_ON_SALE, no seats left; a paid booking can no longer be cancelled', async () => {
    const startsAt = new Date(Date.now() + 2_000);
    const { eventId, seatIds } = await h.publishEvent(4, { startsAt: startsAt.toISOString() });
    const hold = (sub: string, seat: string) => h.as({ sub })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seat] } });
    expect((await hold('early-fan', seatIds[0])).errors).toBeUndefined();
    // Two more made before the start: one paid (confirmed), one still a hold.
    const paidId = (await hold('paid-fan', seatIds[2])).data!.createBooking.id;
    await h.sql(`update booking set status = 'CONFIRMED' where id = ?`, [paidId]);
    await h.sql(`update booking_item set status = 'CONFIRMED' where booking_id = ?`, [paidId]);
    const heldId = (await hold('holding-fan', seatIds[3])).data!.createBooking.id;
    // Until PostgreSQL's clock has passed the start (the rule is read there).
    await waitFor(async () => ((await h.sql<{ started: boolean }>('select now() >= ?::timestamptz as started', [startsAt.toISOString()]))[0].started ? true : undefined), 10_000, 'the start');
    const late = await hold('late-fan', seatIds[1]);
    expect(errorCodes(late)).toEqual(['BAD_USER_INPUT']);
    expect(late.errors![0]).toMatchObject({ message: 'eventId: this event has started; its sales are closed', extensions: { field: 'eventId' } });
    expect(await h.sql('select 1 from booking where user_id = ?', ['late-fan'])).toEqual([]);
    // Inline: _entities is the gateway's entity resolution, not part of the public API schema.
    const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event { availableSeatCount } ... on Seat { availability } } }`;
    const r = [{ __typename: 'Event', id: eventId }, ...seatIds.map((id) => ({ __typename: 'Seat', id }))];
    const entities = (await h.as({})<{ _entities: Array<Record<string, unknown>> }>(ENTITIES, { r })).data!._entities;
    // The sold seat stays SOLD (its ticket is good for the show); every other seat is off sale.
    expect(entities).toEqual([{ availableSeatCount: 0 }, ...seatIds.map((id) => ({ availability: id === seatIds[2] ? 'SOLD' : 'NOT_ON_SALE' }))]);

    // A no-show must not get the money back after the show: the paid booking stays CONFIRMED.
    const refused = await h.as({ sub: 'paid-fan' })(operations.CancelBookingDocument, { id: paidId });
    expect(errorCodes(refused)).toEqual(['INVALID_BOOKING_STATE']);
    expect(refused.errors![0].message).toMatch(/^This event started at .*; its bookings can no longer be cancelled$/);
    expect(refused.errors![0].extensions?.startsAt).toBe(startsAt.toISOString());
    expect(await h.sql('select status from booking where id = ?', [paidId])).toEqual([{ status: 'CONFIRMED' }]);
    // A hold (nothing paid) can still be let go — and its seat does not come back on sale: live
    // maps (the change log that feeds them and its message) say NOT_ON_SALE, as reads do.
    expect((await h.as({ sub: 'holding-fan' })(operations.CancelBookingDocument, { id: heldId })).errors).toBeUndefined();
    const [logged] = await h.sql<{ seats: unknown }>('select seats from seat_change_log where event_id = ? order by version desc limit 1', [eventId]);
    expect(logged.seats).toEqual([{ seatId: seatIds[3], availability: 'NOT_ON_SALE' }]);
    const [message] = await h.sql<{ payload: { salesClosed?: boolean } }>(`select payload from outbox where type = 'booking.cancelled' and payload->>'bookingId' = ?`, [heldId]);
    expect(message.payload.salesClosed).toBe(true);
  });

  it('cancels every live booking of a cancelled concert (EVENT_CANCELLED), asking for refunds of paid ones', async () => {
    const { eventId, seatIds } = await h.publishEvent(3);
    const ids: string[] = [];
    for (const [i, seat] of seatIds.entries()) ids.push((await h.as({ sub: `concert-fan-${i}` })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seat] } })).data!.createBooking.id);
    await h.sql(`update booking set status = 'CONFIRMED' where id = ?`, [ids[0]]);
    await h.sql(`update booking_item set status = 'CONFIRMED' where booking_id = ?`, [ids[0]]);
    await h.cancelEvent(eventId);
    const rows = await h.sql<{ id: string; status: string; cancellation_reason: string }>(`select id, status, cancellation_reason from booking where event_id = ? order by id`, [eventId]);
    expect(rows.map((r) => [r.status, r.cancellation_reason])).toEqual(ids.map(() => ['CANCELLED', 'EVENT_CANCELLED']));
    h.booking.relay.nudge();
    const refund = await waitFor(() => h.published.find((m) => m.type === 'booking.cancelled' && (m.payload as { bookingId: string }).bookingId === ids[0]), 20_000, 'the cancellation of the paid booking');
    expect(refund.payload).toMatchObject({ reason: 'EVENT_CANCELLED', refundRequested: true });
  });

  it('confirms once and issues one set of tickets when payment.success is delivered twice', async () => {
    const { eventId, seatIds } = await h.publishEvent(2);
    const created = await h.as({ sub: 'twice-paid' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } });
    const bookingId = created.data!.createBooking.id;
    const success = createEnvelope({
      type: 'payment.success',
      key: bookingId,
      payload: { paymentId: randomUUID(), bookingId, amountMinor: 5000, currency: 'EUR', providerTransactionId: 'ch_test' },
    });
    // The same message twice, through the real transport, as an at-least-once redelivery would.
    await h.transport.publish('payment.success', [success]);
    await h.transport.publish('payment.success', [success]);
    const tickets = await waitFor(async () => {
      const rows = await h.sql<{ id: string }>('select id from ticket where booking_id = ?', [bookingId]);
      return rows.length ? rows : undefined;
    }, 20_000, 'the tickets');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await h.sql<{ id: string }>('select id from ticket where booking_id = ?', [bookingId])).length).toBe(tickets.length);
    expect(tickets).toHaveLength(2);
    const [booking] = await h.sql<{ status: string }>('select status from booking where id = ?', [bookingId]);
    expect(booking.status).toBe('CONFIRMED');
    const confirmations = await h.sql<{ n: string }>(`select count(*) as n from outbox where type = 'booking.confirmed' and payload->>'bookingId' = ?`, [bookingId]);
    expect(confirmations[0].n).toBe('1');
  });

  describe('federation', () => {
    it('resolves Event and Seat availability for N representations with a constant number of queries', async () => {
      const { eventId, seatIds } = await h.publishEvent(60);
      await h.as({ sub: 'kim' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0], seatIds[1]] } });
      // Inline: _entities is the gateway's entity resolution, not part of the public API schema the typed operations are checked against.
      const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event { availableSeatCount seatMapVersion } ... on Seat { id availability } } }`;
      const run = async (n: number) => {
        const r = [{ __typename: 'Event', id: eventId }, ...seatIds.slice(0, n).map((id) => ({ __typename: 'Seat', id }))];
        h.queries.length = 0;
        const res = await h.as({})<{ _entities: Array<Record<string, unknown>> }>(ENTITIES, { r });
        expect(res.errors).toBeUndefined();
        // Only the request's own statements: the outbox relay and expiry worker poll on the same pool.
        return { res, selects: h.queries.filter((q) => /\bselect\b/i.test(q) && !/outbox|advisory|expires_at <=/i.test(q)).length };
      };
      const few = await run(3);
      const many = await run(60);
      expect(many.selects).toBe(few.selects);
      expect(many.res.data!._entities[0]).toEqual({ availableSeatCount: 58, seatMapVersion: 1 });
      expect(many.res.data!._entities.slice(1, 4).map((s) => s.availability)).toEqual(['HELD', 'HELD', 'AVAILABLE']);
    });

    it("gives the gateway a whole map's booking state in one snapshot (Event.seatStates), agreeing seat by seat with _entities", async () => {
      const { eventId, seatIds } = await h.publishEvent(5);
      await h.as({ sub: 'map-holder' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[0]] } });
      const paid = await h.as({ sub: 'map-payer' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[1]] } });
      const bookingId = paid.data!.createBooking.id;
      const success = createEnvelope({ type: 'payment.success', key: bookingId, payload: { paymentId: randomUUID(), bookingId, amountMinor: 2500, currency: 'EUR', providerTransactionId: 'ch_map' } });
      await h.transport.publish('payment.success', [success]);
      await waitFor(async () => ((await h.sql<{ status: string }>('select status from booking where id = ?', [bookingId]))[0]?.status === 'CONFIRMED' ? true : undefined), 20_000, 'the paid booking');
      const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event { availableSeatCount seatMapVersion availabilityCacheKey seatStates } ... on Seat { availability } } }`;
      const read = async () => {
        const r = [{ __typename: 'Event', id: eventId }, ...seatIds.map((id) => ({ __typename: 'Seat', id }))];
        const res = await h.as({})<{ _entities: Array<Record<string, unknown>> }>(ENTITIES, { r });
        expect(res.errors).toBeUndefined();
        const [event, ...seats] = res.data!._entities;
        const states = JSON.parse(event.seatStates as string) as { key: string; seatMapVersion: number; availableSeatCount: number; projectedSeats: number; held: string[]; sold: string[]; notOnSale: string[] };
        const listed = new Map<string, string>([...states.held.map((id) => [id, 'HELD'] as const), ...states.sold.map((id) => [id, 'SOLD'] as const), ...states.notOnSale.map((id) => [id, 'NOT_ON_SALE'] as const)]);
        // What the gateway makes of the snapshot is what _entities says, seat by seat.
        expect(seatIds.map((id) => listed.get(id) ?? 'AVAILABLE')).toEqual(seats.map((s) => s.availability));
        expect(states).toMatchObject({ key: event.availabilityCacheKey, seatMapVersion: event.seatMapVersion, availableSeatCount: event.availableSeatCount, projectedSeats: 5 });
        return states;
      };
      expect(await read()).toMatchObject({ held: [seatIds[0]], sold: [seatIds[1]], notOnSale: [], availableSeatCount: 3 });
      await h.cancelEvent(eventId);
      const cancelled = await read();
      expect(cancelled.availableSeatCount).toBe(0);
      expect(cancelled.held).toEqual([]);
      expect(cancelled.notOnSale.length + cancelled.sold.length).toBe(5);
    });
  });
});

describe('hold expiry (real PostgreSQL)', () => {
  let h: BookingHarness;
  beforeAll(async () => {
    h = await startBooking({ HOLD_TTL_SECONDS: '1', BOOKING_EXPIRY_INTERVAL_MS: '3600000' });
  });
  afterAll(() => h.close());

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('shows an overdue hold as EXPIRED before the worker runs, and sells its seat at once', async () => {
    const { eventId, seatIds } = await h.publishEvent(1);
    const created = await h.as({ sub: 'lena' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } });
    const id = created.data!.createBooking.id;
    await sleep(1_100);
    expect((await h.as({ sub: 'lena' })(operations.BookingStateDocument, { id })).data!.booking).toEqual({ id, status: 'EXPIRED', cancellationReason: 'EXPIRED' });
    expect(errorCodes(await h.as({ sub: 'lena' })(operations.CancelBookingDocument, { id }))).toEqual(['BOOKING_EXPIRED']);
    const next = await h.as({ sub: 'max' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } });
    expect(next.errors).toBeUndefined();
    const [row] = await h.sql<{ status: string }>('select status from booking where id = ?', [id]);
    expect(row.status).toBe('EXPIRED');
  });

  it('expires holds in batches with several workers at once, each exactly once, releasing the seats', async () => {
    const { eventId, seatIds } = await h.publishEvent(60);
    const ids: string[] = [];
    for (let i = 0; i < 60; i += 2) {
      ids.push((await h.as({ sub: `fan-${i}` })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: seatIds.slice(i, i + 2) } })).data!.createBooking.id);
    }
    await sleep(1_100);
    const before = h.published.length;
    // Holds left by other tests are overdue too; every one of them must be expired exactly once.
    const [{ n: overdue }] = await h.sql<{ n: string }>(`select count(*) as n from booking where status = 'PENDING'`);
    const counts = await Promise.all([h.booking.expiry.runOnce(), h.booking.expiry.runOnce(), h.booking.expiry.runOnce()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(Number(overdue));
    expect(Number(overdue)).toBeGreaterThanOrEqual(30);
    const rows = await h.sql<{ status: string; n: string }>(`select status, count(*) as n from booking where id in (${ids.map(() => '?').join(',')}) group by status`, ids);
    expect(rows).toEqual([{ status: 'EXPIRED', n: '30' }]);
    const active = await h.sql<{ n: string }>(`select count(*) as n from booking_item where event_id = ? and status in ('PENDING','CONFIRMED')`, [eventId]);
    expect(active[0].n).toBe('0');
    h.booking.relay.nudge();
    const expired = await waitFor(() => {
      const got = h.published.slice(before).filter((m) => m.type === 'booking.cancelled' && (m.payload as { reason: string }).reason === 'EXPIRED' && ids.includes((m.payload as { bookingId: string }).bookingId));
      return got.length >= 30 ? got : undefined;
    }, 20_000, '30 expiry messages');
    expect(new Set(expired.map((m) => (m.payload as { bookingId: string }).bookingId)).size).toBe(30);
  });
});
