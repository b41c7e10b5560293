import type { z } from 'zod';

/** Where configuration values come from; `process.env` in production, a plain object in tests. */
export type EnvSource = Record<string, string | undefined>;

/**
 * Thrown when the environment does not satisfy a service's schema. Its message names every
 * offending variable so start-up can print it and stop, instead of failing later deep inside a
 * driver with a stack trace.
 */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: ReadonlyArray<{ variable: string; message: string }>,
  ) {
    super(
      `${service}: invalid configuration\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment with a zod object schema whose keys are variable names, then maps the
 * flat result to the service's typed, nested config. This is the only place a service reads
 * `process.env`.
 */
export function loadConfig<Schema extends z.ZodType<Record<string, unknown>, z.ZodTypeDef, unknown>, Config>(
  service: string,
  schema: Schema,
  toConfig: (vars: z.infer<Schema>) => Config,
  env: EnvSource = process.env,
): Config {
  // Empty strings mean "unset" for every variable: `FOO= npm start` should fall back to defaults.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      service,
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    );
  }
  return toConfig(parsed.data);
}
