import { KafkaTransport, type EventEnvelope, type EventTransport } from '@eventix/events';
import { INTERNAL_CREDENTIAL_HEADER, signInternalCredential } from '@eventix/subgraph-kit';
import { createTestDatabase, graphqlClient, type GraphQLRequest, testKafkaBrokers, uniqueSuffix, type TestDatabase } from '@eventix/testing';
import { loadCatalogConfig } from '../src/env';
import { createCatalogSubgraph, type CatalogSubgraph } from '../src/server';

export const SECRET = 'test-internal-secret-that-is-long-enough-0123456789';

export interface CatalogHarness {
  catalog: CatalogSubgraph;
  db: TestDatabase;
  transport: EventTransport;
  url: string;
  /** SQL statements run since the last reset. */
  queries: string[];
  /** Messages the catalog published, read back from the real transport. */
  published: EventEnvelope[];
  /** A client with the gateway's credential for `user`: codegen-typed documents or query strings. */
  as(user: { sub?: string; permissions?: string[] }): GraphQLRequest;
  close(): Promise<void>;
}

/** A real catalog subgraph on a fresh database, publishing to the real Kafka of the test run. */
export async function startCatalog(): Promise<CatalogHarness> {
  const db = await createTestDatabase('catalog');
  // Topics of this harness alone: its reader's new group would otherwise read every other test's messages.
  const suffix = uniqueSuffix();
  const topicPrefix = `t${suffix}.`;
  const transport = new KafkaTransport({ brokers: testKafkaBrokers(), clientId: `catalog-test-${suffix}`, topicPrefix });
  const queries: string[] = [];
  const published: EventEnvelope[] = [];
  const config = loadCatalogConfig({ CATALOG_PORT: '0', CATALOG_DATABASE_URL: db.url, INTERNAL_JWT_SECRET: SECRET, KAFKA_TOPIC_PREFIX: topicPrefix });
  const catalog = await createCatalogSubgraph({ config, transport, log: () => undefined, onQuery: (sql) => queries.push(sql) });
  await transport.subscribe({
    groupId: `catalog-test-reader-${uniqueSuffix()}`,
    topics: ['catalog.event-published', 'catalog.event-cancelled'],
    handle: async (m) => void published.push(m),
  });
  const running = await catalog.start();
  return {
    catalog,
    db,
    transport,
    url: running.url,
    queries,
    published,
    as(user) {
      const request = graphqlClient(running.url);
      return (async (query: string, variables?: Record<string, unknown>) => {
        const token = await signInternalCredential(SECRET, { userId: user.sub, permissions: user.permissions ?? [] }, 'catalog');
        return request(query, variables, { [INTERNAL_CREDENTIAL_HEADER]: token });
      }) as GraphQLRequest;
    },
    async close() {
      await catalog.stop();
      await transport.close();
      await db.drop();
    },
  };
}
