import type { MikroORM } from '@mikro-orm/postgresql';
import { OutboxRelay, type EventTransport } from '@eventix/events';
import { initOrm, subgraphLifecycle, type RunningSubgraph, type Logger } from '@eventix/subgraph-kit';
import { paymentMigrations } from '../migrations';
import { createLoaders, type PaymentContext } from './context';
import type { PaymentConfig } from './env';
import { BookingEventsConsumer, bookingEventTopics } from './payment/booking-events.consumer';
import { Payment } from './payment/payment.entity';
import { PaymentService } from './payment/payment.service';
import { PaymentWorkers } from './payment/payment.workers';
import { httpBookingHolds } from './payment/booking-hold.client';
import { SimulatedProvider } from './provider/simulated.provider';
import { SimulatedLedger } from './provider/simulated-ledger';
import { buildPaymentSchema } from './schema';
import { providerWebhookRoute } from './webhook/webhook.route';

export const paymentEntities = [Payment];

export interface PaymentDeps {
  config: PaymentConfig;
  transport: EventTransport;
  log: (message: string) => void;
  /** Sees every SQL statement (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /** Structured request logs (JSON); `log` still takes plain messages. */
  logger?: Logger;
  /** Where the booking subgraph answers, when it is only known after start (the launcher); else BOOKING_URL. */
  bookingUrl?: () => string;
}

export interface PaymentSubgraph {
  orm: MikroORM;
  relay: OutboxRelay;
  payments: PaymentService;
  provider: SimulatedProvider;
  workers: PaymentWorkers;
  consume(): Promise<void>;
  start(): Promise<RunningSubgraph>;
  stop(): Promise<void>;
}

export async function createPaymentSubgraph({ config, transport, log, onQuery, logger, bookingUrl }: PaymentDeps): Promise<PaymentSubgraph> {
  const orm = await initOrm({ name: 'payment', clientUrl: config.database.url, entities: paymentEntities, migrations: paymentMigrations, debug: config.database.debug, onQuery });
  const relay = new OutboxRelay({ orm, transport, log });
  let webhookUrl: string | undefined;
  const provider = new SimulatedProvider({ webhookUrl: () => webhookUrl, webhookSecret: config.provider.webhookSecret, asyncDelayMs: config.provider.webhookDelayMs, log, ledger: new SimulatedLedger(orm) });
  const bookingHolds = httpBookingHolds({ bookingUrl: bookingUrl ?? (() => config.booking.url), secret: config.internalSecret, timeoutMs: config.booking.timeoutMs });
  const payments = new PaymentService(
    provider,
    {
      providerTimeoutMs: config.provider.timeoutMs,
      holdExtensionSeconds: config.settlement.holdExtensionSeconds,
      reconcileAfterMs: config.settlement.reconcileAfterMs,
    },
    bookingHolds,
    log,
  );
  const changed = () => relay.nudge();
  const workers = new PaymentWorkers(orm, payments, config.settlement.workerIntervalMs, changed, log);
  const bookingEvents = new BookingEventsConsumer(orm, payments, () => workers.kick());
  const lifecycle = subgraphLifecycle<PaymentContext>({
    name: 'payment',
    serving: config,
    orm,
    transport,
    relay,
    log,
    logger,
    schema: buildPaymentSchema,
    createContext: (caller, em) => ({ caller, em, loaders: createLoaders(em), payments }),
    routes: { 'POST /webhooks/provider': providerWebhookRoute({ orm, payments, secret: config.provider.webhookSecret, onChange: changed }) },
    consumers: [{ groupId: `${config.consumerGroupPrefix}payment.booking-events`, topics: bookingEventTopics, handle: (m) => bookingEvents.handle(m) }],
    workers: { 'settlement workers': workers },
    // The simulated provider posts its webhooks here once the port is known.
    onListening: (running) => (webhookUrl = running.url.replace(/\/graphql$/, '/webhooks/provider')),
    // No new simulated webhooks into a server that is stopping.
    stopFirst: [['provider webhooks', () => provider.close()]],
  });
  return { orm, relay, payments, provider, workers, ...lifecycle };
}
