import { z } from 'zod';
import { envBoolean, envList, envPort, envUrl, loadConfig, type EnvSource } from '@eventix/config';

const schema = z.object({
  PAYMENT_PORT: envPort(4003),
  PAYMENT_HOST: z.string().default('127.0.0.1'),
  PAYMENT_DATABASE_URL: envUrl(['postgres', 'postgresql']),
  INTERNAL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (shared with the gateway)'),
  KAFKA_BROKERS: envList().optional(),
  /** Put before every Kafka topic name (two deployments or test platforms sharing one cluster must differ). */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-z0-9._-]*$/i, 'letters, digits, dots, dashes').default(''),
  /** The booking subgraph (the gateway's BOOKING_URL): payments take the booking's hold there before charging. */
  BOOKING_URL: envUrl(['http', 'https']).default('http://127.0.0.1:4002/graphql'),
  BOOKING_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3_000),
  PAYMENT_PROVIDER: z.enum(['simulated']).default('simulated'),
  /** Shared with the provider: signs its webhooks. */
  PAYMENT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').default('whsec_eventix_simulated_dev_only'),
  PAYMENT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  PAYMENT_RECONCILE_AFTER_MS: z.coerce.number().int().min(100).default(60_000),
  PAYMENT_HOLD_EXTENSION_SECONDS: z.coerce.number().int().min(0).max(3_600).default(300),
  PAYMENT_WORKER_INTERVAL_MS: z.coerce.number().int().min(50).default(2_000),
  SIMULATED_WEBHOOK_DELAY_MS: z.coerce.number().int().min(0).default(300),
  /** Prefix of this deployment's Kafka consumer groups (two deployments on one cluster must differ). */
  CONSUMER_GROUP_PREFIX: z.string().regex(/^[a-z0-9._-]*$/i, 'letters, digits, dots, dashes').default(''),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SQL_DEBUG: envBoolean(false),
});

export type PaymentConfig = ReturnType<typeof toConfig>;

function toConfig(vars: z.infer<typeof schema>) {
  return {
    http: { port: vars.PAYMENT_PORT, host: vars.PAYMENT_HOST },
    database: { url: vars.PAYMENT_DATABASE_URL, debug: vars.SQL_DEBUG },
    internalSecret: vars.INTERNAL_JWT_SECRET,
    kafkaBrokers: vars.KAFKA_BROKERS,
    kafkaTopicPrefix: vars.KAFKA_TOPIC_PREFIX,
    booking: { url: vars.BOOKING_URL, timeoutMs: vars.BOOKING_CALL_TIMEOUT_MS },
    consumerGroupPrefix: vars.CONSUMER_GROUP_PREFIX,
    production: vars.NODE_ENV === 'production',
    provider: {
      kind: vars.PAYMENT_PROVIDER,
      webhookSecret: vars.PAYMENT_WEBHOOK_SECRET,
      timeoutMs: vars.PAYMENT_PROVIDER_TIMEOUT_MS,
      webhookDelayMs: vars.SIMULATED_WEBHOOK_DELAY_MS,
    },
    settlement: {
      reconcileAfterMs: vars.PAYMENT_RECONCILE_AFTER_MS,
      holdExtensionSeconds: vars.PAYMENT_HOLD_EXTENSION_SECONDS,
      workerIntervalMs: vars.PAYMENT_WORKER_INTERVAL_MS,
    },
  };
}

export const loadPaymentConfig = (env?: EnvSource) => loadConfig('payment', schema, toConfig, env);
