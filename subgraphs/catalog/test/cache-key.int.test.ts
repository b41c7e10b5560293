import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { operations } from '@eventix/testing';
import { startCatalog, type CatalogHarness } from './catalog-harness';

/**
 * The gateway keeps whole seat maps of published events under `Event.catalogCacheKey`
 * (`status:priceVersion`, ADR 0012): catalog data of a published event may change only through
 * its status or priceVersion. Every catalog mutation is listed here with how it keeps that rule,
 * so a new one fails this test until someone has decided — and each mutation that changes a
 * published event is shown to change the key. Real catalog subgraph on real PostgreSQL.
 */
const MUTATIONS: Record<string, string> = {
  createVenue: 'a new venue; venues never change',
  createEvent: 'a new DRAFT; drafts are never cached',
  publishEvent: 'DRAFT → ON_SALE: the status',
  changeSectionPrice: 'bumps priceVersion with the new prices',
  setSingleSeatRule: 'bumps priceVersion with the rule',
  cancelEvent: '→ CANCELLED: the status',
};

describe("catalog's seat-map cache key", () => {
  let h: CatalogHarness;
  beforeAll(async () => {
    h = await startCatalog();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists every mutation of the catalog subgraph with how it keeps a published event under its key', async () => {
    const res = await h.as({})<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const mutation = parse(res.data!._service.sdl).definitions.find((d): d is ObjectTypeDefinitionNode => (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === 'Mutation');
    const names = (mutation?.fields ?? []).map((f) => f.name.value).sort();
    // A new name here: does it change a published event's catalog data? Then it must bump
    // priceVersion or change the status in the same transaction; list it either way.
    expect(names).toEqual(Object.keys(MUTATIONS).sort());
  });

  it('changes with every mutation of a published event', async () => {
    const organizer = h.as({ sub: 'organizer', permissions: ['catalog:write'] });
    const venue = await organizer(operations.CreateVenueDocument, { input: { name: 'Key Hall', city: 'Keytown', sections: [{ name: 'A', rows: 1, seatsPerRow: 4, price: '20.00' }] } });
    const sectionId = venue.data!.createVenue.sections[0].id;
    const created = await organizer(operations.CreateEventDocument, { input: { venueId: venue.data!.createVenue.id, title: 'Key Night', startsAt: new Date(Date.now() + 86_400_000).toISOString(), currency: 'EUR' } });
    const eventId = created.data!.createEvent.id;
    const key = async () => (await organizer<{ event: { catalogCacheKey: string } }>('query ($id: ID!) { event(id: $id) { catalogCacheKey } }', { id: eventId })).data!.event.catalogCacheKey;

    const keys = [await key()];
    expect(keys[0]).toMatch(/^DRAFT:/);
    for (const change of [
      () => organizer(operations.PublishEventDocument, { id: eventId }),
      () => organizer(operations.ChangeSectionPriceDocument, { eventId, sectionId, price: '30.00' }),
      () => organizer(operations.SetSingleSeatRuleDocument, { eventId, rule: 'ALLOW' }),
      () => organizer(operations.CancelEventDocument, { id: eventId }),
    ]) {
      expect((await change()).errors).toBeUndefined();
      keys.push(await key());
    }
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.at(-1)).toMatch(/^CANCELLED:/);
  });
});
