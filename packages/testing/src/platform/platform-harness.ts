import { TicketSigner } from '@eventix/booking';
import { loadLauncherConfig, startPlatform, type Platform } from '@eventix/launcher';
import { Permission } from '@eventix/subgraph-kit';
import { graphqlClient } from '../graphql-client';
import { createTestDatabase, testKafkaBrokers, testRedisUrl, uniqueSuffix, type TestDatabase } from '../test-env';
import { waitFor } from '../wait-for';
import { CreateEventDocument, CreateVenueDocument, PublishEventDocument, SeatMapDocument } from '../generated/operations';

export interface PlatformHarness {
  platform: Platform;
  gatewayUrl: string;
  baseUrl: string;
  subgraphUrls: { catalog: string; booking: string; payment: string };
  token(sub: string, permissions?: string[]): Promise<string>;
  /** The environment the platform was started with (to start more gateways like it). */
  env: Record<string, string>;
  internalSecret: string;
  /** The environment of another gateway in front of this platform's subgraphs (a second instance, production mode…), plus `overrides`. */
  gatewayEnv(overrides?: Record<string, string>): Record<string, string>;
  as(token?: string): ReturnType<typeof graphqlClient>;
  close(): Promise<void>;
}

/**
 * The whole platform as `npm start` wires it, on fresh databases of the shared test server and
 * the real Kafka of the test run, every port picked by the OS.
 */
export async function startTestPlatform(overrides: Record<string, string> = {}): Promise<PlatformHarness> {
  const dbs: TestDatabase[] = await Promise.all(['catalog', 'booking', 'payment'].map((name) => createTestDatabase(`platform_${name}`)));
  const suffix = uniqueSuffix();
  const env = {
    GATEWAY_PORT: '0',
    CATALOG_PORT: '0',
    BOOKING_PORT: '0',
    PAYMENT_PORT: '0',
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    DEV_ISSUER_KEY_FILE: '',
    REDIS_URL: testRedisUrl(),
    // Consumer groups and topics of this platform alone: other platforms of the run share the
    // Kafka cluster, and a new group would otherwise replay every earlier platform's messages.
    CONSUMER_GROUP_PREFIX: `p${suffix}.`,
    KAFKA_TOPIC_PREFIX: `t${suffix}.`,
    ...overrides,
  };
  const config = loadLauncherConfig({ ...env, EVENTIX_DATA_DIR: '/tmp/eventix-platform-test', SEED_DEMO: 'false' });
  const infra = {
    postgres: { serverUrl: '', embedded: false, stop: async () => undefined },
    databaseUrls: { catalog: dbs[0].url, booking: dbs[1].url, payment: dbs[2].url },
    internalSecret: 'platform-test-internal-secret-0123456789abcdef',
    ticketSigningKey: JSON.stringify(await TicketSigner.generatePrivateJwk()),
  };
  const platform = await startPlatform(config, infra, env, () => () => undefined);
  const gatewayUrl = platform.gateway.url;
  const baseUrl = gatewayUrl.replace(/\/graphql$/, '');
  return {
    platform,
    gatewayUrl,
    baseUrl,
    subgraphUrls: platform.subgraphUrls,
    env,
    internalSecret: infra.internalSecret,
    gatewayEnv: (overrides = {}) => ({
      ...env,
      INTERNAL_JWT_SECRET: infra.internalSecret,
      CATALOG_URL: platform.subgraphUrls.catalog,
      BOOKING_URL: platform.subgraphUrls.booking,
      PAYMENT_URL: platform.subgraphUrls.payment,
      ...overrides,
    }),
    async token(sub, permissions = []) {
      const res = await fetch(`${baseUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, permissions }) });
      return ((await res.json()) as { token: string }).token;
    },
    as(token) {
      return graphqlClient(gatewayUrl, token ? { authorization: `Bearer ${token}` } : {});
    },
    async close() {
      await platform.stop();
      await Promise.all(dbs.map((db) => db.drop()));
    },
  };
}

export interface OnSaleEventOptions {
  venue?: string;
  city?: string;
  title?: string;
  section?: string;
  rows?: number;
  seatsPerRow?: number;
  price?: string;
  /**
   * The event's lone-seat rule (issue #15). ALLOW unless given: the harness's callers pick
   * seats freely (one seat here, another there), which PREVENT — the default for events
   * created without the field — would refuse as stranding seats.
   */
  singleSeatRule?: 'ALLOW' | 'PREVENT';
}

/**
 * An on-sale event created through the gateway as an organizer would, returned once booking
 * has projected every seat (the projection travels over Kafka). Seat ids in map order.
 */
export async function onSaleEvent(h: PlatformHarness, options: OnSaleEventOptions = {}): Promise<{ eventId: string; seatIds: string[] }> {
  const rows = options.rows ?? 1;
  const seatsPerRow = options.seatsPerRow ?? 20;
  const org = h.as(await h.token('organizer', [Permission.CATALOG_WRITE]));
  const section = { name: options.section ?? 'A', rows, seatsPerRow, price: options.price ?? '25.00' };
  const venue = await org(CreateVenueDocument, { input: { name: options.venue ?? 'Test Hall', city: options.city ?? 'Testville', sections: [section] } });
  const startsAt = new Date(Date.now() + 5 * 86_400_000).toISOString();
  const event = await org(CreateEventDocument, { input: { venueId: venue.data!.createVenue.id, title: options.title ?? 'Test Night', startsAt, currency: 'EUR', singleSeatRule: options.singleSeatRule ?? 'ALLOW' } });
  const eventId = event.data!.createEvent.id;
  await org(PublishEventDocument, { id: eventId });
  h.platform.catalog.relay.nudge();
  const seatIds = await waitFor(async () => {
    const res = await h.as()(SeatMapDocument, { eventId });
    return res.data?.event?.availableSeatCount === rows * seatsPerRow ? res.data.event.seats.map((s) => s.id) : undefined;
  }, 30_000, 'the seat projection');
  return { eventId, seatIds };
}
