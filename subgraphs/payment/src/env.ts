import { z } from 'zod';
import { envBoolean, envList, envPort, envUrl, loadConfig, type EnvSource } from '@eventix/config';

const schema = z.object({
  PAYMENT_PORT: envPort(4003),
  PAYMENT_HOST: z.string().default('127.0.0.1'),
  PAYMENT_DATABASE_URL: envUrl(['postgres', 'postgresql']),
  INTERNAL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (shared with the gateway)'),
  KAFKA_BROKERS: envList().optional(),
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
    production: vars.NODE_ENV === 'production',
  };
}

export const loadPaymentConfig = (env?: EnvSource) => loadConfig('payment', schema, toConfig, env);
