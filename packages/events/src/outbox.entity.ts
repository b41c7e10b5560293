import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { EventEnvelope } from './envelope';

/**
 * One message waiting to leave the service. It is written in the same transaction as the state
 * change it announces (docs/adr/0001-transactional-outbox.md), so a message exists if and only if the change committed.
 * `seq` gives the relay a total order; `id` is the envelope's message id.
 */
@Entity({ tableName: 'outbox' })
export class OutboxMessage {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  seq?: string;

  @Property({ type: 'uuid', unique: true })
  id!: string;

  @Property({ type: 'text' })
  topic!: string;

  @Property({ type: 'text', fieldName: 'message_key' })
  key!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'json' })
  payload!: unknown;

  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  publishedAt?: Date;

  /** The writer's trace context, handed on in the envelope (added by each service's outbox-traceparent migration). */
  @Property({ type: 'text', nullable: true })
  traceparent?: string;

  static from(envelope: EventEnvelope, topic = envelope.type): OutboxMessage {
    const row = new OutboxMessage();
    row.id = envelope.id;
    row.topic = topic;
    row.key = envelope.key;
    row.type = envelope.type;
    row.version = envelope.version;
    row.payload = envelope.payload;
    row.occurredAt = new Date(envelope.occurredAt);
    row.traceparent = envelope.traceparent;
    return row;
  }
}

/**
 * The outbox row of an envelope as SQL sees it, for a writer that must insert it inside a larger
 * statement rather than through the unit of work (booking's seat changes insert it together with
 * the pending row whose commit-time trigger writes the seat map version into it: ADR 0003).
 * Column order and values are those `OutboxMessage.from` maps to, so both ways of writing give
 * the relay the same row.
 */
export const OUTBOX_INSERT_COLUMNS = ['id', 'topic', 'message_key', 'type', 'version', 'payload', 'occurred_at', 'traceparent'] as const;

/** Values for OUTBOX_INSERT_COLUMNS, in that order (payload as JSON text). */
export function outboxRowValues(envelope: EventEnvelope, topic = envelope.type): unknown[] {
  return [envelope.id, topic, envelope.key, envelope.type, envelope.version, JSON.stringify(envelope.payload), envelope.occurredAt, envelope.traceparent ?? null];
}
