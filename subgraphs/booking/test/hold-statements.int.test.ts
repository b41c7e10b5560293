import type { EntityManager } from '@mikro-orm/postgresql';
import { startBooking, type BookingHarness } from './booking-harness';
import { activeHolds } from '../src/booking/create-booking';
import { lockSeats, waitForSeats } from '../src/booking/seat-lock';
import { holdInOneStatement } from '../src/booking/one-statement-hold';
import { AvailabilityService } from '../src/availability/availability.service';

/** A node of PostgreSQL's EXPLAIN (ANALYZE, FORMAT JSON) plan. */
interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Ends the explaining transaction: the locks and reads leave nothing behind. */
class RolledBack extends Error {}

/** Table rows a plan read: returned or thrown away by a filter, over all loops of every scan. */
function rowsRead(node: PlanNode): number {
  const own = node['Relation Name']
    ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * node['Actual Loops']
    : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}

/**
 * A hold is the platform's hottest write: the statements createBooking runs for it must read the
 * seats (and, under the lone-seat rule, the rows) it asks for — not every seat of the event nor
 * every ticket sold for it, which made a stadium on-sale cost PostgreSQL milliseconds per hold.
 * Likewise the seat-map cache key, read for every seat-map request, must not pass over the
 * event's live holds. Each statement runs for real under EXPLAIN ANALYZE, which counts the rows it read. The event
 * goes on sale after the tables' statistics were taken, as a new event does in production.
 */
describe('hold and seat-map key statements: work per request does not grow with the event (real PostgreSQL)', () => {
  const SEATS = 3000;
  const SOLD = 1000;
  const ROW_LENGTH = 50;
  let h: BookingHarness;
  let eventId: string;
  let seatIds: string[];
  /** Runs the statements a function sends under EXPLAIN ANALYZE, in one transaction rolled back at the end. */
  async function explained(run: (em: EntityManager) => Promise<unknown>): Promise<number[]> {
    const reads: number[] = [];
    await h.booking.orm.em.fork().transactional(async (tx: EntityManager) => {
      const explaining = {
        execute: async (sql: string, params: unknown[]) => {
          const [row] = await tx.execute<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(`explain (analyze, format json) ${sql}`, params);
          reads.push(rowsRead(row['QUERY PLAN'][0].Plan));
          return [];
        },
      } as unknown as EntityManager;
      await run(explaining);
      throw new RolledBack();
    }).catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
    return reads;
  }

  beforeAll(async () => {
    h = await startBooking();
    await h.sql('analyze');
    ({ eventId, seatIds } = await h.publishEvent(SEATS));
    // Rows of 50 in one section (for the lone-seat rule's row locks).
    await h.sql(
      `update seat_projection s set section_id = '00000000-0000-4000-8000-000000000001', row_label = 'R' || (n.i / ?), seat_number = n.i % ?
         from (select seat_id, row_number() over (order by seat_id) - 1 as i from seat_projection where event_id = ?) n
        where s.event_id = ? and s.seat_id = n.seat_id`,
      [ROW_LENGTH, ROW_LENGTH, eventId, eventId],
    );
    // The first 1,000 seats sold, the next 1,000 held (live holds ending over the next hour).
    for (const [status, offset, expiresAt] of [['CONFIRMED', 0, 'now()'], ['PENDING', SOLD, "now() + interval '10 minutes' + random() * interval '50 minutes'"]] as const) {
      await h.sql(
        `with taken as (select seat_id, gen_random_uuid() as booking_id from seat_projection where event_id = ? order by seat_id offset ? limit ?),
              b as (insert into booking (id, user_id, event_id, status, total_minor, currency, expires_at)
                    select booking_id, 'fan', ?, '${status}', 2500, 'EUR', ${expiresAt} from taken)
         insert into booking_item (id, booking_id, event_id, seat_id, price_minor, status)
         select gen_random_uuid(), booking_id, ?, seat_id, 2500, '${status}' from taken`,
        [eventId, offset, SOLD, eventId, eventId],
      );
    }
  }, 60_000);
  afterAll(() => h?.close());

  const free = () => seatIds[SEATS - 1];
  const sold = () => seatIds[0];

  it('locks only the requested seats (the event has 3,000)', async () => {
    const [lock] = await explained((em) => lockSeats(em, 1000, eventId, [free(), seatIds[SEATS - 2]]));
    expect(lock).toBeLessThanOrEqual(10);
  });

  it('reads only the holds on the requested seats (1,000 of the event are sold, 1,000 held)', async () => {
    const [read] = await explained((em) => activeHolds(em, eventId, [sold(), free()]));
    expect(read).toBeLessThanOrEqual(10);
  });

  it('holds in one statement reading only the requested seats, their holds and the key (whether it writes or not)', async () => {
    const settings = { holdTtlSeconds: 600, lockTimeoutMs: 1000 };
    const hold = (seats: string[]) => (em: EntityManager) => holdInOneStatement(em, settings, new Date(), { userId: 'explained', eventId, seatIds: seats, idempotencyKey: 'k' });
    const [writes] = await explained(hold([free(), seatIds[SEATS - 2]]));
    const [refuses] = await explained(hold([sold(), free()]));
    expect(writes).toBeLessThanOrEqual(12);
    expect(refuses).toBeLessThanOrEqual(12);
  });

  it('a loser waits on the requested seats only', async () => {
    const [wait] = await explained((em) => waitForSeats(em, 1000, eventId, [free()]));
    expect(wait).toBeLessThanOrEqual(10);
  });

  it('reads the earliest live hold of the seat-map key from one index entry, not the 1,000 live holds', async () => {
    const [key] = await explained((em) => new AvailabilityService().cacheKey(em, eventId));
    expect(key).toBeLessThanOrEqual(3);
  });

  it("counts the event's available seats without reading its 1,000 sold and 1,000 held seats", async () => {
    const counts = new AvailabilityService();
    const [events] = await explained((em) => counts.events(em, [eventId]));
    expect(events).toBeLessThanOrEqual(3);
  });

  it('under the lone-seat rule, locks the rows of the requested seats and nothing else', async () => {
    await h.sql(`update event_projection set single_seat_rule = 'PREVENT' where event_id = ?`, [eventId]);
    try {
      const [lock] = await explained((em) => lockSeats(em, 1000, eventId, [free()]));
      // The seat, its row found by (section, row), and the row's 50 seats locked.
      expect(lock).toBeLessThanOrEqual(1 + 2 * ROW_LENGTH + 10);
    } finally {
      await h.sql(`update event_projection set single_seat_rule = 'ALLOW' where event_id = ?`, [eventId]);
    }
  });
});
