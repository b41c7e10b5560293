import type { EntityManager } from '@mikro-orm/postgresql';
import { fromMinorUnits, isUuid } from '@eventix/subgraph-kit';
import type { SeatView, SectionView } from './seat.view';

interface SeatRow {
  id: string;
  row: string;
  number: number;
  x: number;
  y: number;
  price_minor: string;
  section_id: string;
  section_name: string;
  section_rows: number;
  section_seats_per_row: number;
}

/** Seat columns with their section's, joined: one round trip, no entity hydration. */
const SEAT_SELECT = `select s.id, s."row", s.number, s.x, s.y, s.price_minor, s.section_id,
         sec.name as section_name, sec.rows as section_rows, sec.seats_per_row as section_seats_per_row
    from seat s join section sec on sec.id = s.section_id`;

/**
 * Ids as one PostgreSQL array parameter (`= any(?::uuid[])`): 20,000 placeholders would cost
 * knex and the planner far more than one array. Only well-formed UUIDs get in (a reference
 * with another id finds nothing, as before), so the literal needs no quoting.
 */
const uuidArray = (ids: readonly string[]) => `{${ids.filter(isUuid).join(',')}}`;

/**
 * Lean reads of seats: plain rows into plain SeatView objects. Rows of one section share one
 * SectionView, so a 20,000-seat map holds a handful of section objects, not 20,000.
 */
export class SeatMapReader {
  /** Every seat of an event in map order (ordinal; the (event_id, ordinal) index). */
  async seatsOfEvent(em: EntityManager, eventId: string): Promise<SeatView[]> {
    const rows = await em.execute<SeatRow[]>(`${SEAT_SELECT} where s.event_id = ? order by s.ordinal`, [eventId]);
    return toViews(rows);
  }

  /** Seats by id, for entity references (`_entities` from booking's tickets and items). */
  async seatsById(em: EntityManager, ids: readonly string[]): Promise<Map<string, SeatView>> {
    const wanted = ids.map((id) => id.toLowerCase());
    if (!wanted.some(isUuid)) return new Map();
    const rows = await em.execute<SeatRow[]>(`${SEAT_SELECT} where s.id = any(?::uuid[])`, [uuidArray(wanted)]);
    return new Map(toViews(rows).map((seat) => [seat.id, seat]));
  }
}

function toViews(rows: readonly SeatRow[]): SeatView[] {
  const sections = new Map<string, SectionView>();
  const prices = new Map<string, string>(); // a section's seats share a price: format it once
  return rows.map((r) => {
    let section = sections.get(r.section_id);
    if (!section) {
      section = { id: r.section_id, name: r.section_name, rows: r.section_rows, seatsPerRow: r.section_seats_per_row };
      sections.set(r.section_id, section);
    }
    let price = prices.get(r.price_minor);
    if (price === undefined) {
      price = fromMinorUnits(r.price_minor);
      prices.set(r.price_minor, price);
    }
    return { id: r.id, row: r.row, number: r.number, x: r.x, y: r.y, price, section };
  });
}
