import crypto from 'node:crypto';
import path from 'node:path';
import { freePort } from '@eventix/local-infra';
import { graphqlClient, operations, serviceEntry, ServiceProcess, waitFor } from '@eventix/testing';
import type { FaultInfra } from './infra';

export const SERVICE_NAMES = ['catalog', 'booking', 'payment', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Short holds so that abandoned bookings expire while a case runs (the expiry invariant then means something). */
export const HOLD_TTL_SECONDS = 20;

export interface FaultPlatform {
  services: Record<ServiceName, ServiceProcess>;
  gatewayUrl: string;
  token(sub: string, permissions?: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts catalog, booking, payment and the gateway as separate node processes from their builds
 * (`npm run build` first), each on a fixed free port, against the suite's own infrastructure.
 * Subgraphs start first (they migrate their databases), the gateway last.
 */
export async function startFaultPlatform(infra: FaultInfra, logDir: string): Promise<FaultPlatform> {
  const ports = { catalog: await freePort(), booking: await freePort(), payment: await freePort(), gateway: await freePort() };
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const common = {
    NODE_ENV: 'development',
    INTERNAL_JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    REDIS_URL: infra.redis.url,
  };
  const services: Record<ServiceName, ServiceProcess> = {
    catalog: new ServiceProcess('catalog', serviceEntry('catalog').absolute, ports.catalog, { ...common, CATALOG_PORT: String(ports.catalog), CATALOG_DATABASE_URL: infra.databases.catalog.url }, logDir),
    booking: new ServiceProcess(
      'booking',
      serviceEntry('booking').absolute,
      ports.booking,
      {
        ...common,
        BOOKING_PORT: String(ports.booking),
        BOOKING_DATABASE_URL: infra.databases.booking.url,
        HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS),
        TICKET_SIGNING_KEY: JSON.stringify(privateKey.export({ format: 'jwk' })),
      },
      logDir,
    ),
    payment: new ServiceProcess(
      'payment',
      serviceEntry('payment').absolute,
      ports.payment,
      {
        ...common,
        PAYMENT_PORT: String(ports.payment),
        PAYMENT_DATABASE_URL: infra.databases.payment.url,
        // Payment takes the booking's hold over HTTP before charging.
        BOOKING_URL: `http://127.0.0.1:${ports.booking}/graphql`,
        PAYMENT_HOLD_EXTENSION_SECONDS: '30',
        PAYMENT_RECONCILE_AFTER_MS: '10000',
        PAYMENT_WORKER_INTERVAL_MS: '500',
      },
      logDir,
    ),
    gateway: new ServiceProcess(
      'gateway',
      serviceEntry('gateway').absolute,
      ports.gateway,
      {
        ...common,
        GATEWAY_PORT: String(ports.gateway),
        CATALOG_URL: `http://127.0.0.1:${ports.catalog}/graphql`,
        BOOKING_URL: `http://127.0.0.1:${ports.booking}/graphql`,
        PAYMENT_URL: `http://127.0.0.1:${ports.payment}/graphql`,
        // Tokens issued before a gateway restart must stay valid after it.
        DEV_ISSUER_KEY_FILE: path.join(logDir, 'dev-issuer-key.json'),
        // The load is a handful of users doing many bookings: rate limits are not under test here.
        RATE_LIMIT_PER_MINUTE: '1000000',
        RATE_LIMIT_BOOKING_PER_MINUTE: '1000000',
      },
      logDir,
    ),
  };
  const stop = async () => {
    await Promise.allSettled(SERVICE_NAMES.map((name) => services[name].stop()));
  };
  try {
    // One at a time: on two shared cores, parallel start-ups mostly slow each other down.
    for (const name of SERVICE_NAMES) await services[name].start();
  } catch (error) {
    await stop();
    throw error;
  }
  const baseUrl = services.gateway.url;
  return {
    services,
    gatewayUrl: `${baseUrl}/graphql`,
    async token(sub, permissions = []) {
      const res = await fetch(`${baseUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, permissions }) });
      if (res.status !== 200) throw new Error(`POST /dev/token answered ${res.status}`);
      return ((await res.json()) as { token: string }).token;
    },
    stop,
  };
}

export interface SeededEvent {
  eventId: string;
  seatIds: string[];
}

/**
 * Creates a venue and an on-sale event through the gateway as an organizer does, and returns
 * once the booking side has projected every seat (the projection travels over Kafka).
 */
export async function seedOnSaleEvent(platform: FaultPlatform, title: string, rows = 20, seatsPerRow = 30): Promise<SeededEvent> {
  const eventId = await publishEvent(platform, title, rows, seatsPerRow);
  const anonymous = graphqlClient(platform.gatewayUrl);
  const seatIds = await waitFor(
    async () => {
      await new Promise((r) => setTimeout(r, 300));
      const res = await anonymous(operations.SeatMapDocument, { eventId });
      const ev = res.data?.event;
      return ev && ev.availableSeatCount === rows * seatsPerRow ? ev.seats.map((s) => s.id) : undefined;
    },
    60_000,
    `booking's projection of event ${title}`,
  );
  return { eventId, seatIds };
}

/** Creates a venue and an event and puts it on sale (catalog only: booking learns of it through Kafka). */
export async function publishEvent(platform: FaultPlatform, title: string, rows: number, seatsPerRow: number): Promise<string> {
  const org = graphqlClient(platform.gatewayUrl, { authorization: `Bearer ${await platform.token('organizer', ['catalog:write'])}` });
  const venue = await org(operations.CreateVenueDocument, { input: { name: `${title} Hall`, city: 'Faultville', sections: [{ name: 'A', rows, seatsPerRow, price: '25.00' }] } });
  if (!venue.data) throw new Error(`createVenue failed: ${JSON.stringify(venue.errors)}`);
  const event = await org(operations.CreateEventDocument, {
    // The load picks seats at random; the lone-seat rule (PREVENT for new events) has its own tests.
    input: { venueId: venue.data.createVenue.id, title, startsAt: new Date(Date.now() + 5 * 86_400_000).toISOString(), currency: 'EUR', singleSeatRule: 'ALLOW' },
  });
  if (!event.data) throw new Error(`createEvent failed: ${JSON.stringify(event.errors)}`);
  const eventId = event.data.createEvent.id;
  const published = await org(operations.PublishEventDocument, { id: eventId });
  if (!published.data) throw new Error(`publishEvent failed: ${JSON.stringify(published.errors)}`);
  return eventId;
}
