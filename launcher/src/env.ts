import path from 'node:path';
import { z } from 'zod';
import { envList, envPort, envUrl, loadConfig, type EnvSource } from '@eventix/config';
import { repoRoot } from '@eventix/local-infra';

const schema = z.object({
  DATABASE_URL: envUrl(['postgres', 'postgresql']).optional(),
  EMBEDDED_POSTGRES_PORT: envPort(54329),
  KAFKA_BROKERS: envList().optional(),
  REDIS_URL: envUrl(['redis', 'rediss']).optional(),
  INTERNAL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TICKET_SIGNING_KEY: z.string().optional(),
  EVENTIX_DATA_DIR: z.string().default(path.join(repoRoot(), '.data')),
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
});

export type LauncherConfig = ReturnType<typeof toConfig>;

function toConfig(vars: z.infer<typeof schema>) {
  return {
    databaseUrl: vars.DATABASE_URL,
    embeddedPostgresPort: vars.EMBEDDED_POSTGRES_PORT,
    kafkaBrokers: vars.KAFKA_BROKERS,
    redisUrl: vars.REDIS_URL,
    internalSecret: vars.INTERNAL_JWT_SECRET,
    ticketSigningKey: vars.TICKET_SIGNING_KEY,
    dataDir: vars.EVENTIX_DATA_DIR,
    seedDemo: vars.SEED_DEMO === 'true',
  };
}

export const loadLauncherConfig = (env?: EnvSource) => loadConfig('launcher', schema, toConfig, env);
