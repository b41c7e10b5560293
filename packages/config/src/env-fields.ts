import { z } from 'zod';

/** A TCP port number given as a string, e.g. `4001`; `0` asks the OS for a free port (tests). */
export const envPort = (fallback: number) =>
  z.coerce
    .number({ invalid_type_error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

/** A URL with one of the given protocols, e.g. `postgres://...`. */
export const envUrl = (protocols: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine((value) => protocols.includes(new URL(value).protocol.replace(/:$/, '')), {
      message: `must use ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/** `true/false/1/0/yes/no`, so `FLAG=1` and `FLAG=true` both work. */
export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], {
      errorMap: () => ({ message: 'must be true or false' }),
    })
    .transform((value) => ['true', '1', 'yes'].includes(value))
    .default(fallback ? 'true' : 'false');

/** A comma-separated list, e.g. `KAFKA_BROKERS=host1:9092,host2:9092`. */
export const envList = () =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((items) => items.length > 0, { message: 'must list at least one entry' });
