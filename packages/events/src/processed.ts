import type { EntityManager } from '@mikro-orm/postgresql';

/** Marks a message processed by a consumer; returns its id unless it already was. Parameters: consumer, message id. */
const CLAIM = 'insert into processed_messages (consumer, message_id) values (?, ?) on conflict do nothing returning message_id';

/**
 * Claims a message for a consumer inside the caller's transaction. Returns false when it was
 * already processed, so a redelivered message is a no-op. Because the row commits together with
 * the state change (docs/adr/0004-idempotency.md), a crash anywhere leaves either both or neither.
 */
export async function claimMessage(em: EntityManager, consumer: string, messageId: string): Promise<boolean> {
  const rows = await em.execute<Array<{ message_id: string }>>(CLAIM, [consumer, messageId]);
  return rows.length > 0;
}

/**
 * The claim as a CTE named `claimed` (one row when the consumer had not processed the message),
 * for a change that is a single statement: `with ${CLAIMED} insert … select … where exists
 * (select 1 from claimed)`. A statement is a transaction of its own, so claim and change commit
 * together without the BEGIN and COMMIT round trips a transaction costs — for a consumer that
 * handles one message per booking made, half its statements. Parameters: consumer, message id.
 */
export const CLAIMED = `claimed as (${CLAIM})`;
