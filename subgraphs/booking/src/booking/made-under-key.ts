import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Does `userId` have a booking under idempotency key `key`? Asked on the asking request's EntityManager. */
interface KeyQuestion {
  em: EntityManager;
  userId: string;
  key: string;
}

/**
 * Whether callers already have a booking under their idempotency keys. Every keyed loser of a
 * burst asks at the same moment — when the request in flight they waited for has taken the
 * seat (create-booking.ts) — so the questions of one tick go to the database as one statement,
 * one index lookup per question, instead of one statement (and pooled connection) each.
 * Nothing is cached: bookings are never deleted, but "no" stops being true as soon as a
 * duplicate of the request commits one.
 */
export class MadeUnderKey {
  private readonly loader = new DataLoader<KeyQuestion, boolean>((questions) => this.read(questions), { cache: false, maxBatchSize: 1000 });

  ask(em: EntityManager, userId: string, key: string): Promise<boolean> {
    return this.loader.load({ em, userId, key });
  }

  private async read(questions: readonly KeyQuestion[]): Promise<boolean[]> {
    const asked = questions.map((q) => ({ user_id: q.userId, key: q.key }));
    // A lateral lookup per question keeps the plan an index lookup on booking_idempotency_idx
    // whatever the statistics say.
    const rows = await questions[0].em.execute<Array<{ n: number }>>(
      `select q.n from rows from (json_to_recordset(?::json) as (user_id text, key text)) with ordinality as q (user_id, key, n)
        cross join lateral (select 1 from booking b where b.user_id = q.user_id and b.idempotency_key = q.key limit 1) found`,
      [JSON.stringify(asked)],
    );
    const made = new Set(rows.map((r) => Number(r.n) - 1));
    return questions.map((_, i) => made.has(i));
  }
}
