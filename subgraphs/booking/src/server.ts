import type { MikroORM } from '@mikro-orm/postgresql';
import { OutboxRelay, type EventTransport, type Unsubscribe } from '@eventix/events';
import { initOrm, startSubgraphServer, type RunningSubgraph } from '@eventix/subgraph-kit';
import { bookingMigrations } from '../migrations/Migration20261125000000_booking_initial';
import { AvailabilityService } from './availability/availability.service';
import { Booking, BookingItem } from './booking/booking.entity';
import { BookingQueries } from './booking/booking.queries';
import { BookingService } from './booking/booking.service';
import { ExpiryWorker } from './booking/expiry.worker';
import { createLoaders, type BookingContext } from './context';
import type { BookingConfig } from './env';
import { SeatProjectionService, seatProjectionTopics } from './projection/seat-projection.service';
import { buildBookingSchema } from './schema';

export const bookingEntities = [Booking, BookingItem];

export interface BookingDeps {
  config: BookingConfig;
  transport: EventTransport;
  log: (message: string) => void;
  /** Sees every SQL statement (tests count queries with it). */
  onQuery?: (sql: string) => void;
}

export interface BookingSubgraph {
  orm: MikroORM;
  relay: OutboxRelay;
  projection: SeatProjectionService;
  bookings: BookingService;
  expiry: ExpiryWorker;
  /** Subscribes the consumers; call before any producer's relay runs in embedded mode. */
  consume(): Promise<void>;
  start(): Promise<RunningSubgraph>;
  stop(): Promise<void>;
}

export async function createBookingSubgraph({ config, transport, log, onQuery }: BookingDeps): Promise<BookingSubgraph> {
  const orm = await initOrm({ name: 'booking', clientUrl: config.database.url, entities: bookingEntities, migrations: bookingMigrations, debug: config.database.debug, onQuery });
  const relay = new OutboxRelay({ orm, transport, log });
  const projection = new SeatProjectionService(orm);
  const availability = new AvailabilityService();
  const queries = new BookingQueries();
  const bookings = new BookingService({
    holdTtlSeconds: config.holds.ttlSeconds,
    maxSeatsPerBooking: config.holds.maxSeatsPerBooking,
    lockTimeoutMs: config.holds.lockTimeoutMs,
  });
  const expiry = new ExpiryWorker({ orm, bookings, intervalMs: config.holds.expiryIntervalMs, onExpired: () => relay.nudge(), log });
  const unsubscribes: Unsubscribe[] = [];
  let running: RunningSubgraph | undefined;
  return {
    orm,
    relay,
    projection,
    bookings,
    expiry,
    async consume() {
      unsubscribes.push(await transport.subscribe({ groupId: 'booking.seat-projection', topics: seatProjectionTopics, handle: (m) => projection.handle(m) }));
    },
    async start() {
      const schema = await buildBookingSchema();
      running = await startSubgraphServer<BookingContext>(
        {
          name: 'booking',
          schema,
          internalSecret: config.internalSecret,
          production: config.production,
          log,
          createContext: (caller) => {
            const em = orm.em.fork();
            return { caller, em, loaders: createLoaders(em, availability), queries, bookings };
          },
        },
        config.http,
      );
      relay.start();
      expiry.start();
      return running;
    },
    async stop() {
      await running?.stop();
      await Promise.all(unsubscribes.map((u) => u()));
      await expiry.stop();
      await relay.stop();
      await orm.close();
    },
  };
}
