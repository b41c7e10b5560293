import type { EntityManager } from '@mikro-orm/postgresql';
import { Section, Venue } from './venue.entity';
import { planSeats, requireName, validateSections, type SectionPlan } from './venue.rules';

export interface CreateVenueCommand {
  name: string;
  city: string;
  sections: SectionPlan[];
}

export class VenueService {
  /**
   * Creates a venue with its sections and every seat of its layout in one transaction. Seats go in with one
   * set-based INSERT (jsonb_to_recordset) instead of one statement per seat, so a 20,000-seat
   * layout takes one round trip.
   */
  async createVenue(em: EntityManager, command: CreateVenueCommand): Promise<Venue> {
    const name = requireName('name', command.name);
    const city = requireName('city', command.city);
    validateSections(command.sections);
    const planned = planSeats(command.sections);
    return em.transactional(async (tx) => {
      const venue = tx.create(Venue, { name, city });
      const sections = command.sections.map((s, position) =>
        tx.create(Section, {
          venue,
          name: s.name.trim(),
          rows: s.rows,
          seatsPerRow: s.seatsPerRow,
          position,
          priceMinor: String(planned.find((p) => p.sectionIndex === position)?.priceMinor ?? 0),
        }),
      );
      await tx.flush();
      const rows = planned.map((seat) => ({
        id: seat.id,
        venue_id: venue.id,
        section_id: sections[seat.sectionIndex].id,
        row: seat.row,
        number: seat.number,
        x: seat.x,
        y: seat.y,
        ordinal: seat.ordinal,
        price_minor: seat.priceMinor,
      }));
      await tx.execute(
        `insert into venue_seat (id, venue_id, section_id, "row", number, x, y, ordinal, price_minor)
         select id, venue_id, section_id, "row", number, x, y, ordinal, price_minor
           from jsonb_to_recordset(?::jsonb)
             as t(id uuid, venue_id uuid, section_id uuid, "row" text, number int, x float8, y float8, ordinal int, price_minor bigint)`,
        [JSON.stringify(rows)],
      );
      return venue;
    });
  }

  findVenue(em: EntityManager, id: string): Promise<Venue | null> {
    return em.findOne(Venue, { id });
  }

  sectionsOf(em: EntityManager, venueId: string): Promise<Section[]> {
    return em.find(Section, { venue: venueId }, { orderBy: { position: 'asc' } });
  }
}
