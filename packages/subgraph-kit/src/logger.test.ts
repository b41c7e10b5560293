import { ConfigError } from '@eventix/config';
import { createLogger, loadLogLevel, LOG_LEVELS } from './logger';

describe('LOG_LEVEL', () => {
  it('is info when unset or empty', () => {
    expect(loadLogLevel('booking', {})).toBe('info');
    expect(loadLogLevel('booking', { LOG_LEVEL: '' })).toBe('info');
  });

  it("takes every one of pino's levels, in any case", () => {
    for (const level of LOG_LEVELS) expect(loadLogLevel('booking', { LOG_LEVEL: level.toUpperCase() })).toBe(level);
  });

  it('stops start-up naming the variable and the levels it takes', () => {
    const refuse = () => loadLogLevel('gateway', { LOG_LEVEL: 'loud' });
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow(/gateway: invalid configuration\n {2}- LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent/);
  });

  it("is the level of a service's logger", () => {
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn';
    try {
      const logger = createLogger('booking');
      expect(logger.level).toBe('warn');
      expect(logger.isLevelEnabled('info')).toBe(false);
      expect(createLogger('booking', 'debug').level).toBe('debug');
    } finally {
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
  });
});
