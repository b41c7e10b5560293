import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { operations, waitFor } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

type Notice = operations.HoldExpiringSubscription['holdExpiring'];
const HOLD_EXPIRING = print(operations.HoldExpiringDocument);

/** Issue #15 item 4 through the real gateway: the hold countdown, owner only. */
describe('holdExpiring (real PostgreSQL, Kafka, Redis)', () => {
  let h: PlatformHarness;
  let eventId: string;
  let seatIds: string[];
  const clients: Client[] = [];
  beforeAll(async () => {
    // Holds of 4 s, warned 2 s before the end (60 s in production), looked at every 100 ms.
    h = await startTestPlatform({ HOLD_TTL_SECONDS: '4', HOLD_WARNING_SECONDS: '2', HOLD_WATCH_INTERVAL_MS: '100', BOOKING_EXPIRY_INTERVAL_MS: '200' });
    ({ eventId, seatIds } = await onSaleEvent(h, { venue: 'Clock Hall', rows: 1, seatsPerRow: 10 }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await h?.close();
  });

  const watch = async (user: string, bookingId: string) => {
    const token = await h.token(user);
    const client = createClient({ url: h.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${token}` } });
    clients.push(client);
    const notices: Array<Notice & { at: number }> = [];
    const errors: Array<{ extensions?: Record<string, unknown> }> = [];
    let completed = false;
    client.subscribe<operations.HoldExpiringSubscription>({ query: HOLD_EXPIRING, variables: { bookingId } }, {
      next: (r) => (r.data ? notices.push({ ...r.data.holdExpiring, at: Date.now() }) : errors.push(...((r.errors ?? []) as never[]))),
      error: (e) => errors.push(...(Array.isArray(e) ? e : [e as never])),
      complete: () => void (completed = true),
    });
    return { notices, errors, done: () => completed || errors.length > 0 };
  };
  const book = async (user: string, seats: string[]) => {
    const fan = h.as(await h.token(user));
    const res = await fan(operations.CreateBookingDocument, { input: { eventId, seatIds: seats } });
    expect(res.errors).toBeUndefined();
    return { fan, id: res.data!.createBooking.id, expiresAt: Date.parse(res.data!.createBooking.expiresAt) };
  };

  it('warns before the hold ends, then says EXPIRED and ends', async () => {
    const { id, expiresAt } = await book('clock-fan', [seatIds[0], seatIds[1]]);
    const w = await watch('clock-fan', id);
    await waitFor(() => (w.done() ? true : undefined), 15_000, 'the final notice');
    expect(w.errors).toEqual([]);
    expect(w.notices.map((n) => [n.kind, n.final])).toEqual([
      ['WARNING', false],
      ['EXPIRED', true],
    ]);
    // The warning comes about 2 s before the end (within the watch interval and this shared machine's lag), never after it.
    expect(w.notices[0].at).toBeLessThan(expiresAt);
    expect(w.notices[0].at).toBeGreaterThanOrEqual(expiresAt - 2_000 - 200);
    expect(w.notices[1].at).toBeGreaterThanOrEqual(expiresAt);
  }, 30_000);

  it('ends with one final message when the booking is paid (the payment stretches the hold, then confirms it)', async () => {
    const { fan, id } = await book('paying-fan', [seatIds[2], seatIds[3]]);
    const w = await watch('paying-fan', id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const paid = await fan(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa' } });
    expect(paid.errors).toBeUndefined();
    await waitFor(() => (w.done() ? true : undefined), 15_000, 'the final notice');
    expect(w.notices).toHaveLength(1);
    expect(w.notices[0].final).toBe(true);
    expect(['EXTENDED', 'CONFIRMED']).toContain(w.notices[0].kind);
  }, 30_000);

  it('ends with CANCELLED when the fan cancels', async () => {
    const { fan, id } = await book('cancelling-fan', [seatIds[4], seatIds[5]]);
    const w = await watch('cancelling-fan', id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fan(operations.CancelBookingDocument, { id })).errors).toBeUndefined();
    await waitFor(() => (w.done() ? true : undefined), 15_000, 'the final notice');
    expect(w.notices.map((n) => n.kind)).toEqual(['CANCELLED']);
  }, 30_000);

  it("is the owner's only: another fan's subscription is refused with NOT_FOUND", async () => {
    const { fan, id, expiresAt } = await book('owner-fan', [seatIds[6], seatIds[7]]);
    // The owner watches first: the same subscription from another fan must not join its upstream.
    const owner = await watch('owner-fan', id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const w = await watch('nosy-fan', id);
    await waitFor(() => (w.done() ? true : undefined), 10_000, 'the refusal');
    expect(w.notices).toEqual([]);
    expect(w.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect((await fan(operations.CancelBookingDocument, { id })).errors).toBeUndefined();
    // On a slow machine the two subscriptions can take until the hold's warning is due (2 s
    // before its end): a cancellation after that may rightly come after a warning.
    const cancelledBeforeWarning = Date.now() < expiresAt - 2_000;
    await waitFor(() => (owner.done() ? true : undefined), 10_000, "the owner's final notice");
    const kinds = owner.notices.map((n) => n.kind);
    expect(kinds).toEqual(cancelledBeforeWarning ? ['CANCELLED'] : [...kinds.slice(0, -1).map(() => 'WARNING'), 'CANCELLED']);
    expect(kinds.length).toBeLessThanOrEqual(2);
  }, 30_000);
});
