import { type CatalogSubgraph, Event, EventStatus, Venue } from '@eventix/catalog';

export const DEMO_VENUE = 'Eventix Demo Arena';
export const DEMO_EVENT_TITLE = 'The Demo Tour — Opening Night';
const DEMO_EVENT_DAYS_AHEAD = 30;

/**
 * Seeds a demo venue (600 seats) once per database, and keeps an on-sale demo event ahead on
 * it, through the catalog's own services — the same code the createVenue/createEvent/
 * publishEvent mutations run. The data folder outlives the event: a month after the first
 * start, the event seeded then has started (its sales closed, off the fan app's list), so a
 * start that finds no upcoming demo event on sale seeds the next one.
 */
export async function seedDemo(catalog: CatalogSubgraph, log: (m: string) => void, now: () => Date = () => new Date()): Promise<void> {
  const em = catalog.orm.em.fork();
  let venue = await em.findOne(Venue, { name: DEMO_VENUE });
  if (!venue) {
    venue = await catalog.venues.createVenue(em, {
      name: DEMO_VENUE,
      city: 'Berlin',
      sections: [
        { name: 'Floor', rows: 10, seatsPerRow: 30, price: '89.00' },
        { name: 'Lower Tier', rows: 6, seatsPerRow: 25, price: '59.50' },
        { name: 'Balcony', rows: 6, seatsPerRow: 25, price: '34.90' },
      ],
    });
    log(`seeded "${DEMO_VENUE}" (600 seats)`);
  }
  if (await em.findOne(Event, { venue: venue.id, status: EventStatus.ON_SALE, startsAt: { $gt: now() } })) return;
  const startsAt = new Date(now().getTime() + DEMO_EVENT_DAYS_AHEAD * 24 * 3600 * 1000);
  const event = await catalog.events.createEvent(em, { venueId: venue.id, title: DEMO_EVENT_TITLE, startsAt, currency: 'EUR' });
  await catalog.events.publishEvent(em, event.id);
  catalog.relay.nudge();
  log(`seeded the on-sale demo event ${event.id} (${startsAt.toISOString()})`);
}
