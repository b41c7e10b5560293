import { randomUUID } from 'node:crypto';
import { UnprocessableMessageError } from './delivery-errors';
import { currentTraceparent } from './tracing';

/**
 * The versioned envelope every message travels in (docs/architecture.md, decision 8). `id` identifies the message
 * (consumers de-duplicate on it); `key` is the partition key — the concert's id for booking
 * events, so one event's seat changes stay in order. It is never the same thing as `id`.
 */
export interface EventEnvelope<Payload = unknown> {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  key: string;
  payload: Payload;
  /** W3C trace context of the operation that wrote the message (OpenTelemetry); absent when not traced. */
  traceparent?: string;
}

export interface NewEvent<Payload> {
  type: string;
  key: string;
  payload: Payload;
  version?: number;
  occurredAt?: Date;
}

export function createEnvelope<Payload>(event: NewEvent<Payload>): EventEnvelope<Payload> {
  const traceparent = currentTraceparent();
  return {
    id: randomUUID(),
    type: event.type,
    version: event.version ?? 1,
    occurredAt: (event.occurredAt ?? new Date()).toISOString(),
    key: event.key,
    payload: event.payload,
    ...(traceparent ? { traceparent } : {}),
  };
}

/**
 * Parses a message body, refusing anything that is not a complete envelope. The refusal is an
 * UnprocessableMessageError: no retry turns a bad body into a good one, so it is dead-lettered.
 */
export function parseEnvelope(raw: string): EventEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new UnprocessableMessageError(`message body is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isEnvelope(value)) throw new UnprocessableMessageError('message is not an Eventix envelope');
  return value;
}

/**
 * For handlers: refuses an envelope version the consumer does not understand (a producer
 * deployed ahead of it). The message is dead-lettered and can be replayed after the consumer
 * learns the version (`npm run dlq:replay -- <topic>`).
 */
export function requireVersion(message: EventEnvelope, ...supported: number[]): void {
  if (!supported.includes(message.version)) {
    throw new UnprocessableMessageError(`${message.type} version ${message.version} is not supported (knows ${supported.join(', ')})`);
  }
}

function isEnvelope(value: unknown): value is EventEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.type === 'string' &&
    typeof v.version === 'number' &&
    typeof v.occurredAt === 'string' &&
    typeof v.key === 'string' &&
    'payload' in v
  );
}
