import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createEnvelope, InProcessTransport } from '@eventix/events';
import { dropDatabase, ensureDatabase, externalPostgres, startEmbeddedPostgres, type PostgresHandle } from '@eventix/local-infra';
import { createBookingSubgraph, loadBookingConfig, type BookingSubgraph } from '@eventix/booking';
import { report } from './harness';

/**
 * Issue #15 item 5: does the per-event seat map version row (`event_projection.seat_map_version`,
 * bumped by every seat change) cap bookings per second on one event? BUYERS concurrent buyers
 * each hold one seat after another, all on different seats of ONE event; the baseline runs the
 * same buyers and bookings spread over BUYERS events (one buyer each, so no shared version row).
 * Same process, same database, same run: the ratio is what the shared row costs.
 */
const BUYERS = Number(process.env.BENCH_BUYERS ?? 32);
const BOOKINGS_PER_BUYER = Number(process.env.BENCH_BOOKINGS ?? 25);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function publish(booking: BookingSubgraph, seats: number): Promise<{ eventId: string; seatIds: string[] }> {
  const eventId = randomUUID();
  const seatIds = Array.from({ length: seats }, () => randomUUID());
  const sectionId = randomUUID();
  await booking.projection.handle(
    createEnvelope({
      type: 'catalog.event-published',
      version: 2,
      key: eventId,
      payload: {
        eventId, currency: 'EUR', priceVersion: 1, part: 1, parts: 1, totalSeats: seats, singleSeatRule: 'ALLOW',
        seats: seatIds.map((seatId, i) => ({ seatId, priceMinor: 2500, sectionId, row: `R${Math.floor(i / 50)}`, number: (i % 50) + 1, x: i % 50, y: Math.floor(i / 50) })),
      },
    }),
  );
  return { eventId, seatIds };
}

/** Bookings per second: every buyer books its own seats one after another; `eventOf(b)` is buyer b's event. */
async function run(booking: BookingSubgraph, targets: Array<{ eventId: string; seatIds: string[] }>): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: BUYERS }, async (_, b) => {
      const target = targets[b % targets.length];
      const offset = targets.length === 1 ? b * BOOKINGS_PER_BUYER : 0;
      for (let i = 0; i < BOOKINGS_PER_BUYER; i++) {
        await booking.bookings.create(booking.orm.em.fork(), `buyer-${b}`, { eventId: target.eventId, seatIds: [target.seatIds[offset + i]] });
      }
    }),
  );
  return (BUYERS * BOOKINGS_PER_BUYER) / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  let pg: PostgresHandle;
  if (process.env.DATABASE_URL) pg = externalPostgres(process.env.DATABASE_URL);
  else {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-bench-'));
    fs.chmodSync(tmp, 0o755);
    pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), persistent: false });
  }
  const db = `bench_booking_${Date.now()}`;
  const url = await ensureDatabase(pg.serverUrl, db);
  const booking = await createBookingSubgraph({
    config: loadBookingConfig({ BOOKING_PORT: '0', BOOKING_DATABASE_URL: url, INTERNAL_JWT_SECRET: 'x'.repeat(40), MAX_SEATS_PER_BOOKING: '10' }),
    transport: new InProcessTransport(),
    log: () => undefined,
  });
  try {
    const oneEvent: number[] = [];
    const manyEvents: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      // Alternate the order so warm-up favours neither.
      const one = async () => oneEvent.push(await run(booking, [await publish(booking, BUYERS * BOOKINGS_PER_BUYER)]));
      const many = async () => manyEvents.push(await run(booking, await Promise.all(Array.from({ length: BUYERS }, () => publish(booking, BOOKINGS_PER_BUYER)))));
      if (r % 2) await many().then(one);
      else await one().then(many);
    }
    const ours = median(oneEvent);
    const baseline = median(manyEvents);
    console.log(`seat map version row, ${BUYERS} concurrent buyers x ${BOOKINGS_PER_BUYER} one-seat holds (median of ${RUNS}; runs one/many: ${oneEvent.map(Math.round).join(', ')} / ${manyEvents.map(Math.round).join(', ')} bookings/s):`);
    console.log(`  one event (one version row)      : ${ours.toFixed(0)} bookings/s`);
    console.log(`  baseline, ${BUYERS} events (no sharing) : ${baseline.toFixed(0)} bookings/s`);
    console.log(`  ratio (one event / baseline)     : ${(ours / baseline).toFixed(2)}`);
    report('seat-map-version', [
      { target: 'seat map version row (#15)', metric: `one-seat holds per second on ONE event, ${BUYERS} concurrent buyers`, ours, baseline, unit: 'bookings/s', goal: 'shown (cost of the shared row)', note: `baseline: the same buyers spread over ${BUYERS} events; booking service in-process` },
    ]);
  } finally {
    await booking.orm.close();
    await dropDatabase(pg.serverUrl, db);
    await pg.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
