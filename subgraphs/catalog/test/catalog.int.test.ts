import { errorCodes, operations, waitFor } from '@eventix/testing';
import type { EventEnvelope } from '@eventix/events';
import { startCatalog, type CatalogHarness } from './catalog-harness';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const section = (overrides: Partial<operations.SectionInput> = {}): operations.SectionInput => ({ name: 'Stalls', rows: 2, seatsPerRow: 5, price: '49.90', ...overrides });

describe('catalog subgraph (real PostgreSQL and Kafka)', () => {
  let h: CatalogHarness;
  let organizer: ReturnType<CatalogHarness['as']>;
  let fan: ReturnType<CatalogHarness['as']>;
  let anonymous: ReturnType<CatalogHarness['as']>;
  const city = `Testville-${Date.now()}`;

  async function venue(sections = [section()], name = 'Hall', inCity = city) {
    const res = await organizer(operations.CreateVenueDocument, { input: { name, city: inCity, sections } });
    expect(res.errors).toBeUndefined();
    return res.data!.createVenue;
  }
  async function event(venueId: string, startsAt = inDays(30), title = 'Show') {
    const res = await organizer(operations.CreateEventDocument, { input: { venueId, title, startsAt, currency: 'EUR' } });
    expect(res.errors).toBeUndefined();
    return res.data!.createEvent;
  }

  beforeAll(async () => {
    h = await startCatalog();
    organizer = h.as({ sub: 'org-1', permissions: ['catalog:write'] });
    fan = h.as({ sub: 'fan-1' });
    anonymous = h.as({});
  });
  afterAll(() => h.close());

  describe('createVenue', () => {
    it('generates every seat from the sections, with labels, positions and prices', async () => {
      const v = await venue([section({ name: 'Floor', rows: 2, seatsPerRow: 3, price: '10.00' }), section({ name: 'Balcony', rows: 1, seatsPerRow: 2, price: '5.50' })]);
      const e = await event(v.id);
      const res = await anonymous(operations.EventSeatsDocument, { id: e.id });
      // Drafts are organizer-only.
      expect(res.data?.event).toBeNull();
      const seen = await organizer(operations.EventSeatsDocument, { id: e.id });
      const seats = seen.data!.event!.seats;
      expect(seats).toHaveLength(8);
      expect(seats.map((s) => `${s.section.name}:${s.row}${s.number}@${s.x},${s.y}=${s.price}`)).toEqual([
        'Floor:A1@0,0=10.00', 'Floor:A2@1,0=10.00', 'Floor:A3@2,0=10.00',
        'Floor:B1@0,1=10.00', 'Floor:B2@1,1=10.00', 'Floor:B3@2,1=10.00',
        'Balcony:A1@0,4=5.50', 'Balcony:A2@1,4=5.50',
      ]);
    });

    it('filters seats by section', async () => {
      const v = await venue([section({ name: 'Floor' }), section({ name: 'Balcony', rows: 1, seatsPerRow: 2 })]);
      const e = await event(v.id);
      const res = await organizer(operations.EventSeatsDocument, { id: e.id, sectionId: v.sections[1].id });
      expect(res.data!.event!.seats).toHaveLength(2);
    });

    it('creates a 20,000-seat layout in one call', async () => {
      const started = Date.now();
      const v = await venue([section({ name: 'Bowl', rows: 100, seatsPerRow: 200 })], 'Stadium');
      const e = await event(v.id);
      const elapsed = Date.now() - started;
      const res = await organizer(operations.EventSeatsDocument, { id: e.id });
      expect(res.data!.event!.seats).toHaveLength(20_000);
      // Timing is reported, not asserted: bench/ measures it against a baseline.
      process.stderr.write(`20,000-seat venue + event created in ${elapsed} ms\n`);
    });

    it.each([
      [{ name: '', city: 'X', sections: [section()] }, 'name'],
      [{ name: 'Hall', city: '  ', sections: [section()] }, 'city'],
      [{ name: 'Hall', city: 'X', sections: [] }, 'sections'],
      [{ name: 'Hall', city: 'X', sections: [section({ rows: 0 })] }, 'sections[0].rows'],
      [{ name: 'Hall', city: 'X', sections: [section({ seatsPerRow: -1 })] }, 'sections[0].seatsPerRow'],
      [{ name: 'Hall', city: 'X', sections: [section({ seatsPerRow: 100_000 })] }, 'sections[0].seatsPerRow'],
      [{ name: 'Hall', city: 'X', sections: [section(), section({ name: 'STALLS ' })] }, 'sections[1].name'],
    ])('refuses bad input %#, naming %s', async (input, field) => {
      const res = await organizer(operations.CreateVenueDocument, { input });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].extensions?.field).toBe(field);
      expect(res.status).toBeLessThan(500);
    });

    it.each(['-1.00', '12.5', '1e3', 'free'])('refuses the price %s as BAD_USER_INPUT', async (price) => {
      const res = await organizer(operations.CreateVenueDocument, { input: { name: 'Hall', city: 'X', sections: [section({ price })] } });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].message).toMatch(/price|Money/);
    });

    it('needs catalog:write (FORBIDDEN) and a user (UNAUTHENTICATED)', async () => {
      expect(errorCodes(await fan(operations.CreateVenueDocument, { input: { name: 'Hall', city: 'X', sections: [section()] } }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await anonymous(operations.CreateVenueDocument, { input: { name: 'Hall', city: 'X', sections: [section()] } }))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('createEvent', () => {
    it('creates a DRAFT in the given currency', async () => {
      const v = await venue();
      const e = await organizer(operations.CreateEventDocument, { input: { venueId: v.id, title: ' Gala ', startsAt: inDays(3), currency: 'chf' } });
      expect(e.data!.createEvent).toMatchObject({ status: 'DRAFT', currency: 'CHF', venue: { id: v.id } });
    });

    it.each([
      [{ title: 'X', startsAt: inDays(-1), currency: 'EUR' }, 'startsAt'],
      [{ title: 'X', startsAt: inDays(3), currency: 'XYZ' }, 'currency'],
      [{ title: '', startsAt: inDays(3), currency: 'EUR' }, 'title'],
    ])('refuses bad input %#, naming %s', async (input, field) => {
      const v = await venue();
      const res = await organizer(operations.CreateEventDocument, { input: { venueId: v.id, ...input } });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].extensions?.field).toBe(field);
    });

    it('answers NOT_FOUND for an unknown venue', async () => {
      const res = await organizer(operations.CreateEventDocument, { input: { venueId: '00000000-0000-4000-8000-000000000000', title: 'X', startsAt: inDays(3) } });
      expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    });
  });

  describe('publishEvent and cancelEvent', () => {
    it('puts a draft on sale and announces every seat with its price on the real transport', async () => {
      const v = await venue([section({ rows: 3, seatsPerRow: 4, price: '12.34' })]);
      const e = await event(v.id);
      const res = await organizer(operations.PublishEventDocument, { id: e.id });
      expect(res.data!.publishEvent.status).toBe('ON_SALE');
      h.catalog.relay.nudge();
      const message = (await waitFor(() => h.published.find((m) => m.key === e.id && m.type === 'catalog.event-published'), 20_000, 'event-published')) as EventEnvelope<{
        eventId: string; currency: string; priceVersion: number; part: number; parts: number; totalSeats: number; singleSeatRule: string;
        seats: Array<{ seatId: string; priceMinor: number; sectionId: string; row: string; number: number; x: number; y: number }>;
      }>;
      // Version 2 (issue #15): seat positions and the event's lone-seat rule (PREVENT for a new event).
      expect(message.version).toBe(2);
      expect(message.payload).toMatchObject({ eventId: e.id, currency: 'EUR', priceVersion: 1, part: 1, parts: 1, totalSeats: 12, singleSeatRule: 'PREVENT' });
      expect(message.payload.seats[0]).toMatchObject({ sectionId: v.sections[0].id, row: 'A', number: 1, x: 0, y: 0 });
      const seats = await organizer(operations.EventSeatsDocument, { id: e.id });
      expect(message.payload.seats.map((s) => s.seatId).sort()).toEqual(seats.data!.event!.seats.map((s) => s.id).sort());
      expect(new Set(message.payload.seats.map((s) => s.priceMinor))).toEqual(new Set([1234]));
    });

    it('announces a price change of a published event with a higher price version', async () => {
      const v = await venue([section({ name: 'Front', rows: 1, seatsPerRow: 2, price: '50.00' }), section({ name: 'Back', rows: 1, seatsPerRow: 2, price: '20.00' })]);
      const e = await event(v.id);
      await organizer(operations.PublishEventDocument, { id: e.id });
      const res = await organizer(operations.ChangeSectionPriceDocument, { eventId: e.id, sectionId: v.sections[0].id, price: '65.00' });
      expect(res.errors).toBeUndefined();
      const prices = await organizer(operations.EventSeatsDocument, { id: e.id });
      expect(prices.data!.event!.seats.map((s) => `${s.section.name}=${s.price}`)).toEqual(['Front=65.00', 'Front=65.00', 'Back=20.00', 'Back=20.00']);
      h.catalog.relay.nudge();
      const repriced = (await waitFor(() => h.published.find((m) => m.key === e.id && (m.payload as { priceVersion: number }).priceVersion === 2), 20_000, 'the repricing')) as EventEnvelope<{ seats: Array<{ priceMinor: number }> }>;
      expect(repriced.payload.seats.map((s) => s.priceMinor).sort()).toEqual([2000, 2000, 6500, 6500]);
      expect(errorCodes(await organizer(operations.ChangeSectionPriceDocument, { eventId: e.id, sectionId: v.sections[0].id, price: '-1.00' }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await organizer(operations.ChangeSectionPriceDocument, { eventId: e.id, sectionId: '00000000-0000-4000-8000-000000000000', price: '1.00' }))).toEqual(['NOT_FOUND']);
    });

    it('refuses to publish twice, or to publish a cancelled event, and announces the cancellation', async () => {
      const v = await venue();
      const e = await event(v.id);
      await organizer(operations.PublishEventDocument, { id: e.id });
      expect(errorCodes(await organizer(operations.PublishEventDocument, { id: e.id }))).toEqual(['BAD_USER_INPUT']);
      expect((await organizer(operations.CancelEventDocument, { id: e.id })).data!.cancelEvent.status).toBe('CANCELLED');
      expect(errorCodes(await organizer(operations.PublishEventDocument, { id: e.id }))).toEqual(['BAD_USER_INPUT']);
      h.catalog.relay.nudge();
      await waitFor(() => h.published.find((m) => m.key === e.id && m.type === 'catalog.event-cancelled'), 20_000, 'event-cancelled');
    });

    it('refuses to put a draft on sale once its start has passed, and announces nothing', async () => {
      const v = await venue();
      const startsAt = new Date(Date.now() + 1_500).toISOString();
      const e = (await organizer(operations.CreateEventDocument, { input: { venueId: v.id, title: 'Missed it', startsAt } })).data!.createEvent;
      await new Promise((resolve) => setTimeout(resolve, Date.parse(startsAt) - Date.now() + 100));
      const res = await organizer(operations.PublishEventDocument, { id: e.id });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].message).toMatch(/has started; it can no longer be put on sale/);
      expect(await h.catalog.orm.em.fork().execute('select status from event where id = ?', [e.id])).toEqual([{ status: 'DRAFT' }]);
      h.catalog.relay.nudge();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(h.published.filter((m) => m.key === e.id)).toEqual([]);
    });

    it('answers NOT_FOUND for unknown ids and FORBIDDEN without catalog:write', async () => {
      expect(errorCodes(await organizer(operations.PublishEventDocument, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual(['NOT_FOUND']);
      expect(errorCodes(await organizer(operations.CancelEventDocument, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual(['NOT_FOUND']);
      expect(errorCodes(await fan(operations.PublishEventDocument, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual(['FORBIDDEN']);
    });
  });

  describe('events, event and venue queries', () => {
    let published: string[];
    // A city of its own, so events made by other tests do not show up in these pages.
    const city = `Pagetown-${Date.now()}`;
    beforeAll(async () => {
      const v = await venue([section()], 'Hall', city);
      published = [];
      for (const days of [10, 20, 30]) {
        const e = await event(v.id, inDays(days), `Night ${days}`);
        await organizer(operations.PublishEventDocument, { id: e.id });
        published.push(e.id);
      }
      await event(v.id, inDays(15), 'Still a draft');
    });

    it('pages through published events in start order with stable cursors', async () => {
      const first = await anonymous(operations.EventTitlesDocument, { first: 2, city });
      expect(first.data!.events.edges.map((e) => e.node.id)).toEqual(published.slice(0, 2));
      expect(first.data!.events.pageInfo.hasNextPage).toBe(true);
      const last = await anonymous(operations.EventTitlesDocument, {
        first: 2, city, after: first.data!.events.pageInfo.endCursor,
      });
      expect(last.data!.events.edges.map((e) => e.node.id)).toEqual(published.slice(2));
      expect(last.data!.events.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
      const beyond = await anonymous(operations.EventTitlesDocument, {
        first: 2, city, after: last.data!.events.pageInfo.endCursor,
      });
      expect(beyond.data!.events).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    });

    it('filters by city and start date, and shows drafts to organizers only', async () => {
      const from = await anonymous(operations.EventTitlesDocument, { city, from: inDays(12) });
      expect(from.data!.events.edges.map((e) => e.node.id)).toEqual(published.slice(1));
      const none = await anonymous(operations.EventTitlesDocument, { city: 'Nowhere-at-all' });
      expect(none.data!.events.edges).toEqual([]);
      // The city is a name, not a LIKE pattern; a NUL byte is the caller's input, not an outage.
      for (const pattern of ['%', '_%', city.replace(/t/g, '_')]) expect((await anonymous(operations.EventTitlesDocument, { city: pattern })).data!.events.edges).toEqual([]);
      expect((await anonymous(operations.EventTitlesDocument, { city: city.toUpperCase() })).data!.events.edges.length).toBe(published.length);
      const nul = await anonymous(operations.EventTitlesDocument, { city: 'a\u0000b' });
      expect(errorCodes(nul)).toEqual(['BAD_USER_INPUT']);
      expect(nul.errors![0].extensions?.field).toBe('city');
      const asOrganizer = await organizer(operations.EventTitlesDocument, { city, first: 10 });
      expect(asOrganizer.data!.events.edges.map((e) => e.node.title)).toContain('Still a draft');
    });

    it('refuses an invalid cursor or page size with BAD_USER_INPUT', async () => {
      expect(errorCodes(await anonymous(operations.EventTitlesDocument, { after: 'not-a-cursor' }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await anonymous(operations.EventTitlesDocument, { after: Buffer.from('["x","y"]').toString('base64url') }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await anonymous(operations.EventTitlesDocument, { first: 1000 }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await anonymous(operations.EventTitlesDocument, { first: -1 }))).toEqual(['BAD_USER_INPUT']);
    });

    it('answers null for unknown ids', async () => {
      const res = await anonymous(operations.EventAndVenueDocument, { eventId: '00000000-0000-4000-8000-000000000000', venueId: '00000000-0000-4000-8000-000000000000' });
      expect(res.data).toEqual({ event: null, venue: null });
    });
  });

  describe('seat map reads (lean rows, cached per price version)', () => {
    // The map's own statement: seats joined with their sections (no entity hydration).
    const mapReads = () => h.queries.filter((q) => /from seat s join section sec/i.test(q)).length;
    const prices = async (eventId: string, sectionId?: string) =>
      (await organizer(operations.EventSeatsDocument, { id: eventId, sectionId })).data!.event!.seats.map((s) => `${s.section.name}${s.row}${s.number}=${s.price}`);

    it('reads a published map once, until a price change bumps its version', async () => {
      const v = await venue([section({ name: 'Front', rows: 1, seatsPerRow: 2, price: '50.00' }), section({ name: 'Back', rows: 1, seatsPerRow: 2, price: '20.00' })]);
      const e = await event(v.id);
      await organizer(operations.PublishEventDocument, { id: e.id });
      h.queries.length = 0;
      expect(await prices(e.id)).toEqual(['FrontA1=50.00', 'FrontA2=50.00', 'BackA1=20.00', 'BackA2=20.00']);
      expect(await prices(e.id)).toEqual(['FrontA1=50.00', 'FrontA2=50.00', 'BackA1=20.00', 'BackA2=20.00']);
      // A section of the cached map needs no statement either.
      expect(await prices(e.id, v.sections[1].id)).toEqual(['BackA1=20.00', 'BackA2=20.00']);
      expect(mapReads()).toBe(1);

      await organizer(operations.ChangeSectionPriceDocument, { eventId: e.id, sectionId: v.sections[1].id, price: '25.00' });
      expect(await prices(e.id)).toEqual(['FrontA1=50.00', 'FrontA2=50.00', 'BackA1=25.00', 'BackA2=25.00']);
      expect(mapReads()).toBe(2);
    });

    it('never caches a draft (its prices change without a version)', async () => {
      const v = await venue([section({ name: 'Floor', rows: 1, seatsPerRow: 2, price: '10.00' })]);
      const e = await event(v.id);
      expect(await prices(e.id)).toEqual(['FloorA1=10.00', 'FloorA2=10.00']);
      await organizer(operations.ChangeSectionPriceDocument, { eventId: e.id, sectionId: v.sections[0].id, price: '11.00' });
      expect(await prices(e.id)).toEqual(['FloorA1=11.00', 'FloorA2=11.00']);
    });

    it("shows one event's map, not another's of the same venue", async () => {
      const v = await venue([section({ name: 'Floor', rows: 1, seatsPerRow: 2, price: '10.00' })]);
      const [a, b] = [await event(v.id), await event(v.id, inDays(31))];
      await organizer(operations.PublishEventDocument, { id: a.id });
      await organizer(operations.PublishEventDocument, { id: b.id });
      await organizer(operations.ChangeSectionPriceDocument, { eventId: b.id, sectionId: v.sections[0].id, price: '99.00' });
      const [mapA, mapB] = [await organizer(operations.EventSeatsDocument, { id: a.id }), await organizer(operations.EventSeatsDocument, { id: b.id })];
      expect(mapA.data!.event!.seats.map((s) => s.price)).toEqual(['10.00', '10.00']);
      expect(mapB.data!.event!.seats.map((s) => s.price)).toEqual(['99.00', '99.00']);
      const idsA = new Set(mapA.data!.event!.seats.map((s) => s.id));
      expect(mapB.data!.event!.seats.some((s) => idsA.has(s.id))).toBe(false);
    });
  });

  describe('federation', () => {
    it('resolves Event, Seat and Venue representations in batches: SQL count does not grow with N', async () => {
      const v = await venue([section({ rows: 5, seatsPerRow: 20 })]);
      const events: string[] = [];
      for (let i = 0; i < 5; i++) {
        const e = await event(v.id, inDays(40 + i));
        await organizer(operations.PublishEventDocument, { id: e.id });
        events.push(e.id);
      }
      const seatsRes = await organizer(operations.EventSeatsDocument, { id: events[0] });
      const seatIds = seatsRes.data!.event!.seats.map((s) => s.id);

      // Inline: _entities is the gateway's entity resolution, not part of the public API schema the typed operations are checked against.
      const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Event { id title venue { name } } ... on Seat { id row number price section { name } } ... on Venue { id name } } }`;
      const selectsFor = async (n: number) => {
        const representations = [
          ...events.slice(0, Math.min(n, 5)).map((id) => ({ __typename: 'Event', id })),
          ...seatIds.slice(0, n).map((id) => ({ __typename: 'Seat', id })),
          { __typename: 'Venue', id: v.id },
        ];
        h.queries.length = 0;
        const res = await fan<{ _entities: Array<{ id: string } | null> }>(ENTITIES, { r: representations });
        expect(res.errors).toBeUndefined();
        expect(res.data!._entities.map((e) => e?.id)).toEqual(representations.map((r) => r.id));
        // Only the request's own statements: the outbox relay and expiry worker poll on the same pool.
        return h.queries.filter((q) => /\bselect\b/i.test(q) && !/outbox|advisory|expires_at <=/i.test(q)).length;
      };
      const few = await selectsFor(2);
      const many = await selectsFor(100);
      expect(many).toBe(few);
      expect(many).toBeLessThanOrEqual(5);
    });

    it('refuses requests without the gateway credential', async () => {
      const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
      expect(res.status).toBe(401);
    });
  });
});
