import type { EntityManager } from '@mikro-orm/core';
import { createEnvelope, type EventEnvelope, type NewEvent } from './envelope';
import { OutboxMessage } from './outbox.entity';

/**
 * Queues a message in the caller's unit of work. Call it inside the transaction that makes the
 * change; the message commits — or rolls back — with it. Returns the envelope (its id is the
 * message id consumers de-duplicate on).
 */
export function recordEvent<Payload>(em: EntityManager, event: NewEvent<Payload>): EventEnvelope<Payload> {
  const envelope = createEnvelope(event);
  em.persist(OutboxMessage.from(envelope));
  return envelope;
}
