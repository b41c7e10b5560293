import path from 'node:path';
import { z } from 'zod';
import { envList, envPort, envUrl, loadConfig, type EnvSource } from '@eventix/config';
import { repoRoot } from '@eventix/local-infra';

const schema = z.object({
  DATABASE_URL: envUrl(['postgres', 'postgresql']).optional(),
  EMBEDDED_POSTGRES_PORT: envPort(54329),
  KAFKA_BROKERS: envList().optional(),
  /** Put before every Kafka topic name (two deployments or test platforms sharing one cluster must differ). */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-z0-9._-]*$/i, 'letters, digits, dots, dashes').default(''),
  REDIS_URL: envUrl(['redis', 'rediss']).optional(),
  INTERNAL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TICKET_SIGNING_KEY: z.string().optional(),
  EVENTIX_DATA_DIR: z.string().default(path.join(repoRoot(), '.data')),
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
  // The fan app (web/): its port, and the Auth0 SPA client it signs in with when the gateway uses Auth0.
  WEB_PORT: envPort(4200),
  AUTH0_DOMAIN: z.string().optional(),
  AUTH0_AUDIENCE: z.string().optional(),
  AUTH0_SPA_CLIENT_ID: z.string().optional(),
});

export type LauncherConfig = ReturnType<typeof toConfig>;

function toConfig(vars: z.infer<typeof schema>) {
  return {
    databaseUrl: vars.DATABASE_URL,
    embeddedPostgresPort: vars.EMBEDDED_POSTGRES_PORT,
    kafkaBrokers: vars.KAFKA_BROKERS,
    kafkaTopicPrefix: vars.KAFKA_TOPIC_PREFIX,
    redisUrl: vars.REDIS_URL,
    internalSecret: vars.INTERNAL_JWT_SECRET,
    ticketSigningKey: vars.TICKET_SIGNING_KEY,
    dataDir: vars.EVENTIX_DATA_DIR,
    seedDemo: vars.SEED_DEMO === 'true',
    web: {
      port: vars.WEB_PORT,
      auth:
        vars.AUTH0_DOMAIN && vars.AUTH0_AUDIENCE && vars.AUTH0_SPA_CLIENT_ID
          ? { kind: 'auth0' as const, domain: vars.AUTH0_DOMAIN, audience: vars.AUTH0_AUDIENCE, clientId: vars.AUTH0_SPA_CLIENT_ID }
          : { kind: 'dev' as const },
    },
  };
}

export const loadLauncherConfig = (env?: EnvSource) => loadConfig('launcher', schema, toConfig, env);
