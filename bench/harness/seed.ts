import { waitFor } from '@eventix/testing';
import { graphqlRequest } from './graphql';
import type { BenchPlatform } from './platform';

export interface SeedOptions {
  seats: number;
  /** Seats per row (default 50, or 100 above 10,000 seats: a section has at most 200 rows). */
  perRow?: number;
  title?: string;
}

export interface SeededEvent {
  eventId: string;
  seatIds: string[];
}

const MAX_ROWS_PER_SECTION = 200;

/**
 * A venue of `seats` seats and an event on it, published (on sale) through the gateway as an
 * organizer does; resolves once booking has projected every seat (that travels over Kafka).
 * Projection and seat ids are read from the subgraphs directly, so seeding works at sizes the
 * gateway's whole-map query may not (yet) serve.
 */
export async function seedOnSaleEvent(platform: BenchPlatform, opts: SeedOptions): Promise<SeededEvent> {
  const title = opts.title ?? `Bench ${opts.seats} seats ${Date.now()}`;
  const org = { authorization: `Bearer ${await platform.token('bench-organizer', ['catalog:write'])}` };
  const venue = await graphqlRequest<{ createVenue: { id: string } }>(
    platform.gatewayUrl,
    'mutation ($input: CreateVenueInput!) { createVenue(input: $input) { id } }',
    { input: { name: `${title} Hall`, city: 'Benchville', sections: sectionsFor(opts.seats, opts.perRow ?? (opts.seats > 10_000 ? 100 : 50)) } },
    org,
  );
  const event = await graphqlRequest<{ createEvent: { id: string } }>(
    platform.gatewayUrl,
    'mutation ($input: CreateEventInput!) { createEvent(input: $input) { id } }',
    // Benches pick seats freely; the lone-seat rule has its own tests.
    { input: { venueId: venue.createVenue.id, title, startsAt: new Date(Date.now() + 5 * 86_400_000).toISOString(), currency: 'EUR', singleSeatRule: 'ALLOW' } },
    org,
  );
  const eventId = event.createEvent.id;
  await graphqlRequest(platform.gatewayUrl, 'mutation ($id: ID!) { publishEvent(id: $id) { id } }', { id: eventId }, org);
  await waitForProjection(platform, eventId, opts.seats);
  const seats = await graphqlRequest<{ event: { seats: Array<{ id: string }> } }>(
    platform.subgraphUrls.catalog,
    'query ($id: ID!) { event(id: $id) { seats { id } } }',
    { id: eventId },
    await platform.internalHeaders('catalog'),
  );
  return { eventId, seatIds: seats.event.seats.map((s) => s.id) };
}

/** Whole rows of `perRow` in sections of at most 200 rows, plus one short row for a remainder. */
function sectionsFor(seats: number, perRow: number) {
  const sections: Array<{ name: string; rows: number; seatsPerRow: number; price: string }> = [];
  let rowsLeft = Math.floor(seats / perRow);
  while (rowsLeft > 0) {
    const rows = Math.min(rowsLeft, MAX_ROWS_PER_SECTION);
    sections.push({ name: `S${sections.length + 1}`, rows, seatsPerRow: perRow, price: '25.00' });
    rowsLeft -= rows;
  }
  if (seats % perRow) sections.push({ name: `S${sections.length + 1}`, rows: 1, seatsPerRow: seats % perRow, price: '25.00' });
  return sections;
}

async function waitForProjection(platform: BenchPlatform, eventId: string, seats: number): Promise<void> {
  await waitFor(
    async () => {
      await new Promise((r) => setTimeout(r, 300));
      const res = await graphqlRequest<{ _entities: Array<{ availableSeatCount: number | null } | null> }>(
        platform.subgraphUrls.booking,
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Event { availableSeatCount } } }',
        { r: [{ __typename: 'Event', id: eventId }] },
        await platform.internalHeaders('booking'),
      ).catch(() => undefined);
      return res?._entities[0]?.availableSeatCount === seats ? true : undefined;
    },
    120_000,
    `booking's projection of the ${seats} seats of event ${eventId}`,
  );
}
