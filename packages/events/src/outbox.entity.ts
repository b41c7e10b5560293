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
