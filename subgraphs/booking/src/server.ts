import type { MikroORM } from '@mikro-orm/postgresql';
import { OutboxRelay, type EventTransport } from '@eventix/events';
import { initOrm, sendJson, subgraphLifecycle, type RunningSubgraph, type Logger } from '@eventix/subgraph-kit';
import { bookingMigrations } from '../migrations';
import { AvailabilityService } from './availability/availability.service';
import { Booking, BookingItem } from './booking/booking.entity';
import { BookingQueries } from './booking/booking.queries';
import { BookingService } from './booking/booking.service';
import { ExpiryWorker } from './booking/expiry.worker';
import { createLoaders, type BookingContext } from './context';
import type { BookingConfig } from './env';
import { SeatProjectionService, seatProjectionTopics } from './projection/seat-projection.service';
import { PaymentResultsConsumer, paymentResultTopics } from './payment-results/payment-results.consumer';
import { Ticket } from './ticket/ticket.entity';
import { TicketService } from './ticket/ticket.service';
import { TicketSigner } from './ticket/ticket-signer';
import { InProcessSeatFanout, RedisSeatFanout, SEAT_AVAILABILITY, type SeatFanout } from './live/seat-fanout';
import { seatChangeFrom, seatChangeTopics } from './live/seat-change';
import { buildBookingSchema } from './schema';
import { paymentHoldRoutes } from './payment-hold/payment-hold.routes';

export const bookingEntities = [Booking, BookingItem, Ticket];

export interface BookingDeps {
  config: BookingConfig;
  transport: EventTransport;
  log: (message: string) => void;
  /** Sees every SQL statement (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /** Structured request logs (JSON); `log` still takes plain messages. */
  logger?: Logger;
}

export interface BookingSubgraph {
  orm: MikroORM;
  relay: OutboxRelay;
  projection: SeatProjectionService;
  bookings: BookingService;
  tickets: TicketService;
  ticketSigner: TicketSigner;
  expiry: ExpiryWorker;
  fanout: SeatFanout;
  /** Subscribes the consumers; call before any producer's relay runs in embedded mode. */
  consume(): Promise<void>;
  start(): Promise<RunningSubgraph>;
  stop(): Promise<void>;
}

export async function createBookingSubgraph({ config, transport, log, onQuery, logger }: BookingDeps): Promise<BookingSubgraph> {
  const orm = await initOrm({ name: 'booking', clientUrl: config.database.url, entities: bookingEntities, migrations: bookingMigrations, debug: config.database.debug, onQuery });
  const relay = new OutboxRelay({ orm, transport, log });
  const availability = new AvailabilityService();
  const queries = new BookingQueries();
  const ticketSigner = await TicketSigner.create(config.ticketSigningKey);
  if (!config.ticketSigningKey) log('TICKET_SIGNING_KEY is not set: tickets are signed with a throw-away key');
  const tickets = new TicketService(ticketSigner);
  const bookings = new BookingService({
    holdTtlSeconds: config.holds.ttlSeconds,
    maxHoldExtensionSeconds: config.holds.maxExtensionSeconds,
    maxSeatsPerBooking: config.holds.maxSeatsPerBooking,
    lockTimeoutMs: config.holds.lockTimeoutMs,
    changeLogVersions: config.seatChangeLogVersions,
  }, tickets);
  const paymentResults = new PaymentResultsConsumer(orm, bookings, () => relay.nudge());
  const projection = new SeatProjectionService(orm, bookings, () => relay.nudge());
  const expiry = new ExpiryWorker({ orm, bookings, intervalMs: config.holds.expiryIntervalMs, onExpired: () => relay.nudge(), log });
  const fanout: SeatFanout = config.redisUrl ? new RedisSeatFanout(config.redisUrl, log) : new InProcessSeatFanout();
  const lifecycle = subgraphLifecycle<BookingContext>({
    name: 'booking',
    serving: config,
    orm,
    transport,
    relay,
    log,
    logger,
    schema: () => buildBookingSchema(fanout),
    subscriptions: true,
    createContext: (caller, em) => ({ caller, em, loaders: createLoaders(em, availability), queries, bookings, tickets, fanout, holdWatch: config.holds }),
    routes: {
      // Door scanners fetch the public key once and verify ticket codes offline.
      'GET /ticket-keys': (_req, _body, res) => sendJson(res, 200, { keys: [ticketSigner.publicJwk] }),
      ...paymentHoldRoutes({ orm, bookings, secret: config.internalSecret, onChange: () => relay.nudge(), log }),
    },
    readinessChecks: { redis: () => fanout.ping() },
    consumers: [
      // One group across instances: each seat change is PUBLISHed to Redis once, and Redis
      // reaches every instance that has subscribers of that event.
      {
        groupId: `${config.consumerGroupPrefix}booking.seat-fanout`,
        topics: seatChangeTopics,
        handle: async (m) => {
          const change = seatChangeFrom(m);
          if (change) await fanout.publish(SEAT_AVAILABILITY, change);
        },
      },
      { groupId: `${config.consumerGroupPrefix}booking.seat-projection`, topics: seatProjectionTopics, handle: (m) => projection.handle(m) },
      { groupId: `${config.consumerGroupPrefix}booking.payment-results`, topics: paymentResultTopics, handle: (m) => paymentResults.handle(m) },
    ],
    workers: { 'expiry worker': expiry },
    // The fan-out goes after the consumers that publish to it.
    stopLast: [['redis fan-out', () => fanout.close()]],
  });
  return { orm, relay, projection, bookings, tickets, ticketSigner, expiry, fanout, ...lifecycle };
}
