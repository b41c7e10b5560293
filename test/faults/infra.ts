import { Client } from 'pg';
import {
  dropDatabase,
  ensureDatabase,
  externalPostgres,
  startRestartableKafka,
  startRestartableRedis,
  type PostgresHandle,
  type RestartableKafka,
  type RestartableRedis,
} from '@eventix/local-infra';

export const SERVICES_WITH_DB = ['catalog', 'booking', 'payment'] as const;
export type ServiceWithDb = (typeof SERVICES_WITH_DB)[number];

/**
 * The fault suite's own components: a redis-server and a KRaft broker nobody else uses (so
 * stopping them disturbs no one), and fresh, uniquely named databases on DATABASE_URL's server
 * (an embedded PostgreSQL that global-setup.js started when none was given).
 */
export interface FaultInfra {
  postgres: PostgresHandle;
  redis: RestartableRedis;
  kafka: RestartableKafka;
  databases: Record<ServiceWithDb, { name: string; url: string }>;
  /** A query on one service's database (a fresh connection each time: the server may be refusing them). */
  query<Row extends object>(db: ServiceWithDb, sql: string, params?: unknown[]): Promise<Row[]>;
  /** Makes `db` refuse new connections and ends the open ones (superuser statements). */
  refuseConnections(db: ServiceWithDb): Promise<void>;
  allowConnections(db: ServiceWithDb): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultInfra(runId: string, log: (message: string) => void): Promise<FaultInfra> {
  const startPostgres = async () => {
    // global-setup.js starts an embedded server when none was given.
    if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: run through test/faults/jest.config.js');
    return externalPostgres(process.env.DATABASE_URL);
  };
  const started = await Promise.allSettled([startPostgres(), startRestartableRedis(), startRestartableKafka({ log })] as const);
  const [pgResult, redisResult, kafkaResult] = started;
  if (pgResult.status === 'rejected' || redisResult.status === 'rejected' || kafkaResult.status === 'rejected') {
    // Stop what did start, so a failed start-up leaves no server behind.
    await Promise.allSettled([
      pgResult.status === 'fulfilled' ? pgResult.value.stop() : undefined,
      redisResult.status === 'fulfilled' ? redisResult.value.dispose() : undefined,
      kafkaResult.status === 'fulfilled' ? kafkaResult.value.dispose() : undefined,
    ]);
    throw started.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []))[0];
  }
  const [postgres, redis, kafka] = [pgResult.value, redisResult.value, kafkaResult.value];
  const databases = {} as FaultInfra['databases'];
  for (const service of SERVICES_WITH_DB) {
    const name = `faults_${runId}_${service}`;
    databases[service] = { name, url: await ensureDatabase(postgres.serverUrl, name) };
  }
  const admin = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: `${postgres.serverUrl}/postgres` });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    postgres,
    redis,
    kafka,
    databases,
    async query<Row extends object>(db: ServiceWithDb, sql: string, params: unknown[] = []) {
      const client = new Client({ connectionString: databases[db].url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as Row[];
      } finally {
        await client.end();
      }
    },
    refuseConnections: (db) =>
      admin(async (client) => {
        await client.query(`alter database ${databases[db].name} with allow_connections false`);
        await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [databases[db].name]);
      }),
    allowConnections: (db) =>
      admin(async (client) => {
        await client.query(`alter database ${databases[db].name} with allow_connections true`);
      }),
    async stop() {
      await Promise.allSettled([redis.dispose(), kafka.dispose()]);
      await Promise.allSettled(SERVICES_WITH_DB.map((s) => dropDatabase(postgres.serverUrl, databases[s].name)));
      await postgres.stop();
    },
  };
}
