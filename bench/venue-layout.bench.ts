import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { InProcessTransport } from '@eventix/events';
import { dropDatabase, ensureDatabase, externalPostgres, startEmbeddedPostgres, type PostgresHandle } from '@eventix/local-infra';
import { loadCatalogConfig, createCatalogSubgraph } from '@eventix/catalog';
import { report } from './harness';

/**
 * 20,000-seat venue: the catalog's set-based createVenue + createEvent against a baseline that
 * inserts the same seats one statement at a time in one transaction (what an ORM loop does).
 */
const SEATS = { rows: 100, seatsPerRow: 200 };
const RUNS = 3;

async function main(): Promise<void> {
  let pg: PostgresHandle;
  let tmp: string | undefined;
  if (process.env.DATABASE_URL) pg = externalPostgres(process.env.DATABASE_URL);
  else {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-bench-'));
    fs.chmodSync(tmp, 0o755);
    pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), persistent: false });
  }
  const db = `bench_catalog_${Date.now()}`;
  const url = await ensureDatabase(pg.serverUrl, db);
  const catalog = await createCatalogSubgraph({
    config: loadCatalogConfig({ CATALOG_PORT: '0', CATALOG_DATABASE_URL: url, INTERNAL_JWT_SECRET: 'x'.repeat(40) }),
    transport: new InProcessTransport(),
    log: () => undefined,
  });
  try {
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let t = performance.now();
      const venue = await catalog.venues.createVenue(catalog.orm.em.fork(), {
        name: `Bench ${run}`,
        city: 'Bench',
        sections: [{ name: 'Bowl', rows: SEATS.rows, seatsPerRow: SEATS.seatsPerRow, price: '10.00' }],
      });
      await catalog.events.createEvent(catalog.orm.em.fork(), { venueId: venue.id, title: 'Bench', startsAt: new Date(Date.now() + 86_400_000), currency: 'EUR' });
      ours.push(performance.now() - t);

      // Baseline: the same 40,000 rows (layout + event copy), one INSERT per row.
      const em = catalog.orm.em.fork();
      const [section] = await em.execute<Array<{ id: string }>>('select id from section where venue_id = ?', [venue.id]);
      const [event] = await em.execute<Array<{ id: string }>>('select id from event where venue_id = ?', [venue.id]);
      t = performance.now();
      await em.transactional(async (tx) => {
        for (let r = 0; r < SEATS.rows; r++) {
          for (let n = 1; n <= SEATS.seatsPerRow; n++) {
            const row = `B${r}`;
            await tx.execute('insert into venue_seat (id, venue_id, section_id, "row", number, x, y, ordinal, price_minor) values (?, ?, ?, ?, ?, ?, ?, ?, ?)', [randomUUID(), venue.id, section.id, row, n, n, r, r * SEATS.seatsPerRow + n, 1000]);
            await tx.execute('insert into seat (id, event_id, section_id, "row", number, x, y, ordinal, price_minor) values (?, ?, ?, ?, ?, ?, ?, ?, ?)', [randomUUID(), event.id, section.id, row, n, n, r, r * SEATS.seatsPerRow + n, 1000]);
          }
        }
      });
      baseline.push(performance.now() - t);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const seats = SEATS.rows * SEATS.seatsPerRow;
    console.log(`venue layout, ${seats} seats (median of ${RUNS}):`);
    console.log(`  createVenue + createEvent : ${median(ours).toFixed(0)} ms`);
    console.log(`  baseline, row by row      : ${median(baseline).toFixed(0)} ms`);
    console.log(`  ratio (baseline / ours)   : ${(median(baseline) / median(ours)).toFixed(1)}x faster`);
    report('venue-layout', [
      { target: 'venue layout (#15)', metric: `createVenue + createEvent, ${seats} seats`, ours: median(ours), baseline: median(baseline), unit: 'ms', goal: 'faster than row by row (ratio < 1)', met: median(ours) < median(baseline), note: 'baseline: the same rows, one INSERT per row in one transaction' },
    ]);
  } finally {
    await catalog.stop();
    await dropDatabase(pg.serverUrl, db);
    await pg.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.stack);
  process.exit(1);
});
