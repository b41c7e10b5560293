import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { operations, waitFor } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

const VIEWERS = 1000;
// graphql-ws takes the operation as text.
const LIVE = print(operations.LiveSeatAvailabilityWithSeatsDocument);

type Change = operations.LiveSeatAvailabilityWithSeatsSubscription['seatAvailabilityChanged'];

/** Federated subscriptions through the gateway: booking pushes, catalog completes each event. */
describe('live seat map through the gateway (real Kafka and Redis)', () => {
  let h: PlatformHarness;
  let eventId: string;
  let seatIds: string[];
  const clients: Client[] = [];

  const connect = (authorization?: string, onClosed?: (code: number) => void) => {
    const client = createClient({
      url: h.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: authorization ? { authorization } : {},
      on: { closed: (event) => onClosed?.((event as { code: number }).code) },
    });
    clients.push(client);
    return client;
  };
  const watch = (client: Client, id = eventId) => {
    const changes: Change[] = [];
    const errors: unknown[] = [];
    const stop = client.subscribe<operations.LiveSeatAvailabilityWithSeatsSubscription>({ query: LIVE, variables: { eventId: id } }, {
      next: (r) => (r.data ? changes.push(r.data.seatAvailabilityChanged) : errors.push(r.errors)),
      error: (e) => errors.push(e),
      complete: () => undefined,
    });
    return { changes, errors, stop };
  };

  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-live-')), 'dev-key.json');

  beforeAll(async () => {
    h = await startTestPlatform({ DEV_ISSUER_KEY_FILE: keyFile });
    ({ eventId, seatIds } = await onSaleEvent(h, { venue: 'Live Hall', city: 'Livetown', title: 'Live Night', section: 'Stalls', rows: 2, seatsPerRow: 4, price: '30.00' }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await h?.close();
  });

  it('shows a seat HELD within a second of another user booking it, with row and price from catalog, then AVAILABLE, then SOLD', async () => {
    const viewer = watch(connect(`Bearer ${await h.token('viewer')}`));
    await waitFor(() => (h.platform.gateway.subscriptions.upstreamCount === 1 ? true : undefined), 5_000, 'the upstream stream');
    await new Promise((r) => setTimeout(r, 300)); // let the upstream subscription reach the booking subgraph
    const buyer = await h.token('buyer');
    const created = await h.as(buyer)(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[5]] } });
    const returned = Date.now();
    h.platform.booking.relay.nudge();
    const held = await waitFor(() => viewer.changes.find((c) => c.seats[0]?.availability === 'HELD'), 5_000, 'HELD');
    const latency = Date.now() - returned;
    process.stderr.write(`HELD reached the gateway subscriber ${latency} ms after createBooking returned\n`);
    expect(latency).toBeLessThan(1_000);
    expect(held.seats).toEqual([{ availability: 'HELD', seat: { id: seatIds[5], row: 'B', number: 2, price: '30.00' } }]);

    await h.as(buyer)(operations.CancelBookingDocument, { id: created.data!.createBooking.id });
    h.platform.booking.relay.nudge();
    const released = await waitFor(() => viewer.changes.find((c) => c.seats[0]?.availability === 'AVAILABLE'), 5_000, 'AVAILABLE');
    expect(released.seatMapVersion).toBeGreaterThan(held.seatMapVersion);

    const again = await h.as(buyer)(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[5]] } });
    await waitFor(async () => ((await h.platform.payment.orm.em.fork().execute('select 1 from payment where booking_id = ?', [again.data!.createBooking.id])).length ? true : undefined), 30_000, 'the payment to open');
    const paid = await h.as(buyer)(operations.PayBookingDocument, { input: { bookingId: again.data!.createBooking.id, paymentMethodToken: 'tok_visa' } });
    expect(paid.errors).toBeUndefined();
    const sold = await waitFor(() => viewer.changes.find((c) => c.seats[0]?.availability === 'SOLD'), 30_000, 'SOLD');
    expect(sold.seats[0].seat).toEqual({ id: seatIds[5], row: 'B', number: 2, price: '30.00' });
    const versions = viewer.changes.map((c) => c.seatMapVersion);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    viewer.stop();
  });

  it(`serves ${VIEWERS} clients of one event from one upstream stream and one Redis subscription, and all receive the change`, async () => {
    const fanToken = `Bearer ${await h.token('crowd')}`;
    const viewers = Array.from({ length: VIEWERS }, () => watch(connect(fanToken)));
    await waitFor(() => (h.platform.gateway.subscriptions.clientCount === VIEWERS ? true : undefined), 20_000, 'all the subscriptions');
    expect(h.platform.gateway.subscriptions.upstreamCount).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.platform.booking.fanout.subscriberCount(eventId)).toBe(1);
    await h.as(await h.token('crowd-buyer'))(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[0]] } });
    h.platform.booking.relay.nudge();
    const sawIt = () => viewers.filter((v) => v.changes.some((c) => c.seats[0]?.seat.id === seatIds[0])).length;
    await waitFor(() => (sawIt() === viewers.length ? true : undefined), 15_000, 'every viewer to see the change').catch((error: Error) => {
      throw new Error(`${error.message}: ${sawIt()} saw it; errors: ${JSON.stringify(viewers.find((v) => v.errors.length)?.errors)}`);
    });
    expect(h.platform.gateway.subscriptions.upstreamCount).toBe(1);
    viewers.forEach((v) => v.stop());
    await waitFor(() => (h.platform.gateway.subscriptions.upstreamCount === 0 ? true : undefined), 10_000, 'the upstream to close after the last viewer');
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/eventix_gateway_subscription_events_total \d+/);
    expect(metrics).toMatch(/eventix_gateway_ws_open_sockets \d+/);
  });

  it('closes a socket with 4401 when its token expires', async () => {
    const { privateJwk } = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { privateJwk: JWK };
    const shortLived = await new SignJWT({ permissions: [] })
      .setProtectedHeader({ alg: 'RS256', kid: 'eventix-dev-1' })
      .setIssuer(`${h.baseUrl}/`)
      .setAudience('eventix-api')
      .setSubject('short-lived')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(await importJWK(privateJwk, 'RS256'));
    const started = Date.now();
    const code = await new Promise<number>((resolve) => watch(connect(`Bearer ${shortLived}`, resolve)));
    expect(code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a bad or missing token on connection_init with 4403, an event booking does not know (yet) with a retryable error, and queries on the socket', async () => {
    const code = await new Promise<number>((resolve) => connect('Bearer not-a-token', resolve));
    expect(code).toBe(4403);
    const missing = await new Promise<number>((resolve) => connect(undefined, resolve));
    expect(missing).toBe(4403);
    const token = `Bearer ${await h.token('explorer')}`;
    const lost = watch(connect(token), '00000000-0000-4000-8000-000000000000');
    await waitFor(() => (lost.errors.length ? true : undefined), 10_000, 'the error');
    expect(JSON.stringify(lost.errors)).toMatch(/SERVICE_UNAVAILABLE/);
    expect(JSON.stringify(lost.errors)).toMatch(/retryAfterSeconds/);
    // Queries belong on HTTP; the socket refuses them with a clear error.
    const queryErrors: unknown[] = [];
    // Inline: a query sent where it does not belong; the socket's refusal is the subject.
    connect(token).subscribe({ query: `{ events { edges { cursor } } }` }, { next: () => undefined, error: (e) => queryErrors.push(e), complete: () => undefined });
    await waitFor(() => (queryErrors.length ? true : undefined), 5_000, 'the refusal');
    expect(JSON.stringify(queryErrors)).toMatch(/over HTTP/);
  });
});
