import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { ConfigError, type EnvSource } from '@eventix/config';
import { pino, stdTimeFunctions, type Logger } from 'pino';

export type { Logger };

/** The header that carries one request's id from the gateway to every subgraph it calls. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** pino's levels, quietest last: `warn` drops the access log and other routine lines, `silent` everything. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL (default `info`), read by every entry point the same way; anything else stops start-up naming it. */
export function loadLogLevel(service: string, env: EnvSource = process.env): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError(service, [{ variable: 'LOG_LEVEL', message: `must be one of ${LOG_LEVELS.join(', ')}` }]);
  return raw as LogLevel;
}

/**
 * Structured JSON logs, one logger per service, at the level LOG_LEVEL gives unless told. To
 * stdout through pino's default destination, which writes asynchronously (`fs.write` on libuv's
 * thread pool; lines logged meanwhile go out together) and flushes what is queued on a normal
 * exit — a process killed outright can lose its last lines. A synchronous destination measured
 * no faster (README, Performance) and would stall the event loop on a full log pipe.
 */
export function createLogger(service: string, level: LogLevel = loadLogLevel(service)): Logger {
  return pino({ name: service, level, base: { service }, timestamp: stdTimeFunctions.isoTime });
}

/** A plain `(message) => void` for code that only needs to report something. */
export const logLines = (logger: Logger) => (message: string) => logger.info(message);

/** The request id a caller sent (if it looks like one), or a new one. */
export function requestIdOf(req: http.IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(sent) ? sent : randomUUID();
}
