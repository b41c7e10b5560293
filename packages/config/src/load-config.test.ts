import { z } from 'zod';
import { ConfigError, envBoolean, envList, envPort, envUrl, loadConfig } from './index';

const schema = z.object({
  PORT: envPort(4001),
  DATABASE_URL: envUrl(['postgres', 'postgresql']).optional(),
  KAFKA_BROKERS: envList().optional(),
  INTROSPECTION: envBoolean(false),
});
const toConfig = (vars: z.infer<typeof schema>) => ({
  http: { port: vars.PORT },
  database: { url: vars.DATABASE_URL },
  kafka: vars.KAFKA_BROKERS ? { brokers: vars.KAFKA_BROKERS } : undefined,
  introspection: vars.INTROSPECTION,
});

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    expect(loadConfig('catalog', schema, toConfig, {})).toEqual({
      http: { port: 4001 },
      database: { url: undefined },
      kafka: undefined,
      introspection: false,
    });
  });

  it('parses and nests values', () => {
    const config = loadConfig('catalog', schema, toConfig, {
      PORT: '5000',
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/x',
      KAFKA_BROKERS: 'a:9092, b:9092',
      INTROSPECTION: 'yes',
    });
    expect(config.http.port).toBe(5000);
    expect(config.kafka).toEqual({ brokers: ['a:9092', 'b:9092'] });
    expect(config.introspection).toBe(true);
  });

  it('treats an empty string as unset', () => {
    expect(loadConfig('catalog', schema, toConfig, { PORT: '' }).http.port).toBe(4001);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig('catalog', schema, toConfig, { PORT: 'abc', DATABASE_URL: 'mysql://x/y', INTROSPECTION: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'INTROSPECTION', 'PORT']);
    expect(configError.message).toContain('PORT: must be a port number');
    expect(configError.message).toContain('DATABASE_URL: must use postgres:// or postgresql://');
  });

  it('refuses an out-of-range port', () => {
    expect(() => loadConfig('gateway', schema, toConfig, { PORT: '70000' })).toThrow(/PORT: must be between 0 and 65535/);
  });
});
