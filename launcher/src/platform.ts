import 'reflect-metadata';
import path from 'node:path';
import { createTransport, type EventTransport } from '@eventix/events';
import { createBookingSubgraph, type BookingSubgraph, loadBookingConfig } from '@eventix/booking';
import { createCatalogSubgraph, type CatalogSubgraph, loadCatalogConfig } from '@eventix/catalog';
import { createPaymentSubgraph, type PaymentSubgraph, loadPaymentConfig } from '@eventix/payment';
import { startGateway, type RunningGateway, loadGatewayConfig } from '@eventix/gateway';
import type { EnvSource } from '@eventix/config';
import { stopInOrder, type Logger } from '@eventix/subgraph-kit';
import type { Infrastructure } from './infrastructure';
import type { LauncherConfig } from './env';
import { listeningOn } from './start-refused';

export interface Platform {
  catalog: CatalogSubgraph;
  booking: BookingSubgraph;
  payment: PaymentSubgraph;
  gateway: RunningGateway;
  subgraphUrls: { catalog: string; booking: string; payment: string };
  transport: EventTransport;
  stop(): Promise<void>;
}

/**
 * Every service of the platform in this one process, each with its own database, HTTP port,
 * config module and outbox relay. They share one event transport — Kafka when KAFKA_BROKERS is
 * set, otherwise the in-process bus (which is why they share a process). Each service still
 * reads its own validated configuration, built here from the environment plus what the
 * launcher provides.
 */
export async function startPlatform(
  config: LauncherConfig,
  infra: Infrastructure,
  env: EnvSource,
  log: (service: string) => (m: string) => void,
  logger?: (service: string) => Logger,
): Promise<Platform> {
  const shared = { ...env, INTERNAL_JWT_SECRET: infra.internalSecret };
  const transport = createTransport({ kafkaBrokers: config.kafkaBrokers, topicPrefix: config.kafkaTopicPrefix, clientId: 'eventix', log: log('events') });
  // Whatever started is stopped again if a later step fails, so a failed start leaks nothing.
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const catalog = await createCatalogSubgraph({
      config: loadCatalogConfig({ ...shared, CATALOG_DATABASE_URL: infra.databaseUrls.catalog }),
      transport,
      log: log('catalog'),
      logger: logger?.('catalog'),
    });
    started.push(catalog);
    const booking = await createBookingSubgraph({
      config: loadBookingConfig({ ...shared, BOOKING_DATABASE_URL: infra.databaseUrls.booking, TICKET_SIGNING_KEY: infra.ticketSigningKey }),
      transport,
      log: log('booking'),
      logger: logger?.('booking'),
    });
    started.push(booking);
    // Payments take the booking's hold synchronously; booking's port is known once it listens.
    let bookingUrl = '';
    const payment = await createPaymentSubgraph({
      config: loadPaymentConfig({ ...shared, PAYMENT_DATABASE_URL: infra.databaseUrls.payment }),
      bookingUrl: () => bookingUrl,
      transport,
      log: log('payment'),
      logger: logger?.('payment'),
    });
    started.push(payment);
    // Consumers first, so the in-process bus has its groups before any relay publishes.
    await booking.consume();
    await payment.consume();
    const [catalogUp, bookingUp, paymentUp] = await Promise.all([
      listeningOn('catalog', 'CATALOG_PORT', catalog.start()),
      listeningOn('booking', 'BOOKING_PORT', booking.start()),
      listeningOn('payment', 'PAYMENT_PORT', payment.start()),
    ]);
    bookingUrl = bookingUp.url;
    const gateway = await listeningOn('the gateway', 'GATEWAY_PORT', startGateway({
      config: loadGatewayConfig({
        ...shared,
        CATALOG_URL: catalogUp.url,
        BOOKING_URL: bookingUp.url,
        PAYMENT_URL: paymentUp.url,
        DEV_ISSUER_KEY_FILE: env.DEV_ISSUER_KEY_FILE ?? path.join(config.dataDir, 'dev-issuer-key.json'),
      }),
      log: log('gateway'),
      logger: logger?.('gateway'),
    }));
    return {
      catalog,
      booking,
      payment,
      gateway,
      subgraphUrls: { catalog: catalogUp.url, booking: bookingUp.url, payment: paymentUp.url },
      transport,
      // The gateway first, so no request reaches a subgraph that is going away; the subgraphs
      // (each: HTTP, consumers, relay, workers, database) side by side; the shared transport
      // last, because every relay published through it.
      async stop() {
        await stopInOrder('platform', [
          ['gateway', () => gateway.stop()],
          [
            'subgraphs',
            async () => {
              const failed = (await Promise.allSettled([catalog.stop(), booking.stop(), payment.stop()])).filter((r) => r.status === 'rejected');
              if (failed.length) throw new Error(failed.map((r) => String((r as PromiseRejectedResult).reason)).join('; '));
            },
          ],
          ['event transport', () => transport.close()],
        ]);
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((service) => service.stop()));
    await transport.close();
    throw error;
  }
}
