import { randomUUID } from 'node:crypto';

/**
 * The versioned envelope every message travels in (DESIGN §2.7). `id` identifies the message
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
}

export interface NewEvent<Payload> {
  type: string;
  key: string;
  payload: Payload;
  version?: number;
  occurredAt?: Date;
}

export function createEnvelope<Payload>(event: NewEvent<Payload>): EventEnvelope<Payload> {
  return {
    id: randomUUID(),
    type: event.type,
    version: event.version ?? 1,
    occurredAt: (event.occurredAt ?? new Date()).toISOString(),
    key: event.key,
    payload: event.payload,
  };
}

/** Parses a message body, refusing anything that is not a complete envelope. */
export function parseEnvelope(raw: string): EventEnvelope {
  const value: unknown = JSON.parse(raw);
  if (!isEnvelope(value)) throw new Error('message is not an Eventix envelope');
  return value;
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
