import { dropDatabase, ensureDatabase, externalPostgres, startKafka, type KafkaHandle } from '@eventix/local-infra';

export const BENCH_SUBGRAPHS = ['catalog', 'booking', 'payment'] as const;
export type BenchSubgraph = (typeof BENCH_SUBGRAPHS)[number];

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The components a bench platform runs on: fresh databases, Redis and (optionally) Kafka. */
export interface BenchInfra {
  databaseUrls: Record<BenchSubgraph, string>;
  redisUrl: string;
  /** Empty when the platform was started without Kafka. */
  kafkaBrokers: string[];
  stop(): Promise<void>;
}

/**
 * Fresh, uniquely named databases on DATABASE_URL's server (so runs never see each other's
 * rows), Redis at REDIS_URL, and Kafka at KAFKA_BROKERS or a KRaft broker of this run alone
 * (started with @eventix/local-infra, as the test suite's global setup does).
 */
export async function startBenchInfra(runId: string, withKafka: boolean, log: (message: string) => void): Promise<BenchInfra> {
  const postgres = externalPostgres(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const names = Object.fromEntries(BENCH_SUBGRAPHS.map((s) => [s, `bench_${runId}_${s}`])) as Record<BenchSubgraph, string>;
  const databaseUrls = {} as Record<BenchSubgraph, string>;
  for (const subgraph of BENCH_SUBGRAPHS) databaseUrls[subgraph] = await ensureDatabase(postgres.serverUrl, names[subgraph]);
  let kafka: KafkaHandle | undefined;
  const given = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  try {
    if (withKafka && !given?.length) kafka = await startKafka({ log });
  } catch (error) {
    await Promise.allSettled(BENCH_SUBGRAPHS.map((s) => dropDatabase(postgres.serverUrl, names[s])));
    throw error;
  }
  return {
    databaseUrls,
    redisUrl: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
    kafkaBrokers: withKafka ? (kafka?.brokers ?? given ?? []) : [],
    async stop() {
      await kafka?.stop();
      // The services are stopped by now; a failed drop is reported, never fatal (the figures are in).
      const dropped = await Promise.allSettled(BENCH_SUBGRAPHS.map((s) => dropDatabase(postgres.serverUrl, names[s])));
      for (const r of dropped) if (r.status === 'rejected') log(`could not drop a bench database: ${(r.reason as Error).message}`);
      await postgres.stop();
    },
  };
}
