import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Permission } from '@eventix/subgraph-kit';
import { errorCodes, operations, waitFor } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

type Change = operations.LiveSeatAvailabilityAfterSubscription['seatAvailabilityChanged'];
const LIVE_AFTER = print(operations.LiveSeatAvailabilityAfterDocument);

/**
 * Issue #15 through the real gateway (real PostgreSQL, Kafka, Redis): best available under 64
 * concurrent buyers, the lone-seat rule, and live seat maps that resume after a version.
 */
describe('seat selection through the gateway', () => {
  let h: PlatformHarness;
  const clients: Client[] = [];
  beforeAll(async () => {
    // A short change log, so "the log no longer reaches back" is cheap to reach.
    h = await startTestPlatform({ SEAT_CHANGE_LOG_VERSIONS: '20' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await h?.close();
  });

  const fan = async (name: string) => h.as(await h.token(name));
  const bookingDb = () => h.platform.booking.orm.em.fork();

  /** Rows of the event as booking sees them: '.' free, 'X' held or sold. */
  const rowPictures = async (eventId: string) => {
    const seats = await bookingDb().execute<Array<{ row_label: string; taken: boolean }>>(
      `select s.row_label, exists (select 1 from booking_item i where i.event_id = s.event_id and i.seat_id = s.seat_id and i.status in ('PENDING', 'CONFIRMED')) as taken
         from seat_projection s where s.event_id = ? order by s.row_label, s.x`,
      [eventId],
    );
    const rows = new Map<string, string>();
    for (const s of seats) rows.set(s.row_label, (rows.get(s.row_label) ?? '') + (s.taken ? 'X' : '.'));
    return rows;
  };
  /** A free run of exactly one seat. */
  const hasLoneSeat = (picture: string) => /(^|X)\.(X|$)/.test(picture);

  it('holds the party together in the front row, and says so', async () => {
    const { eventId } = await onSaleEvent(h, { venue: 'Front Hall', rows: 3, seatsPerRow: 6 });
    const me = await fan('front-fan');
    const res = await me(operations.HoldBestAvailableDocument, { input: { eventId, quantity: 4 } });
    expect(res.errors).toBeUndefined();
    const hold = res.data!.holdBestAvailable;
    expect(hold).toMatchObject({ adjacent: true, rows: ['A'] });
    expect(hold.booking.items.map((i) => i.seat.row)).toEqual(['A', 'A', 'A', 'A']);
    const numbers = hold.booking.items.map((i) => i.seat.number).sort((a, b) => a - b);
    expect(numbers[3] - numbers[0]).toBe(3);
    // Row A keeps two seats together: a party of 2 still fits there, a party of 3 goes to row B.
    expect((await rowPictures(eventId)).get('A')).toMatch(/^(XXXX\.\.|\.\.XXXX)$/);
    const three = await (await fan('front-fan-2'))(operations.HoldBestAvailableDocument, { input: { eventId, quantity: 3 } });
    expect(three.data!.holdBestAvailable.rows).toEqual(['B']);
    // No row seats 7 together: refused unless allowSplit, then the closest split (rows B and C).
    const group = await fan('front-fan-3');
    const seven = await group(operations.HoldBestAvailableDocument, { input: { eventId, quantity: 7 } });
    expect(errorCodes(seven)).toEqual(['SEAT_UNAVAILABLE']);
    const split = await group(operations.HoldBestAvailableDocument, { input: { eventId, quantity: 7, allowSplit: true } });
    expect(split.errors).toBeUndefined();
    expect(split.data!.holdBestAvailable).toMatchObject({ adjacent: false, rows: ['B', 'C'] });
    for (const picture of (await rowPictures(eventId)).values()) expect(hasLoneSeat(picture)).toBe(false);
    // An idempotency key is refused as createBooking refuses it, saying why.
    const nulKey = await group(operations.HoldBestAvailableDocument, { input: { eventId, quantity: 1, idempotencyKey: 'a\u0000b' } });
    expect(nulKey.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['BAD_USER_INPUT', 'idempotencyKey: must not contain NUL characters']]);
  });

  it('64 concurrent buyers of 2–4 seats on one section: no overlap, no deadlock, every satisfiable request satisfied, sold out with no lone seat', async () => {
    // 8 rows of 18: 144 seats for about 192 wanted.
    const { eventId, seatIds } = await onSaleEvent(h, { venue: 'Rush Arena', section: 'Floor', rows: 8, seatsPerRow: 18, price: '40.00' });
    const map = await h.as()(operations.SeatMapRowsDocument, { eventId });
    const sectionId = map.data!.event!.seats[0].section.id;
    const wants = Array.from({ length: 64 }, (_, i) => 2 + (i % 3));
    const buyers = await Promise.all(wants.map((_, i) => fan(`rush-${i}`)));
    const started = Date.now();
    const results = await Promise.all(wants.map((quantity, i) => buyers[i](operations.HoldBestAvailableDocument, { input: { eventId, quantity, sectionId } })));
    const elapsed = Date.now() - started;
    const won = results.filter((r) => !r.errors);
    const refused = results.flatMap((r, i) => (r.errors ? [{ quantity: wants[i], codes: errorCodes(r) }] : []));
    // Only the honest final refusal: nothing left for that party.
    expect(new Set(refused.flatMap((r) => r.codes))).toEqual(new Set(refused.length ? ['SEAT_UNAVAILABLE'] : []));
    const held = won.flatMap((r) => r.data!.holdBestAvailable.booking.items.map((i) => i.seat.id));
    expect(new Set(held).size).toBe(held.length);
    for (const r of won) expect(r.data!.holdBestAvailable.adjacent).toBe(true);
    for (const picture of (await rowPictures(eventId)).values()) expect(hasLoneSeat(picture)).toBe(false);
    // Every refused party is still refused now: nothing that could seat it was left unsold.
    for (const quantity of new Set(refused.map((r) => r.quantity))) {
      const again = await (await fan(`rush-again-${quantity}`))(operations.HoldBestAvailableDocument, { input: { eventId, quantity, sectionId } });
      expect(errorCodes(again)).toEqual(['SEAT_UNAVAILABLE']);
    }
    // Parties of two and three sell the rest out.
    for (let i = 0; ; i++) {
      const sweeper = await fan(`sweep-${i}`);
      const two = await sweeper(operations.HoldBestAvailableDocument, { input: { eventId, quantity: 2, sectionId } });
      if (!two.errors) continue;
      const three = await sweeper(operations.HoldBestAvailableDocument, { input: { eventId, quantity: 3, sectionId } });
      if (three.errors) break;
    }
    const [{ n }] = await bookingDb().execute<Array<{ n: string }>>(`select count(*) as n from booking_item where event_id = ? and status in ('PENDING', 'CONFIRMED')`, [eventId]);
    expect(Number(n)).toBe(seatIds.length);
    // A figure for the record (the machine is shared).
    console.log(`64 concurrent best-available requests: ${won.length} held, ${refused.length} refused, ${elapsed} ms`);
  }, 120_000);

  it('refuses a selection that strands a single seat with LONE_SEAT (PREVENT, the default), unless the row leaves no choice; ALLOW lifts it', async () => {
    const org = h.as(await h.token('organizer', [Permission.CATALOG_WRITE]));
    // A new event without the field is PREVENT.
    const venueId = (await org(operations.CreateVenueDocument, { input: { name: 'Rule Hall', city: 'Rules', sections: [{ name: 'A', rows: 1, seatsPerRow: 2, price: '10.00' }] } })).data!.createVenue.id;
    const draft = await org(operations.CreateEventWithSeatRuleDocument, { input: { venueId, title: 'Rules', startsAt: new Date(Date.now() + 86_400_000).toISOString(), currency: 'EUR' } });
    expect(draft.data!.createEvent.singleSeatRule).toBe('PREVENT');
    const { eventId, seatIds } = await onSaleEvent(h, { venue: 'Lone Hall', rows: 1, seatsPerRow: 6, singleSeatRule: 'PREVENT' });
    expect((await h.as()(operations.EventSeatRuleDocument, { eventId })).data!.event!.singleSeatRule).toBe('PREVENT');
    const me = await fan('lone-fan');
    // Seats 2 and 3 of six: seat 1 would be left alone at the row's end.
    const stranding = await me(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[1], seatIds[2]] } });
    expect(errorCodes(stranding)).toEqual(['LONE_SEAT']);
    expect(stranding.errors![0].extensions?.strandedSeatIds).toEqual([seatIds[0]]);
    // Seats 1 and 2 strand nobody.
    expect((await me(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[0], seatIds[1]] } })).errors).toBeUndefined();
    // Seat 4 alone would strand seat 3 between taken seats (seat 3 alone would not: 4–6 stay together).
    expect((await me(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[3]] } })).errors![0].extensions?.strandedSeatIds).toEqual([seatIds[2]]);
    // Seats 5 and 6 leave 3 and 4 together.
    expect((await me(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[4], seatIds[5]] } })).errors).toBeUndefined();
    // Two free seats left; one of them alone strands the other, but no single seat in this row could avoid it.
    expect((await me(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[2]] } })).errors).toBeUndefined();

    // ALLOW, set by the organizer, reaches booking through catalog's message.
    const other = await onSaleEvent(h, { venue: 'Allow Hall', rows: 1, seatsPerRow: 6, singleSeatRule: 'PREVENT' });
    expect(errorCodes(await me(operations.CreateBookingDocument, { input: { eventId: other.eventId, seatIds: [other.seatIds[1]] } }))).toEqual(['LONE_SEAT']);
    const set = await org(operations.SetSingleSeatRuleDocument, { eventId: other.eventId, rule: 'ALLOW' });
    expect(set.data!.setSingleSeatRule.singleSeatRule).toBe('ALLOW');
    h.platform.catalog.relay.nudge();
    await waitFor(async () => {
      const [row] = await bookingDb().execute<Array<{ single_seat_rule: string }>>('select single_seat_rule from event_projection where event_id = ?', [other.eventId]);
      return row?.single_seat_rule === 'ALLOW' ? true : undefined;
    }, 20_000, 'the ALLOW rule in the projection');
    expect((await me(operations.CreateBookingDocument, { input: { eventId: other.eventId, seatIds: [other.seatIds[1]] } })).errors).toBeUndefined();
  }, 60_000);

  const connect = async (name: string) => {
    const token = await h.token(name);
    const client = createClient({ url: h.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${token}` } });
    clients.push(client);
    return client;
  };
  const watch = (client: Client, eventId: string, afterVersion?: number) => {
    const changes: Change[] = [];
    const errors: unknown[] = [];
    client.subscribe<operations.LiveSeatAvailabilityAfterSubscription>({ query: LIVE_AFTER, variables: { eventId, afterVersion } }, {
      next: (r) => (r.data ? changes.push(r.data.seatAvailabilityChanged) : errors.push(r.errors)),
      error: (e) => errors.push(e),
      complete: () => undefined,
    });
    return { changes, errors };
  };
  const versions = (changes: Change[]) => changes.map((c) => c.seatMapVersion);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('a live map resumed after a version replays every later change, then continues live: no gap, no duplicate; identical subscriptions share one upstream', async () => {
    const { eventId, seatIds } = await onSaleEvent(h, { venue: 'Resume Hall', rows: 1, seatsPerRow: 40 });
    const buyer = await fan('resume-buyer');
    const book = (i: number) => buyer(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[2 * i], seatIds[2 * i + 1]] } });
    for (let i = 0; i < 4; i++) expect((await book(i)).errors).toBeUndefined();
    const upstreamsBefore = h.platform.gateway.subscriptions.upstreamCount;
    // A client that saw version 1 before its connection dropped; a second one with the same version joins later.
    const first = watch(await connect('resume-a'), eventId, 1);
    await waitFor(() => (first.changes.length >= 3 ? true : undefined), 10_000, 'the replay');
    // Books while the replay may still be switching to live: 4 more versions, 5..8.
    const during = Promise.all([4, 5, 6, 7].map(async (i) => expect((await book(i)).errors).toBeUndefined()));
    const second = watch(await connect('resume-b'), eventId, 1);
    await during;
    await waitFor(() => (first.changes.length >= 7 && second.changes.length >= 7 ? true : undefined), 15_000, 'live changes after the replay');
    expect(versions(first.changes)).toEqual(range(2, 8));
    expect(versions(second.changes)).toEqual(range(2, 8));
    expect(first.changes.every((c) => !c.refetchRequired && c.seats.every((s) => s.availability === 'HELD'))).toBe(true);
    expect(first.errors).toEqual([]);
    // Same event and afterVersion: one upstream for both.
    expect(h.platform.gateway.subscriptions.upstreamCount - upstreamsBefore).toBe(1);
  }, 60_000);

  it('says refetchRequired when the change log no longer reaches back, then carries on live', async () => {
    const { eventId, seatIds } = await onSaleEvent(h, { venue: 'Old Hall', rows: 1, seatsPerRow: 60 });
    const buyer = await fan('old-buyer');
    // 25 versions with a log of 20: version 1..5 are gone.
    for (let i = 0; i < 25; i++) expect((await buyer(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[2 * i], seatIds[2 * i + 1]] } })).errors).toBeUndefined();
    const late = watch(await connect('old-viewer'), eventId, 2);
    await waitFor(() => (late.changes.length >= 1 ? true : undefined), 10_000, 'the first message');
    expect(late.changes[0]).toMatchObject({ refetchRequired: true, seats: [], seatMapVersion: 25 });
    expect((await buyer(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[50], seatIds[51]] } })).errors).toBeUndefined();
    await waitFor(() => (late.changes.length >= 2 ? true : undefined), 10_000, 'the next live change');
    expect(late.changes[1]).toMatchObject({ refetchRequired: false, seatMapVersion: 26 });
  }, 60_000);
});
