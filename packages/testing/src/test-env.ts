import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@eventix/local-infra';

/** Variables the global setup hands to test workers. */
export const TEST_ENV = {
  postgres: 'EVENTIX_TEST_POSTGRES_URL',
  redis: 'EVENTIX_TEST_REDIS_URL',
  kafka: 'EVENTIX_TEST_KAFKA_BROKERS',
} as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through the root jest config (npm test), whose global setup starts the infrastructure`);
  return value;
}

export const testPostgresServerUrl = () => required(TEST_ENV.postgres);
export const testRedisUrl = () => required(TEST_ENV.redis);
export const testKafkaBrokers = () => required(TEST_ENV.kafka).split(',');

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, uniquely named database on the shared test server; drop it in afterAll. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const server = testPostgresServerUrl();
  const name = `t_${prefix}_${randomBytes(4).toString('hex')}`;
  const url = await ensureDatabase(server, name);
  return { name, url, drop: () => dropDatabase(server, name) };
}

/** A unique suffix for Kafka group ids and topics so test files never see each other's data. */
export const uniqueSuffix = () => randomBytes(4).toString('hex');
