import crypto from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { FaultInfra } from './infra';

/**
 * Plants one violation of every invariant for `eventId`, so the suite proves its checks can
 * fail. Only for the end of a run, with the services stopped (a running relay would publish
 * the planted outbox row, and a consumer would trip over it).
 */
export async function plantViolations(infra: FaultInfra, eventId: string): Promise<void> {
  const [seat] = await infra.query<{ seat_id: string; price_minor: string }>('booking', `select seat_id, price_minor from seat_projection p where event_id = $1 and not exists
       (select 1 from booking_item i where i.event_id = p.event_id and i.seat_id = p.seat_id and i.status in ('PENDING', 'CONFIRMED')) limit 1`, [eventId]);
  const [twice, drifted, stalePending] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const booking = (id: string, status: string, expiresAt: string) =>
    infra.query('booking', `insert into booking (id, user_id, event_id, status, total_minor, currency, expires_at) values ($1, 'planted', $2, $3, 100, 'EUR', ${expiresAt})`, [id, eventId, status]);
  // Two CONFIRMED bookings on one seat; the second item's status drifted, which is how it gets past the unique index.
  await booking(twice, 'CONFIRMED', "now() + interval '1 hour'");
  await booking(drifted, 'CONFIRMED', "now() + interval '1 hour'");
  await infra.query('booking', `insert into booking_item (id, booking_id, event_id, seat_id, price_minor, status) values ($1, $2, $3, $4, 100, 'CONFIRMED'), ($5, $6, $3, $4, 100, 'CANCELLED')`, [
    crypto.randomUUID(),
    twice,
    eventId,
    seat.seat_id,
    crypto.randomUUID(),
    drifted,
  ]);
  // A hold an hour past its expiry, and money captured for it.
  await booking(stalePending, 'PENDING', "now() - interval '1 hour'");
  await infra.query('payment', `insert into payment (id, booking_id, user_id, status, amount_minor, currency) values ($1, $2, 'planted', 'SUCCEEDED', 100, 'EUR')`, [crypto.randomUUID(), stalePending]);
  await infra.query('payment', `insert into outbox (id, topic, message_key, type, version, payload, occurred_at) values ($1, 'faults.planted', 'planted', 'faults.planted', 1, '{}', now())`, [crypto.randomUUID()]);
  await infra.query('booking', 'update seat_projection set price_minor = price_minor + 1 where event_id = $1 and seat_id = $2', [eventId, seat.seat_id]);
  const producer = new Kafka({ clientId: 'faults-planted', brokers: infra.kafka.brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic: 'faults.planted.dlq', messages: [{ key: 'planted', value: '{}' }] });
  } finally {
    await producer.disconnect();
  }
}
