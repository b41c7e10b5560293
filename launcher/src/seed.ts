import { type CatalogSubgraph, Venue } from '@eventix/catalog';

export const DEMO_VENUE = 'Eventix Demo Arena';

/**
 * Seeds a demo venue (600 seats) and one on-sale event through the catalog's own services —
 * the same code the createVenue/createEvent/publishEvent mutations run — once per database.
 */
export async function seedDemo(catalog: CatalogSubgraph, log: (m: string) => void): Promise<void> {
  const em = catalog.orm.em.fork();
  if (await em.findOne(Venue, { name: DEMO_VENUE })) return;
  const venue = await catalog.venues.createVenue(em, {
    name: DEMO_VENUE,
    city: 'Berlin',
    sections: [
      { name: 'Floor', rows: 10, seatsPerRow: 30, price: '89.00' },
      { name: 'Lower Tier', rows: 6, seatsPerRow: 25, price: '59.50' },
      { name: 'Balcony', rows: 6, seatsPerRow: 25, price: '34.90' },
    ],
  });
  const startsAt = new Date(Date.now() + 30 * 24 * 3600 * 1000);
  const event = await catalog.events.createEvent(em, { venueId: venue.id, title: 'The Demo Tour — Opening Night', startsAt, currency: 'EUR' });
  await catalog.events.publishEvent(em, event.id);
  catalog.relay.nudge();
  log(`seeded "${DEMO_VENUE}" (600 seats) and the on-sale event ${event.id}`);
}
