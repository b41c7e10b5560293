import { INTERNAL_CREDENTIAL_HEADER, signInternalCredential } from '@eventix/subgraph-kit';
import { errorCodes, operations } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue #10 items 4 and 7, through the gateway on real Kafka: a client that books and pays at
 * once must succeed (the payment side must not wait for booking.created), and SUCCEEDED must
 * mean a confirmed booking — even when the hold was about to run out as the payment started.
 */
describe('book and pay at once (real PostgreSQL and Kafka)', () => {
  let h: PlatformHarness;
  let eventId: string;
  let seatIds: string[];
  beforeAll(async () => {
    // Holds of 3 s, and an expiry worker that runs every 100 ms: a hold that is not taken for
    // the payment synchronously would expire under it.
    h = await startTestPlatform({ HOLD_TTL_SECONDS: '3', BOOKING_EXPIRY_INTERVAL_MS: '100', PAYMENT_PROVIDER_TIMEOUT_MS: '1000' });
    ({ eventId, seatIds } = await onSaleEvent(h, { seatsPerRow: 40, city: 'Paynow' }));
  });
  afterAll(() => h?.close());

  it('pays right after createBooking, 16 fans at once: every payment SUCCEEDED with its booking already CONFIRMED', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const fan = h.as(await h.token(`instant-${i}`));
        const created = await fan(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[i]] } });
        expect(created.errors).toBeUndefined();
        const id = created.data!.createBooking.id;
        const paid = await fan(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa' } });
        const after = await fan(operations.BookingPaymentStatusDocument, { id });
        return { paid, booking: after.data!.booking };
      }),
    );
    for (const { paid, booking } of results) {
      expect(paid.errors).toBeUndefined();
      expect(paid.data!.payBooking.status).toBe('SUCCEEDED');
      expect(booking).toEqual({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED' } });
    }
  });

  it('a payment that starts just before the hold ends keeps the booking: SUCCEEDED stays CONFIRMED, never refunded', async () => {
    const cases = await Promise.all(
      // Started 2.0–2.9 s into 3-s holds.
      Array.from({ length: 8 }, async (_, i) => {
        const fan = h.as(await h.token(`late-${i}`));
        const created = await fan(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[20 + i]] } });
        const id = created.data!.createBooking.id;
        await sleep(2_000 + i * 120);
        const paid = await fan(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa' } });
        return { fan, id, paid };
      }),
    );
    // Well past every original hold: nothing may have expired or been refunded since.
    await sleep(4_000);
    for (const { fan, id, paid } of cases) {
      const booking = (await fan(operations.BookingPaymentStatusDocument, { id })).data!.booking!;
      if (paid.errors) {
        // The only honest refusal: the hold was already over when the payment arrived — then
        // nothing was charged.
        expect(errorCodes(paid)).toEqual(['BOOKING_EXPIRED']);
        expect(booking.status).toBe('EXPIRED');
        expect(booking.payment?.status ?? 'REQUIRES_PAYMENT').toBe('REQUIRES_PAYMENT');
      } else {
        expect(paid.data!.payBooking.status).toBe('SUCCEEDED');
        expect(booking).toEqual({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED' } });
      }
    }
    expect(cases.filter((c) => !c.paid.errors).length).toBeGreaterThan(0);
  });

  it('paying a hold that has already ended charges nothing and says BOOKING_EXPIRED', async () => {
    const fan = h.as(await h.token('too-late'));
    const created = await fan(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[35]] } });
    const id = created.data!.createBooking.id;
    await sleep(3_300);
    const paid = await fan(operations.PayBookingDocument, { input: { bookingId: id, paymentMethodToken: 'tok_visa' } });
    expect(errorCodes(paid)).toEqual(['BOOKING_EXPIRED']);
    const [{ n }] = await h.platform.payment.orm.em.fork().execute<Array<{ n: string }>>(`select count(*) as n from payment where booking_id = ? and status <> 'REQUIRES_PAYMENT'`, [id]);
    expect(Number(n)).toBe(0);
  });

  it("only the payment service's credential reaches booking's hold route, and only for the booking's owner", async () => {
    const owner = h.as(await h.token('owner'));
    const created = await owner(operations.CreateBookingDocument, { input: { eventId, seatIds: [seatIds[36]] } });
    const bookingId = created.data!.createBooking.id;
    const holdUrl = h.subgraphUrls.booking.replace(/\/graphql$/, '/internal/payment-hold');
    const post = async (credential?: string) => {
      const res = await fetch(holdUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(credential ? { [INTERNAL_CREDENTIAL_HEADER]: credential } : {}) }, body: JSON.stringify({ bookingId, holdSeconds: 60 }) });
      return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { code: string } } };
    };
    expect((await post()).status).toBe(401);
    // A credential the gateway signs for GraphQL on booking is not one for its internal routes.
    expect((await post(await signInternalCredential(h.internalSecret, { userId: 'owner', permissions: [] }, 'booking'))).status).toBe(401);
    const stranger = await post(await signInternalCredential(h.internalSecret, { userId: 'stranger', permissions: [] }, 'booking.internal'));
    expect(stranger.body).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const paidByStranger = await h.as(await h.token('stranger'))(operations.PayBookingDocument, { input: { bookingId, paymentMethodToken: 'tok_visa' } });
    expect(errorCodes(paidByStranger)).toEqual(['NOT_FOUND']);
  });
});
