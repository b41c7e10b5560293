import { z } from 'zod';
import { envBoolean, envList, envPort, envUrl, loadConfig, type EnvSource } from '@eventix/config';

const schema = z.object({
  CATALOG_PORT: envPort(4001),
  CATALOG_HOST: z.string().default('127.0.0.1'),
  CATALOG_DATABASE_URL: envUrl(['postgres', 'postgresql']),
  INTERNAL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (shared with the gateway)'),
  KAFKA_BROKERS: envList().optional(),
  /** Put before every Kafka topic name (two deployments or test platforms sharing one cluster must differ). */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-z0-9._-]*$/i, 'letters, digits, dots, dashes').default(''),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SQL_DEBUG: envBoolean(false),
});

export type CatalogConfig = ReturnType<typeof toConfig>;

function toConfig(vars: z.infer<typeof schema>) {
  return {
    http: { port: vars.CATALOG_PORT, host: vars.CATALOG_HOST },
    database: { url: vars.CATALOG_DATABASE_URL, debug: vars.SQL_DEBUG },
    internalSecret: vars.INTERNAL_JWT_SECRET,
    kafkaBrokers: vars.KAFKA_BROKERS,
    kafkaTopicPrefix: vars.KAFKA_TOPIC_PREFIX,
    production: vars.NODE_ENV === 'production',
  };
}

export const loadCatalogConfig = (env?: EnvSource) => loadConfig('catalog', schema, toConfig, env);
