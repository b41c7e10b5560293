import { SignJWT, generateKeyPair, UnsecuredJWT } from 'jose';
import { errorCodes, operations, waitFor } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';


/** The whole platform through the gateway: dev tokens, composition, federation, ownership. */
describe('platform through the gateway (real PostgreSQL and Kafka)', () => {
  let h: PlatformHarness;
  let fan: string;
  let eventId: string;
  let seats: Array<{ id: string; row: string; number: number; price: string }>;

  beforeAll(async () => {
    h = await startTestPlatform();
    fan = await h.token('fan-1');
    ({ eventId } = await onSaleEvent(h, { venue: 'Arena', city: 'Gateway City', title: 'Federated Night', section: 'Floor', rows: 2, seatsPerRow: 5, price: '40.00' }));
    const res = await h.as()(operations.SeatMapDocument, { eventId });
    seats = res.data!.event!.seats;
  });
  afterAll(() => h?.close());

  it('issues dev tokens and serves the JWKS that verifies them', async () => {
    const jwks = (await (await fetch(`${h.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kty: string; alg: string; kid: string }> };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', kid: expect.any(String) })]);
    const bad = await fetch(`${h.baseUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ permissions: 'all' }) });
    expect(bad.status).toBe(400);
  });

  it('lets anonymous callers read the public catalog with availability from booking', async () => {
    const res = await h.as()(operations.EventAvailabilityInCityDocument, { city: 'Gateway City' });
    expect(res.data!.events.edges).toEqual([{ node: { title: 'Federated Night', availableSeatCount: 10, seatMapVersion: 0, venue: { name: 'Arena' } } }]);
  });

  it('joins catalog, booking and payment for the owner of a booking, and hides it from anyone else', async () => {
    const created = await h.as(fan)(operations.CreateBookingDocument, { input: { eventId, seatIds: [seats[0].id, seats[1].id] } });
    expect(created.errors).toBeUndefined();
    const id = created.data!.createBooking.id;
    // The payment side opens the payment when booking.created reaches it over Kafka.
    const mine = await waitFor(async () => {
      const res = await h.as(fan)(operations.BookingSummaryDocument, { id });
      return res.data?.booking?.payment ? res : undefined;
    }, 30_000, 'the payment to open');
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.booking).toEqual({
      id,
      status: 'PENDING',
      totalAmount: '80.00',
      event: { title: 'Federated Night', venue: { name: 'Arena' } },
      items: [seats[0], seats[1]]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((s) => ({ price: '40.00', seat: { row: s.row, number: s.number, price: '40.00', availability: 'HELD' } })),
      payment: { status: 'REQUIRES_PAYMENT' },
    });
    const other = await h.as(await h.token('someone-else'))(operations.BookingSummaryDocument, { id });
    expect(other.data!.booking).toBeNull();
    expect(errorCodes(await h.as()(operations.BookingSummaryDocument, { id }))).toEqual(['UNAUTHENTICATED']);
  });

  it('serves the SPA\'s typed operations: seat map, hold, booking details', async () => {
    const map = await h.as()(operations.SeatMapDocument, { eventId });
    expect(map.data?.event?.seats).toHaveLength(10);
    expect(map.data?.event?.venue.sections.map((s) => s.name)).toEqual(['Floor']);
    const free = map.data!.event!.seats.filter((s) => s.availability === 'AVAILABLE');
    const typedFan = await h.token('typed-fan');
    const held = await h.as(typedFan)(operations.CreateBookingDocument, { input: { eventId, seatIds: [free[0].id], idempotencyKey: 'typed-1' } });
    expect(held.data?.createBooking.status).toBe('PENDING');
    const details = await h.as(typedFan)(operations.BookingDetailsDocument, { id: held.data!.createBooking.id });
    expect(details.data?.booking?.items[0].seat).toMatchObject({ id: free[0].id, availability: 'HELD', section: { name: 'Floor' } });
    expect(details.data?.booking?.event.venue.city).toBe('Gateway City');
  });

  it("answers a refused mutation with booking's error exactly: its message, the field's path, the contract's extensions, no subgraph name", async () => {
    const map = await h.as()(operations.SeatMapDocument, { eventId });
    const seat = map.data!.event!.seats.filter((s) => s.availability === 'AVAILABLE').at(-1)!;
    const first = await h.as(await h.token('refusal-first'))(operations.CreateBookingDocument, { input: { eventId, seatIds: [seat.id] } });
    expect(first.errors).toBeUndefined();
    const refused = await fetch(h.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await h.token('refusal-second')}` },
      body: JSON.stringify({ query: 'mutation Hold($input: CreateBookingInput!) { createBooking(input: $input) { id } }', variables: { input: { eventId, seatIds: [seat.id] } } }),
    });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({
      data: null,
      errors: [{ message: 'Some seats are no longer available', path: ['createBooking'], extensions: { code: 'SEAT_UNAVAILABLE', seatIds: [seat.id] } }],
      extensions: { cost: { estimated: expect.any(Number), actual: expect.any(Number) } },
    });
  });

  it('refuses bad tokens with 401 UNAUTHENTICATED, never a 500', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const claims = { permissions: ['catalog:write'] };
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'eventix-dev-1' }).setIssuer(`${h.baseUrl}/`).setAudience('eventix-api').setSubject('x').setExpirationTime('1h').sign(privateKey);
    const unsigned = new UnsecuredJWT(claims).setIssuer(`${h.baseUrl}/`).setAudience('eventix-api').setSubject('x').setExpirationTime('1h').encode();
    for (const token of [forged, unsigned, 'not-a-jwt', `${fan}x`]) {
      const res = await h.as(token)(operations.EventListDocument, {});
      expect({ status: res.status, codes: errorCodes(res) }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    }
  });

  it('tags every response with a request id, keeping the one the client sent', async () => {
    const sent = await fetch(h.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'client-req-12345678' }, body: JSON.stringify({ query: '{ events { edges { cursor } } }' }) });
    expect(sent.headers.get('x-request-id')).toBe('client-req-12345678');
    const fresh = await fetch(h.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ events { edges { cursor } } }' }) });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers health probes: live, and ready with each dependency checked', async () => {
    for (const base of [h.baseUrl, ...Object.values(h.subgraphUrls).map((u) => u.replace(/\/graphql$/, ''))]) {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const ready = await fetch(`${base}/health/ready`);
      const body = (await ready.json()) as { status: string; checks: Record<string, string> };
      expect({ base, status: ready.status, body: body.status }).toEqual({ base, status: 200, body: 'ready' });
      expect(Object.values(body.checks).every((state) => state === 'ok')).toBe(true);
    }
    const booking = (await (await fetch(h.subgraphUrls.booking.replace(/\/graphql$/, '/health/ready'))).json()) as { checks: Record<string, string> };
    expect(Object.keys(booking.checks).sort()).toEqual(['database', 'events', 'redis']);
  });

  it('keeps subgraphs closed to anyone but the gateway, _entities included', async () => {
    for (const url of Object.values(h.subgraphUrls)) {
      for (const query of ['{ __typename }', '{ _entities(representations: [{ __typename: "Event", id: "x" }]) { __typename } }']) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${fan}` }, body: JSON.stringify({ query }) });
        expect(res.status).toBe(401);
        expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
    }
  });
});
