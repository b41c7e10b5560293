import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { externalPostgres, startEmbeddedPostgres, startKafka, startRedisServer, kafkaAvailable, type PostgresHandle, type RedisHandle, type KafkaHandle } from '@eventix/local-infra';
import { TEST_ENV } from './test-env';

interface Started {
  postgres?: PostgresHandle;
  redis?: RedisHandle;
  kafka?: KafkaHandle;
  tmp?: string;
}

const log = (message: string) => process.stderr.write(`[test-infra] ${message}\n`);

/**
 * Starts the real components the whole suite shares, once: PostgreSQL (DATABASE_URL or the
 * embedded server), Redis (REDIS_URL or a local redis-server) and Kafka (KAFKA_BROKERS or a
 * single-node KRaft broker from Kafka's jars). Workers inherit the URLs through the
 * environment. A component that cannot be had fails the run with the reason: a test suite that
 * quietly skips its integration tests proves nothing.
 */
export default async function globalSetup(): Promise<void> {
  // Every workspace's jest config names this setup, so `jest` in one workspace folder has its
  // infrastructure too; a run over several workspaces calls it once per project, in one process.
  const shared = globalThis as { __eventixInfra?: Started };
  if (shared.__eventixInfra) return;
  const started: Started = {};
  shared.__eventixInfra = started;
  const t0 = Date.now();

  const [postgres, redis, kafka] = await Promise.all([
    process.env.DATABASE_URL
      ? Promise.resolve(externalPostgres(process.env.DATABASE_URL))
      : (async () => {
          started.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-test-pg-'));
          // mkdtemp makes the folder root-only; the server runs as the `postgres` user.
          fs.chmodSync(started.tmp, 0o755);
          return startEmbeddedPostgres({ dataDir: path.join(started.tmp, 'pg'), persistent: false, log });
        })(),
    process.env.REDIS_URL
      ? Promise.resolve<RedisHandle>({ url: process.env.REDIS_URL, embedded: false, stop: async () => undefined })
      : startRedisServer(log),
    process.env.KAFKA_BROKERS
      ? Promise.resolve<KafkaHandle | undefined>(undefined)
      : (async () => {
          const available = kafkaAvailable();
          if (!available.ok) {
            throw new Error(`Kafka is required by the integration tests: set KAFKA_BROKERS or install Java 17 and Maven (${available.reason})`);
          }
          return startKafka({ log });
        })(),
  ]).catch(async (error: Error) => {
    await stopAll(started);
    throw error;
  });
  Object.assign(started, { postgres, redis, kafka });

  process.env[TEST_ENV.postgres] = postgres.serverUrl;
  process.env[TEST_ENV.redis] = redis.url;
  process.env[TEST_ENV.kafka] = kafka ? kafka.brokers.join(',') : (process.env.KAFKA_BROKERS ?? '');
  log(
    `ready in ${Date.now() - t0} ms: postgres ${postgres.embedded ? 'embedded' : 'external'}, ` +
      `redis ${redis.embedded ? 'local redis-server' : 'external'}, kafka ${kafka ? 'local KRaft broker' : 'external'}`,
  );
}

export async function stopAll(started: Started | undefined): Promise<void> {
  if (!started) return;
  await Promise.allSettled([started.kafka?.stop(), started.redis?.stop(), started.postgres?.stop()]);
  if (started.tmp) fs.rmSync(started.tmp, { recursive: true, force: true });
}
