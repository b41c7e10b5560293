import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { INTERNAL_CREDENTIAL_HEADER, signInternalCredential } from '@eventix/subgraph-kit';
import { operations, testRedisUrl, waitFor } from '@eventix/testing';
import { RedisSeatFanout } from '../src/live/seat-fanout';
import { SECRET, startBooking, type BookingHarness } from './booking-harness';

// graphql-ws takes the operation as text.
const SUBSCRIPTION = print(operations.LiveSeatAvailabilityDocument);

type Change = operations.LiveSeatAvailabilitySubscription['seatAvailabilityChanged'];

/** Live seat maps on the booking subgraph: Kafka → Redis pub/sub → graphql-ws subscribers. */
describe('seatAvailabilityChanged (real Kafka and Redis, two booking instances)', () => {
  let a: BookingHarness;
  let b: BookingHarness;
  const clients: Client[] = [];

  const wsClient = (h: BookingHarness, credential?: () => Promise<string>) => {
    const client = createClient({
      url: h.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: async () => (credential ? { [INTERNAL_CREDENTIAL_HEADER]: await credential() } : {}),
    });
    clients.push(client);
    return client;
  };
  const gatewayCredential = () => signInternalCredential(SECRET, { permissions: [] }, 'booking');

  function subscribe(client: Client, eventId: string) {
    const changes: Change[] = [];
    const errors: unknown[] = [];
    let completed = false;
    const stop = client.subscribe<operations.LiveSeatAvailabilitySubscription>(
      { query: SUBSCRIPTION, variables: { eventId } },
      { next: (r) => (r.data ? changes.push(r.data.seatAvailabilityChanged) : errors.push(r.errors)), error: (e) => errors.push(e), complete: () => void (completed = true) },
    );
    return { changes, errors, stop, isCompleted: () => completed };
  }

  beforeAll(async () => {
    a = await startBooking({ REDIS_URL: testRedisUrl() });
    b = await startBooking({ REDIS_URL: testRedisUrl() }, a);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await b.close();
    await a.close();
  });

  it('shows a subscriber on one instance the holds, releases and sales made through the other', async () => {
    const { eventId, seatIds } = await a.publishEvent(3);
    const sub = subscribe(wsClient(b, gatewayCredential), eventId);
    await waitFor(() => (b.booking.fanout.subscriberCount(eventId) === 1 ? true : undefined), 5_000, 'the subscription');
    const created = await a.as({ sub: 'live-fan' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds: [seatIds[1]] } });
    const started = Date.now();
    a.booking.relay.nudge();
    const held = await waitFor(() => sub.changes.find((c) => c.seats[0].availability === 'HELD'), 10_000, 'HELD');
    process.stderr.write(`seat change reached the subscriber in ${Date.now() - started} ms\n`);
    expect(held).toEqual({ eventId, seatMapVersion: 1, seats: [{ seat: { id: seatIds[1] }, availability: 'HELD' }] });
    await a.as({ sub: 'live-fan' })(operations.CancelBookingDocument, { id: created.data!.createBooking.id });
    a.booking.relay.nudge();
    const released = await waitFor(() => sub.changes.find((c) => c.seats[0].availability === 'AVAILABLE'), 10_000, 'AVAILABLE');
    expect(released.seatMapVersion).toBe(2);
    sub.stop();
    await waitFor(() => (b.booking.fanout.subscriberCount(eventId) === 0 ? true : undefined), 5_000, 'the unsubscribe');
  });

  it('serves many subscribers of one event with a single Redis subscription per instance', async () => {
    const { eventId, seatIds } = await a.publishEvent(1);
    const client = wsClient(b, gatewayCredential);
    const subs = Array.from({ length: 200 }, () => subscribe(client, eventId));
    await waitFor(() => (b.booking.fanout.subscriberCount(eventId) === 200 ? true : undefined), 10_000, '200 subscriptions');
    const channels = await (b.booking.fanout as RedisSeatFanout).channels();
    expect(channels.filter((c) => c === `seat-availability:${eventId}`)).toHaveLength(1);
    await a.as({ sub: 'crowd-fan' })(operations.CreateBookingWithSeatIdsDocument, { input: { eventId, seatIds } });
    a.booking.relay.nudge();
    await waitFor(() => (subs.every((s) => s.changes.length === 1) ? true : undefined), 10_000, 'all 200 to receive the change');
    subs.forEach((s) => s.stop());
    await waitFor(() => (b.booking.fanout.subscriberCount(eventId) === 0 ? true : undefined), 5_000, 'everyone to leave');
    await waitFor(async () => ((await (b.booking.fanout as RedisSeatFanout).channels()).includes(`seat-availability:${eventId}`) ? undefined : true), 5_000, 'the channel to be released');
  });

  it('refuses an unknown event with a clear error, and a connection without the gateway credential', async () => {
    const sub = subscribe(wsClient(b, gatewayCredential), '00000000-0000-4000-8000-000000000000');
    await waitFor(() => (sub.errors.length ? true : undefined), 5_000, 'the error');
    // An event booking has not projected may just be on its way: "not yet", retryable.
    expect(JSON.stringify(sub.errors)).toMatch(/SERVICE_UNAVAILABLE/);
    // Something that is not an event id never will be one: final, not "try again".
    const notAnId = subscribe(wsClient(b, gatewayCredential), 'nope');
    await waitFor(() => (notAnId.errors.length ? true : undefined), 5_000, 'the error');
    expect(JSON.stringify(notAnId.errors)).toMatch(/"code":"BAD_USER_INPUT"/);
    expect(JSON.stringify(notAnId.errors)).toMatch(/"field":"eventId"/);

    const refused = await new Promise<{ code: number }>((resolve) => {
      const client = createClient({ url: b.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, on: { closed: (event) => resolve(event as { code: number }) } });
      clients.push(client);
    });
    expect(refused.code).toBe(4403);
  });
});
