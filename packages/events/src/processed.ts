import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Claims a message for a consumer inside the caller's transaction. Returns false when it was
 * already processed, so a redelivered message is a no-op. Because the row commits together with
 * the state change (docs/adr/0004-idempotency.md), a crash anywhere leaves either both or neither.
 */
export async function claimMessage(em: EntityManager, consumer: string, messageId: string): Promise<boolean> {
  const rows = await em.execute<Array<{ message_id: string }>>(
    'insert into processed_messages (consumer, message_id) values (?, ?) on conflict do nothing returning message_id',
    [consumer, messageId],
  );
  return rows.length > 0;
}
