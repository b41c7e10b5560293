import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createEnvelope, KafkaTransport, type EventEnvelope, type EventTransport } from '@eventix/events';
import { INTERNAL_CREDENTIAL_HEADER, signInternalCredential } from '@eventix/subgraph-kit';
import { createTestDatabase, graphqlClient, type GraphQLRequest, testKafkaBrokers, uniqueSuffix, type TestDatabase } from '@eventix/testing';
import { loadBookingConfig } from '../src/env';
import { createBookingSubgraph, type BookingSubgraph } from '../src/server';

export const SECRET = 'test-internal-secret-that-is-long-enough-0123456789';

export interface BookingHarness {
  booking: BookingSubgraph;
  db: TestDatabase;
  groupPrefix: string;
  topicPrefix: string;
  transport: EventTransport;
  url: string;
  queries: string[];
  /** booking.* messages read back from the real transport. */
  published: EventEnvelope[];
  /** A client with the gateway's credential for `user`: codegen-typed documents or query strings. */
  as(user: { sub?: string; permissions?: string[] }): GraphQLRequest;
  /** Puts an event on sale in the projection through the real catalog-message handler. */
  publishEvent(seats: number, options?: { priceMinor?: number; currency?: string; singleSeatRule?: 'ALLOW' | 'PREVENT'; startsAt?: string }): Promise<{ eventId: string; seatIds: string[] }>;
  cancelEvent(eventId: string): Promise<void>;
  sql<T>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A booking subgraph on a fresh database, or a second instance on `sameDatabaseAs`'s. */
export async function startBooking(env: Record<string, string> = {}, sameDatabaseAs?: BookingHarness): Promise<BookingHarness> {
  const db: TestDatabase = sameDatabaseAs ? { ...sameDatabaseAs.db, drop: async () => undefined } : await createTestDatabase('booking');
  // Each deployment under test gets consumer groups and topics of its own (a new group would
  // otherwise read every other test's messages from the beginning); a second instance shares them.
  const suffix = uniqueSuffix();
  const groups = sameDatabaseAs?.groupPrefix ?? `g${suffix}.`;
  const topics = sameDatabaseAs?.topicPrefix ?? `t${suffix}.`;
  const transport = new KafkaTransport({ brokers: testKafkaBrokers(), clientId: `booking-test-${suffix}`, topicPrefix: topics });
  const queries: string[] = [];
  const published: EventEnvelope[] = [];
  const config = loadBookingConfig({
    BOOKING_PORT: '0',
    BOOKING_DATABASE_URL: db.url,
    INTERNAL_JWT_SECRET: SECRET,
    CONSUMER_GROUP_PREFIX: groups,
    KAFKA_TOPIC_PREFIX: topics,
    ...env,
  });
  const booking = await createBookingSubgraph({ config, transport, log: () => undefined, onQuery: (sql) => queries.push(sql) });
  await transport.subscribe({
    groupId: `booking-test-reader-${uniqueSuffix()}`,
    topics: ['booking.created', 'booking.confirmed', 'booking.cancelled'],
    handle: async (m) => void published.push(m),
  });
  await booking.consume();
  const running = await booking.start();
  const sql = <T>(query: string, params: unknown[] = []) => booking.orm.em.fork().execute<T[]>(query, params);
  return {
    booking,
    db,
    groupPrefix: groups,
    topicPrefix: topics,
    transport,
    url: running.url,
    queries,
    published,
    sql,
    as(user) {
      const request = graphqlClient(running.url);
      return (async (query: string, variables?: Record<string, unknown>) => {
        const token = await signInternalCredential(SECRET, { userId: user.sub, permissions: user.permissions ?? [] }, 'booking');
        return request(query, variables, { [INTERNAL_CREDENTIAL_HEADER]: token });
      }) as GraphQLRequest;
    },
    async publishEvent(seats, options = {}) {
      const eventId = randomUUID();
      const seatIds = Array.from({ length: seats }, () => randomUUID());
      await booking.projection.handle(
        createEnvelope({
          type: 'catalog.event-published',
          key: eventId,
          payload: {
            eventId,
            startsAt: options.startsAt ?? new Date(Date.now() + 30 * 86_400_000).toISOString(),
            currency: options.currency ?? 'EUR',
            priceVersion: 1,
            part: 1,
            parts: 1,
            totalSeats: seats,
            ...(options.singleSeatRule ? { singleSeatRule: options.singleSeatRule } : {}),
            seats: seatIds.map((seatId) => ({ seatId, priceMinor: options.priceMinor ?? 2500 })),
          },
        }),
      );
      return { eventId, seatIds: [...seatIds].sort() };
    },
    async cancelEvent(eventId) {
      await booking.projection.handle(createEnvelope({ type: 'catalog.event-cancelled', key: eventId, payload: { eventId } }));
    },
    async close() {
      await booking.stop();
      await transport.close();
      await db.drop();
    },
  };
}

/**
 * Another transaction: runs `lock`, then holds what it locked until `end(commit)` is called —
 * on commit after `onCommit`, otherwise rolled back. Plays the buyer (or duplicate request) a
 * test needs to be in the middle of its transaction.
 */
export async function holdLocks(h: BookingHarness, lock: (tx: EntityManager) => Promise<unknown>, onCommit: (tx: EntityManager) => Promise<unknown> = async () => undefined) {
  let finish!: (commit: boolean) => void;
  const ended = new Promise<boolean>((resolve) => (finish = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = h.booking.orm.em.fork().transactional(async (tx: EntityManager) => {
    await lock(tx);
    locked();
    if (!(await ended)) throw new Error('rolled back on purpose');
    await onCommit(tx);
  }).catch((error: Error) => {
    if (error.message !== 'rolled back on purpose') throw error;
  });
  await isLocked;
  return { end: async (commit: boolean) => { finish(commit); await done; } };
}
