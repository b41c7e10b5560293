import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  dropDatabase,
  ensureDatabase,
  externalPostgres,
  startEmbeddedPostgres,
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
 * or on an embedded PostgreSQL.
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
  let tmp: string | undefined;
  const startPostgres = async () => {
    if (process.env.DATABASE_URL) return externalPostgres(process.env.DATABASE_URL);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-faults-pg-'));
    // mkdtemp makes the folder root-only; the embedded server runs as the `postgres` user.
    fs.chmodSync(tmp, 0o755);
    return startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), persistent: false, log });
  };
  const [postgres, redis, kafka] = await Promise.all([startPostgres(), startRestartableRedis(), startRestartableKafka({ log })]);
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
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
