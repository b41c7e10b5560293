import { signWebhook, SIGNATURE_HEADER } from '../src/lib';
import { errorCodes, operations, waitFor } from '@eventix/testing';
import { randomUUID } from 'node:crypto';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

async function heldBooking(h: PlatformHarness, fan: string, eventId: string, seatIds: string[]): Promise<string> {
  const res = await h.as(fan)(operations.CreateBookingDocument, { input: { eventId, seatIds } });
  expect(res.errors).toBeUndefined();
  const id = res.data!.createBooking.id;
  // payBooking needs the payment that booking.created opens on the payment side.
  await waitFor(async () => ((await h.platform.payment.orm.em.fork().execute('select 1 from payment where booking_id = ?', [id])).length ? true : undefined), 30_000, 'the payment to open');
  return id;
}

const view = async (h: PlatformHarness, fan: string, id: string) => (await h.as(fan)(operations.BookingWithTicketsDocument, { id })).data!.booking!;

describe('payments across services (real PostgreSQL and Kafka)', () => {
  let h: PlatformHarness;
  let eventId: string;
  let seatIds: string[];
  let next = 0;
  const seat = () => seatIds[next++];

  beforeAll(async () => {
    // The simulator's own webhooks are held back (10 min) so these tests deliver webhooks by hand;
    // the late-success test below lets the simulator send its own.
    h = await startTestPlatform({ PAYMENT_PROVIDER_TIMEOUT_MS: '300', PAYMENT_RECONCILE_AFTER_MS: '400', PAYMENT_WORKER_INTERVAL_MS: '200', SIMULATED_WEBHOOK_DELAY_MS: '600000' });
    ({ eventId, seatIds } = await onSaleEvent(h, { seatsPerRow: 30, city: 'Paytown' }));
  });
  afterAll(() => h?.close());

  it('create booking → pay → CONFIRMED with one signed ticket per seat, seats SOLD; tickets check in once', async () => {
    const fan = await h.token('happy-fan');
    const seats = [seat(), seat()];
    const id = await heldBooking(h, fan, eventId, seats);
    const paid = await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa', idempotencyKey: 'pay-1' } });
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.payBooking).toMatchObject({ status: 'SUCCEEDED', amount: '50.00' });
    const confirmed = await waitFor(async () => {
      const b = await view(h, fan, id);
      return b.status === 'CONFIRMED' ? b : undefined;
    }, 30_000, 'the booking to be confirmed');
    expect(confirmed.ticketReference).toMatch(/^EVX-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(confirmed.tickets).toHaveLength(2);
    expect(confirmed.items.map((i) => i.seat.availability)).toEqual(['SOLD', 'SOLD']);
    expect(confirmed.payment).toEqual({ status: 'SUCCEEDED', amount: '50.00', refundedAmount: '0.00' });

    const door = h.as(await h.token('door-1', ['tickets:verify']));
    const code = confirmed.tickets[0].code;
    expect((await door(operations.TicketValidityDocument, { code })).data!.verifyTicket.valid).toBe(true);
    const forged = `${code.slice(0, -4)}AAAA`;
    expect((await door(operations.TicketValidityDocument, { code: forged })).data!.verifyTicket).toEqual({ valid: false, reason: 'not a genuine Eventix ticket' });
    const first = await door(operations.CheckInTicketDocument, { code });
    expect(first.errors).toBeUndefined();
    const second = await door(operations.CheckInTicketDocument, { code });
    expect(errorCodes(second)).toEqual(['INVALID_BOOKING_STATE']);
    expect(second.errors![0].extensions?.checkedInAt).toBe(first.data!.checkInTicket.checkedInAt);
    expect(errorCodes(await h.as(fan)(operations.TicketValidityDocument, { code }))).toEqual(['FORBIDDEN']);
  });

  it('a booking whose ticket was checked in cannot be cancelled for a refund; a race of the two never lets both through', async () => {
    const door = h.as(await h.token('door-2', ['tickets:verify']));
    const { eventId: doorEvent, seatIds: doorSeats } = await onSaleEvent(h, { seatsPerRow: 12, city: 'Doortown' });
    const confirmedBooking = async (fan: string, seatId: string) => {
      const id = await heldBooking(h, fan, doorEvent, [seatId]);
      expect((await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa' } })).errors).toBeUndefined();
      return { id, code: (await view(h, fan, id)).tickets[0].code };
    };

    const fan = await h.token('door-fan');
    const used = await confirmedBooking(fan, doorSeats[0]);
    expect((await door(operations.CheckInTicketDocument, { code: used.code })).errors).toBeUndefined();
    const refused = await h.as(fan)(operations.CancelBookingDocument, { id: used.id });
    expect(errorCodes(refused)).toEqual(['INVALID_BOOKING_STATE']);
    expect(refused.errors![0].message).toMatch(/checked in at .*cannot be cancelled/);
    expect(await view(h, fan, used.id)).toMatchObject({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED', refundedAmount: '0.00' } });

    // Check-in and cancellation sent together, ten times: exactly one wins each time, and what
    // the database holds afterwards agrees with it.
    for (const seatId of doorSeats.slice(1, 11)) {
      const racer = await confirmedBooking(fan, seatId);
      const [checkIn, cancel] = await Promise.all([door(operations.CheckInTicketDocument, { code: racer.code }), h.as(fan)(operations.CancelBookingDocument, { id: racer.id })]);
      const outcome = { checkedIn: !checkIn.errors, cancelled: !cancel.errors };
      expect([{ checkedIn: true, cancelled: false }, { checkedIn: false, cancelled: true }]).toContainEqual(outcome);
      const [row] = await h.platform.booking.orm.em.fork().execute<Array<{ status: string; checked_in_at: Date | null }>>(
        'select b.status, t.checked_in_at from booking b join ticket t on t.booking_id = b.id where b.id = ?',
        [racer.id],
      );
      expect({ status: row.status, checkedIn: row.checked_in_at !== null }).toEqual(outcome.checkedIn ? { status: 'CONFIRMED', checkedIn: true } : { status: 'CANCELLED', checkedIn: false });
    }
  });

  it("refuses to pay someone else's booking as if it did not exist", async () => {
    const owner = await h.token('owner-fan');
    const id = await heldBooking(h, owner, eventId, [seat()]);
    const thief = h.as(await h.token('thief'));
    expect(errorCodes(await thief(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa' } }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await thief(operations.CancelBookingDocument, { id }))).toEqual(['NOT_FOUND']);
    expect((await thief(operations.BookingWithTicketsDocument, { id })).data!.booking).toBeNull();
    expect((await view(h, owner, id)).status).toBe('PENDING');
  });

  it('a decline is PAYMENT_DECLINED, cancels the booking (PAYMENT_FAILED) and frees its seats', async () => {
    const fan = await h.token('declined-fan');
    const seats = [seat()];
    const id = await heldBooking(h, fan, eventId, seats);
    const res = await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_chargeDeclined' } });
    expect(errorCodes(res)).toEqual(['PAYMENT_DECLINED']);
    const cancelled = await waitFor(async () => {
      const b = await view(h, fan, id);
      return b.status === 'CANCELLED' ? b : undefined;
    }, 30_000, 'the booking to be cancelled');
    expect(cancelled.cancellationReason).toBe('PAYMENT_FAILED');
    expect(cancelled.items.map((i) => i.seat.availability)).toEqual(['AVAILABLE']);
    expect(cancelled.payment?.status).toBe('FAILED');
    expect((await h.as(await h.token('next-fan'))(operations.CreateBookingDocument, { input: { eventId, seatIds: seats } })).errors).toBeUndefined();
  });

  it('a free booking (0.00) is confirmed without the card provider, whatever the (required) token; cancelling it gives nothing back', async () => {
    const { eventId: freeEvent, seatIds: freeSeats } = await onSaleEvent(h, { seatsPerRow: 4, city: 'Freetown', price: '0.00' });
    const fan = await h.token('free-fan');
    const payments = () => h.platform.payment.orm.em.fork();

    // A declining card, and no card at all ("none": the field is required): neither matters when there is nothing to charge.
    const freeBookings: string[] = [];
    for (const [seatId, paymentMethodToken] of [[freeSeats[0], 'tok_chargeDeclined'], [freeSeats[1], 'none']]) {
      const id = await heldBooking(h, fan, freeEvent, [seatId]);
      freeBookings.push(id);
      const paid = await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken, idempotencyKey: 'free' } });
      expect(paid.errors).toBeUndefined();
      expect(paid.data!.payBooking).toMatchObject({ status: 'SUCCEEDED', amount: '0.00' });
      // SUCCEEDED means confirmed, with its tickets, at once (as for a paid one).
      const booking = await view(h, fan, id);
      expect(booking).toMatchObject({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED', amount: '0.00', refundedAmount: '0.00' } });
      expect(booking.tickets).toHaveLength(1);
      const [payment] = await payments().execute<Array<{ id: string; charge_id: string | null }>>('select id, charge_id from payment where booking_id = ?', [id]);
      expect(payment.charge_id).toBeNull();
      expect(h.platform.payment.provider.chargesFor(payment.id)).toBe(0);
      // The same attempt again answers the same; another attempt is "already paid".
      expect((await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken, idempotencyKey: 'free' } })).data!.payBooking.status).toBe('SUCCEEDED');
      expect(errorCodes(await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa', idempotencyKey: 'again' } }))).toEqual(['INVALID_BOOKING_STATE']);
    }

    // Cancelled: the booking and its payment close without a provider refund (there is no charge
    // to refund — asking would fail on every run of the refund worker).
    const cancelledId = freeBookings[0];
    expect((await h.as(fan)(operations.CancelBookingDocument, { id: cancelledId })).errors).toBeUndefined();
    const closed = await waitFor(async () => {
      const b = await view(h, fan, cancelledId);
      return b.payment?.status === 'REFUNDED' ? b : undefined;
    }, 30_000, 'the free payment to be closed');
    expect(closed).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED', amount: '0.00', refundedAmount: '0.00' } });

    // A hold with seconds left, past its longest stretch: too short for a card (the provider may
    // take its whole timeout), long enough for a free order, which waits for nobody.
    const shortly = async (id: string) =>
      h.platform.booking.orm.em.fork().execute("update booking set created_at = now() - interval '1 day', expires_at = now() + interval '3 seconds' where id = ?", [id]);
    const lastMoment = await heldBooking(h, fan, freeEvent, [freeSeats[2]]);
    await shortly(lastMoment);
    const lastPaid = await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: lastMoment, paymentMethodToken: 'none' } });
    expect(lastPaid.errors).toBeUndefined();
    expect((await view(h, fan, lastMoment)).status).toBe('CONFIRMED');
    const pricedLate = await heldBooking(h, fan, eventId, [seat()]);
    await shortly(pricedLate);
    const tooLate = await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: pricedLate, paymentMethodToken: 'tok_visa' } });
    expect(errorCodes(tooLate)).toEqual(['BOOKING_EXPIRED']);
    expect(tooLate.errors![0].message).toMatch(/ends too soon/);

    // The token is still required (the contract's String!), for a free booking as for a priced one.
    const freeLast = await heldBooking(h, fan, freeEvent, [freeSeats[3]]);
    const priced = await heldBooking(h, fan, eventId, [seat()]);
    for (const bookingId of [freeLast, priced]) {
      const refused = await h.as(fan)(operations.PayBookingDocument, { input: { bookingId, paymentMethodToken: ' ' } });
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
      expect(refused.errors![0].message).toMatch(/paymentMethodToken.*must not be empty/);
    }
  });

  it('charges once for concurrent payBooking calls, with the same key or with different keys', async () => {
    for (const keys of [['same', 'same', 'same'], ['k1', 'k2', 'k3']]) {
      const fan = await h.token(`racer-${keys[1]}`);
      const id = await heldBooking(h, fan, eventId, [seat()]);
      const results = await Promise.all(keys.map((k) => h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa', idempotencyKey: k } })));
      const ok = results.filter((r) => !r.errors);
      if (keys[0] === keys[1]) {
        expect(ok).toHaveLength(3);
      } else {
        expect(ok).toHaveLength(1);
        expect(results.filter((r) => r.errors).flatMap(errorCodes)).toEqual(['INVALID_BOOKING_STATE', 'INVALID_BOOKING_STATE']);
      }
      const [payment] = await h.platform.payment.orm.em.fork().execute<Array<{ id: string; status: string }>>('select id, status from payment where booking_id = ?', [id]);
      expect(payment.status).toBe('SUCCEEDED');
      expect(h.platform.payment.provider.chargesFor(payment.id)).toBe(1);
      expect(errorCodes(await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa', idempotencyKey: 'later' } }))).toEqual(['INVALID_BOOKING_STATE']);
    }
  });

  it('settles an asynchronous charge by signed webhook; bad, stale or replayed deliveries change nothing', async () => {
    const other = await h.token('webhook-fan');
    const id2 = await heldBooking(h, other, eventId, [seat()]);
    const paid = await h.as(other)(operations.PayBookingDocument, { input: { bookingId: id2, paymentMethodToken: 'tok_async', idempotencyKey: 'async-2' } });
    expect(paid.data!.payBooking.status).toBe('PROCESSING');
    const [row] = await h.platform.payment.orm.em.fork().execute<Array<{ charge_id: string }>>('select charge_id from payment where booking_id = ?', [id2]);
    const url = h.subgraphUrls.payment.replace(/\/graphql$/, '/webhooks/provider');
    const event = { id: randomUUID(), type: 'charge.succeeded', created: Math.floor(Date.now() / 1000), data: { chargeId: row.charge_id, idempotencyKey: 'async-2' } };
    const body = JSON.stringify(event);
    const post = (signature: string | undefined, payload = body) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { [SIGNATURE_HEADER]: signature } : {}) }, body: payload });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(undefined)).status).toBe(401);
    expect((await post(signWebhook('wrong-secret-wrong-secret', body, now))).status).toBe(401);
    expect((await post(signWebhook('whsec_eventix_simulated_dev_only', body, now - 3600))).status).toBe(400);
    await new Promise((r) => setTimeout(r, 500));
    expect((await view(h, other, id2)).payment?.status).toBe('PROCESSING');
    const genuine = signWebhook('whsec_eventix_simulated_dev_only', body, now);
    const deliveries = await Promise.all([post(genuine), post(genuine), post(genuine)]);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    const confirmed = await waitFor(async () => {
      const b = await view(h, other, id2);
      return b.status === 'CONFIRMED' ? b : undefined;
    }, 30_000, 'confirmation by the hand-made webhook');
    expect(confirmed.tickets).toHaveLength(1);
    const [{ n }] = await h.platform.booking.orm.em.fork().execute<Array<{ n: string }>>(`select count(*) as n from outbox where type = 'booking.confirmed' and payload->>'bookingId' = ?`, [id2]);
    expect(n).toBe('1');
  });

  it.each(['tok_timeout', 'tok_providerError'])('never leaves a charge with %s in PROCESSING: reconciliation fails it and frees the seats', async (token) => {
    const fan = await h.token(`unlucky-${token}`);
    const id = await heldBooking(h, fan, eventId, [seat()]);
    const paid = await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: token } });
    expect(paid.data!.payBooking.status).toBe('PROCESSING');
    const settled = await waitFor(async () => {
      const b = await view(h, fan, id);
      return b.status === 'CANCELLED' ? b : undefined;
    }, 30_000, 'reconciliation');
    expect(settled.payment?.status).toBe('FAILED');
    expect(settled.items[0].seat.availability).toBe('AVAILABLE');
  });

  it('refunds a confirmed booking that its owner cancels, once, and shows it', async () => {
    const fan = await h.token('refund-fan');
    const id = await heldBooking(h, fan, eventId, [seat()]);
    await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa' } });
    await waitFor(async () => ((await view(h, fan, id)).status === 'CONFIRMED' ? true : undefined), 30_000, 'confirmation');
    await h.as(fan)(operations.CancelBookingDocument, { id });
    const refunded = await waitFor(async () => {
      const b = await view(h, fan, id);
      return b.payment?.status === 'REFUNDED' ? b : undefined;
    }, 30_000, 'the refund');
    expect(refunded.payment).toEqual({ status: 'REFUNDED', amount: '25.00', refundedAmount: '25.00' });
    expect(refunded.items[0].seat.availability).toBe('AVAILABLE');
  });
});

