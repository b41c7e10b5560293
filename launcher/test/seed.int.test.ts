import { createCatalogSubgraph, loadCatalogConfig, type CatalogSubgraph } from '@eventix/catalog';
import { InProcessTransport } from '@eventix/events';
import { createTestDatabase, type TestDatabase } from '@eventix/testing';
import { DEMO_EVENT_TITLE, DEMO_VENUE, seedDemo } from '../src/seed';

/** The demo seed on a real catalog (real PostgreSQL), as `npm start` runs it on every start. */
describe('the demo seed', () => {
  let db: TestDatabase;
  let catalog: CatalogSubgraph;
  const lines: string[] = [];
  const sql = <T>(query: string, params: unknown[] = []) => catalog.orm.em.fork().execute<T[]>(query, params);
  const upcomingDemoEvents = () =>
    sql<{ id: string }>(`select e.id from event e join venue v on v.id = e.venue_id where v.name = ? and e.status = 'ON_SALE' and e.starts_at > now()`, [DEMO_VENUE]);

  beforeAll(async () => {
    db = await createTestDatabase('seed');
    const config = loadCatalogConfig({ CATALOG_PORT: '0', CATALOG_DATABASE_URL: db.url, INTERNAL_JWT_SECRET: 'test-internal-secret-that-is-long-enough-0123456789' });
    catalog = await createCatalogSubgraph({ config, transport: new InProcessTransport(), log: () => undefined });
  });
  afterAll(async () => {
    await catalog?.orm.close();
    await db?.drop();
  });

  it('seeds the venue and an upcoming on-sale event once, and another when a restart finds the last one started', async () => {
    await seedDemo(catalog, (line) => lines.push(line));
    const [first] = await upcomingDemoEvents();
    expect(first).toBeDefined();
    expect(await sql('select title from event where id = ?', [first.id])).toEqual([{ title: DEMO_EVENT_TITLE }]);

    // Restarted the next day: nothing new.
    await seedDemo(catalog, (line) => lines.push(line));
    expect(await sql('select id from event')).toEqual([{ id: first.id }]);

    // Restarted a month later: the seeded event has started (its sales closed), so the fan app
    // would list nothing — the seed puts the next demo event on sale, on the same venue.
    await sql(`update event set starts_at = now() - interval '1 hour' where id = ?`, [first.id]);
    await seedDemo(catalog, (line) => lines.push(line));
    const upcoming = await upcomingDemoEvents();
    expect(upcoming).toHaveLength(1);
    expect(upcoming[0].id).not.toBe(first.id);
    expect(await sql('select count(*)::int as n from venue where name = ?', [DEMO_VENUE])).toEqual([{ n: 1 }]);
    expect(lines.filter((line) => line.includes('demo event'))).toHaveLength(2);
  });
});
