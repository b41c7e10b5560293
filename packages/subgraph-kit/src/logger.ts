import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { pino, stdTimeFunctions, type Logger } from 'pino';

export type { Logger };

/** The header that carries one request's id from the gateway to every subgraph it calls. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Structured JSON logs, one logger per service; level from LOG_LEVEL-style configuration. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({ name: service, level, base: { service }, timestamp: stdTimeFunctions.isoTime });
}

/** A plain `(message) => void` for code that only needs to report something. */
export const logLines = (logger: Logger) => (message: string) => logger.info(message);

/** The request id a caller sent (if it looks like one), or a new one. */
export function requestIdOf(req: http.IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(sent) ? sent : randomUUID();
}