describe('a payment that succeeds after its booking expired (real PostgreSQL and Kafka; the simulator sends its own webhook)', () => {
  let h: PlatformHarness;
  beforeAll(async () => {
    // Holds of 18 s that a payment in flight does not extend (payBooking needs the provider's
    // 300-ms deadline plus a 5-s margin left on the hold; the rest is slack for a slow machine
    // to open the payment), and a pending charge whose success arrives only after the hold ended.
    h = await startTestPlatform({ HOLD_TTL_SECONDS: '18', MAX_HOLD_EXTENSION_SECONDS: '0', BOOKING_EXPIRY_INTERVAL_MS: '200', SIMULATED_WEBHOOK_DELAY_MS: '20000', PAYMENT_WORKER_INTERVAL_MS: '200', PAYMENT_PROVIDER_TIMEOUT_MS: '300' });
  });
  afterAll(() => h?.close());

  it('is refunded exactly once, the booking stays EXPIRED and the seat is never sold twice', async () => {
    const { eventId, seatIds } = await onSaleEvent(h, { seatsPerRow: 2, city: 'Paytown' });
    const fan = await h.token('late-payer');
    const id = await heldBooking(h, fan, eventId, [seatIds[0]]);
    const paid = await h.as(fan)(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_async' } });
    expect(paid.errors).toBeUndefined(); // a refusal shows its code here instead of a null-data TypeError
    expect(paid.data!.payBooking.status).toBe('PROCESSING');
    // Meanwhile the hold expires and someone else buys the seat.
    await waitFor(async () => ((await view(h, fan, id)).status === 'EXPIRED' ? true : undefined), 30_000, 'the expiry');
    const rival = await h.token('rival');
    const rivalBooking = await h.as(rival)(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[0]] } });
    expect(rivalBooking.errors).toBeUndefined();
    const refunded = await waitFor(async () => {
      const b = await view(h, fan, id);
      return b.payment?.status === 'REFUNDED' ? b : undefined;
    }, 30_000, 'the refund of the late success');
    expect(refunded.status).toBe('EXPIRED');
    expect(refunded.payment?.refundedAmount).toBe('25.00');
    const [payment] = await h.platform.payment.orm.em.fork().execute<Array<{ charge_id: string }>>('select charge_id from payment where booking_id = ?', [id]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.platform.payment.provider.refundsOf(payment.charge_id)).toBe(1);
    // The late payer's hold never became a sale; at no point did the seat have two holders.
    const items = await h.platform.booking.orm.em.fork().execute<Array<{ booking_id: string; status: string }>>(`select booking_id, status from booking_item where seat_id = ?`, [seatIds[0]]);
    expect(items.find((i) => i.booking_id === id)?.status).toBe('EXPIRED');
    expect(items.filter((i) => i.status === 'PENDING' || i.status === 'CONFIRMED').length).toBeLessThanOrEqual(1);
  });
});
