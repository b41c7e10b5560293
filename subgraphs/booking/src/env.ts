import { z } from 'zod';
import { envBoolean, envList, envPort, envUrl, loadConfig, type EnvSource } from '@eventix/config';

const schema = z
  .object({
  BOOKING_PORT: envPort(4002),
  BOOKING_HOST: z.string().default('127.0.0.1'),
  BOOKING_DATABASE_URL: envUrl(['postgres', 'postgresql']),
  INTERNAL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (shared with the gateway)'),
  KAFKA_BROKERS: envList().optional(),
  /** Put before every Kafka topic name (two deployments or test platforms sharing one cluster must differ). */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-z0-9._-]*$/i, 'letters, digits, dots, dashes').default(''),
  REDIS_URL: envUrl(['redis', 'rediss']).optional(),
  HOLD_TTL_SECONDS: z.coerce.number().int().min(1, 'must be at least 1 second').max(86_400, 'must be at most a day').default(600),
  MAX_SEATS_PER_BOOKING: z.coerce.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100').default(10),
  BOOKING_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100 ms').max(60_000, 'must be at most 60 s').default(5_000),
  BOOKING_EXPIRY_INTERVAL_MS: z.coerce.number().int().min(50, 'must be at least 50 ms').default(1_000),
  /** Seat map versions per event the change log keeps for resuming live maps (issue #15). */
  SEAT_CHANGE_LOG_VERSIONS: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  /** holdExpiring warns this long before a hold ends. */
  HOLD_WARNING_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
  /** How often holdExpiring looks at its booking (extension, confirmation, cancellation). */
  HOLD_WATCH_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  MAX_HOLD_EXTENSION_SECONDS: z.coerce.number().int().min(0).max(3_600, 'must be at most an hour').default(900),
  /** Private Ed25519 JWK (JSON) that signs ticket codes; scanners verify with its public half. */
  TICKET_SIGNING_KEY: z
    .string()
    .transform((value, ctx) => {
      try {
        const jwk = JSON.parse(value) as { kty?: string; crv?: string; d?: string; x?: string };
        if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && jwk.d && jwk.x) return jwk;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a private Ed25519 JWK as JSON' });
      return z.NEVER;
    })
    .optional(),
  /** Prefix of this deployment's Kafka consumer groups (two deployments on one cluster must differ). */
  CONSUMER_GROUP_PREFIX: z.string().regex(/^[a-z0-9._-]*$/i, 'letters, digits, dots, dashes').default(''),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SQL_DEBUG: envBoolean(false),
  })
  .refine((v) => v.NODE_ENV !== 'production' || v.TICKET_SIGNING_KEY !== undefined, {
    path: ['TICKET_SIGNING_KEY'],
    message: 'is required in production (tickets signed with a throw-away key cannot be verified after a restart)',
  });

export type BookingConfig = ReturnType<typeof toConfig>;

function toConfig(vars: z.infer<typeof schema>) {
  return {
    http: { port: vars.BOOKING_PORT, host: vars.BOOKING_HOST },
    database: { url: vars.BOOKING_DATABASE_URL, debug: vars.SQL_DEBUG },
    internalSecret: vars.INTERNAL_JWT_SECRET,
    kafkaBrokers: vars.KAFKA_BROKERS,
    kafkaTopicPrefix: vars.KAFKA_TOPIC_PREFIX,
    redisUrl: vars.REDIS_URL,
    ticketSigningKey: vars.TICKET_SIGNING_KEY,
    holds: { ttlSeconds: vars.HOLD_TTL_SECONDS, maxExtensionSeconds: vars.MAX_HOLD_EXTENSION_SECONDS, maxSeatsPerBooking: vars.MAX_SEATS_PER_BOOKING, lockTimeoutMs: vars.BOOKING_LOCK_TIMEOUT_MS, expiryIntervalMs: vars.BOOKING_EXPIRY_INTERVAL_MS, warningSeconds: vars.HOLD_WARNING_SECONDS, watchIntervalMs: vars.HOLD_WATCH_INTERVAL_MS },
    seatChangeLogVersions: vars.SEAT_CHANGE_LOG_VERSIONS,
    consumerGroupPrefix: vars.CONSUMER_GROUP_PREFIX,
    production: vars.NODE_ENV === 'production',
  };
}

export const loadBookingConfig = (env?: EnvSource) => loadConfig('booking', schema, toConfig, env);
