import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createEnvelope } from '@eventix/events';
import { initOrm } from '@eventix/subgraph-kit';
import { createTestDatabase, type TestDatabase } from '@eventix/testing';
import { paymentMigrations } from '../migrations';
import { paymentEntities } from '../src/server';
import { BookingEventsConsumer } from '../src/payment/booking-events.consumer';
import { BookingTopics } from '../src/payment/payment.messages';
import { PaymentService } from '../src/payment/payment.service';
import type { PaymentProvider } from '../src/provider/payment-provider';
import type { BookingHolds } from '../src/payment/booking-hold.client';

/**
 * The booking-events consumer wakes the settlement worker (two queries and a provider round)
 * only when a message asked for a refund: under an on-sale every booking made is a
 * booking.created, and a settlement run per booking kept payment's CPU busy for nothing.
 */
describe('booking events on the payment side (real PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let consumer: BookingEventsConsumer;
  let wakes = 0;
  const queries: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('payment_booking_events');
    orm = await initOrm({ name: 'payment', clientUrl: db.url, entities: paymentEntities, migrations: paymentMigrations, onQuery: (sql) => queries.push(sql) });
    // Neither the provider nor booking is called by these messages.
    const payments = new PaymentService({} as PaymentProvider, { providerTimeoutMs: 1_000, holdExtensionSeconds: 60, reconcileAfterMs: 1_000 }, {} as BookingHolds);
    consumer = new BookingEventsConsumer(orm, payments, () => (wakes += 1));
  });
  afterAll(async () => {
    await orm.close();
    await db.drop();
  });
  beforeEach(() => (wakes = 0));

  const created = (bookingId: string) =>
    createEnvelope({ type: BookingTopics.created, key: bookingId, payload: { bookingId, userId: 'fan', totalMinor: 2500, currency: 'EUR', expiresAt: new Date(Date.now() + 600_000).toISOString() } });
  const cancelled = (bookingId: string) => createEnvelope({ type: BookingTopics.cancelled, key: bookingId, payload: { bookingId, reason: 'CANCELLED', refundRequested: true } });
  const payment = async (bookingId: string) =>
    (await orm.em.fork().execute<Array<{ status: string; booking_open: boolean; refund_requested_at: Date | null }>>('select status, booking_open, refund_requested_at from payment where booking_id = ?', [bookingId]))[0];

  it('opens a payment for booking.created without waking the settlement worker', async () => {
    const bookingId = randomUUID();
    await consumer.handle(created(bookingId));
    expect(await payment(bookingId)).toMatchObject({ status: 'REQUIRES_PAYMENT', booking_open: true, refund_requested_at: null });
    expect(wakes).toBe(0);
  });

  it('opens the payment and records the message as processed in one statement, and a redelivery writes nothing', async () => {
    const bookingId = randomUUID();
    const message = created(bookingId);
    queries.length = 0;
    await consumer.handle(message);
    // One statement, no BEGIN or COMMIT: one message per booking made is the consumer's hottest path.
    expect(queries.filter((q) => /\b(insert|begin|commit)\b/i.test(q))).toHaveLength(1);
    await consumer.handle(cancelled(bookingId));
    await consumer.handle(message);
    expect(await payment(bookingId)).toMatchObject({ status: 'REQUIRES_PAYMENT', booking_open: false });
    const [claims] = await orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from processed_messages where message_id = ?', [message.id]);
    expect(Number(claims.n)).toBe(1);
  });

  it('records booking.created as processed when the payment already exists (payBooking came first), changing nothing', async () => {
    const bookingId = randomUUID();
    await new PaymentService({} as PaymentProvider, { providerTimeoutMs: 1_000, holdExtensionSeconds: 60, reconcileAfterMs: 1_000 }, {} as BookingHolds)
      .openForBooking(orm.em.fork(), { bookingId, userId: 'fan', totalMinor: 9900, currency: 'EUR', expiresAt: new Date(Date.now() + 600_000).toISOString() });
    const message = created(bookingId);
    await consumer.handle(message);
    const [row] = await orm.em.fork().execute<Array<{ amount_minor: string; n: string }>>(
      'select amount_minor, (select count(*) from processed_messages where message_id = ?) as n from payment where booking_id = ?',
      [message.id, bookingId],
    );
    expect(row).toMatchObject({ amount_minor: '9900', n: '1' });
  });

  it('closes an unpaid payment on cancellation without waking the worker: there is nothing to refund', async () => {
    const bookingId = randomUUID();
    await consumer.handle(created(bookingId));
    await consumer.handle(cancelled(bookingId));
    expect(await payment(bookingId)).toMatchObject({ status: 'REQUIRES_PAYMENT', booking_open: false, refund_requested_at: null });
    expect(wakes).toBe(0);
  });

  it('asks for the refund of a paid payment on cancellation and wakes the worker for it, once', async () => {
    const bookingId = randomUUID();
    await consumer.handle(created(bookingId));
    await orm.em.fork().execute(`update payment set status = 'SUCCEEDED', charge_id = 'ch_1' where booking_id = ?`, [bookingId]);
    const message = cancelled(bookingId);
    await consumer.handle(message);
    expect((await payment(bookingId)).refund_requested_at).not.toBeNull();
    expect(wakes).toBe(1);
    // A redelivery of the same message changes nothing and wakes nobody.
    await consumer.handle(message);
    expect(wakes).toBe(1);
  });
});
