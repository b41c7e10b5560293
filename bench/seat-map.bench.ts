import { benchRuns, envNumber, graphqlRequest, median, percentile, report, seedOnSaleEvent, startBenchPlatform, type BenchPlatform, type ReportRow, type SeededEvent } from './harness';

/**
 * Target 4 (issue #16): an event's whole seat map through the gateway at 600, 5,000 and 20,000
 * seats, one connection. The gateway's plan is a catalog fetch (the seats) then one booking
 * `_entities` fetch with a representation per seat (their availability). Baseline in the same
 * run: the same two fetches sent straight to the subgraphs with the internal credential, one
 * after the other, timed as one read. Goals: p50 ≤ 150 ms at 20,000 seats, and growth at most
 * linear (cost per seat at 20,000 ≤ 1.2× that at 5,000).
 *
 * The gateway keeps a published event's whole map under catalog's and booking's keys (ADR
 * 0012), so repeated reads of an unchanged map are cache hits; each size is also read right
 * after a seat of it changed (a hold by another fan: booking's key moves, so the stored map is
 * refreshed with booking's values — one booking query and a copy of the seats), reported beside
 * them. Only a change of catalog's key (a reprice) sends a map through the planner again.
 *
 * BENCH_SEAT_MAP_SIZES (default 600,5000,20000), BENCH_SEAT_MAP_REQUESTS (timed requests per
 * size and run, default 8), BENCH_RUNS (default 3): requests of each kind are interleaved, so a
 * machine getting busier shifts both alike. BENCH_CPU_PROF_DIR (bench/README.md) profiles the
 * services, to see where a map's time goes.
 */
const MAP = 'query SeatMap($id: ID!) { event(id: $id) { seats { id row number x y price availability section { name } } } }';
// What the gateway's plan sends each subgraph for MAP (it adds __typename for the join's keys).
const CATALOG_FETCH = 'query SeatMap__catalog__0($id: ID!) { event(id: $id) { seats { __typename id row number x y price section { name } } } }';
const BOOKING_FETCH = 'query SeatMap__booking__1($representations: [_Any!]!) { _entities(representations: $representations) { ... on Seat { availability } } }';

type SeatOnMap = { id: string; availability: string | null };

async function post(url: string, body: object, headers: Record<string, string> = {}): Promise<{ ms: number; json: { data?: unknown; errors?: unknown[] } }> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await res.json()) as { data?: unknown; errors?: unknown[] };
  const ms = performance.now() - started;
  if (json.errors?.length || !json.data) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(json.errors ?? json).slice(0, 300)}`);
  return { ms, json };
}

/** The whole map through the gateway, as a fan's app reads it. */
async function throughGateway(platform: BenchPlatform, eventId: string): Promise<{ ms: number; seats: SeatOnMap[] }> {
  const { ms, json } = await post(platform.gatewayUrl, { query: MAP, variables: { id: eventId } });
  return { ms, seats: (json.data as { event: { seats: SeatOnMap[] } }).event.seats };
}

/** The same map straight from the subgraphs: catalog's seats, then booking's availability of each. */
async function direct(platform: BenchPlatform, eventId: string): Promise<number> {
  const [catalogHeaders, bookingHeaders] = [await platform.internalHeaders('catalog'), await platform.internalHeaders('booking')];
  const seats = await post(platform.subgraphUrls.catalog, { query: CATALOG_FETCH, variables: { id: eventId } }, catalogHeaders);
  const list = (seats.json.data as { event: { seats: Array<{ id: string }> } }).event.seats;
  const representations = list.map((s) => ({ __typename: 'Seat', id: s.id }));
  const availability = await post(platform.subgraphUrls.booking, { query: BOOKING_FETCH, variables: { representations } }, bookingHeaders);
  return seats.ms + availability.ms;
}

/** Holds one seat of the event for a fan, so every map shows one HELD seat among AVAILABLE ones (and the bench checks it does). */
async function holdOneSeat(platform: BenchPlatform, event: SeededEvent, seatId = event.seatIds[Math.floor(event.seatIds.length / 2)], fanName = `seat-map-fan-${event.eventId}`): Promise<string> {
  const fan = { authorization: `Bearer ${await platform.token(fanName)}` };
  await graphqlRequest(platform.gatewayUrl, 'mutation ($input: CreateBookingInput!) { createBooking(input: $input) { id } }', { input: { eventId: event.eventId, seatIds: [seatId] } }, fan);
  return seatId;
}

function checkMap(seats: SeatOnMap[], event: SeededEvent, heldSeat: string): void {
  if (seats.length !== event.seatIds.length) throw new Error(`map of ${event.seatIds.length} seats came back with ${seats.length}`);
  const wrong = seats.filter((s) => s.availability !== (s.id === heldSeat ? 'HELD' : 'AVAILABLE'));
  if (wrong.length) throw new Error(`${wrong.length} seats with the wrong availability, e.g. ${JSON.stringify(wrong[0])}`);
}

interface SizeResult {
  seats: number;
  gateway: number[];
  direct: number[];
  /** Through the gateway, each read right after another seat of the map was held (new keys). */
  afterChange: number[];
}

async function measure(platform: BenchPlatform, seats: number, requests: number, runCount: number): Promise<SizeResult> {
  const event = await seedOnSaleEvent(platform, { seats, title: `Seat map ${seats}` });
  const heldSeat = await holdOneSeat(platform, event);
  // Warm-up, not counted (JIT, connection pools, the catalog's map cache); checks the answer once.
  checkMap((await throughGateway(platform, event.eventId)).seats, event, heldSeat);
  await direct(platform, event.eventId);
  const result: SizeResult = { seats, gateway: [], direct: [], afterChange: [] };
  let changed = 0;
  for (let run = 0; run < runCount; run++) {
    for (let i = 0; i < requests; i++) {
      result.gateway.push((await throughGateway(platform, event.eventId)).ms);
      result.direct.push(await direct(platform, event.eventId));
      // Another fan holds another seat (one booking per fan: the per-fan hold limit), then the map is read.
      const other = event.seatIds[changed++];
      await holdOneSeat(platform, event, other, `seat-map-changer-${event.eventId}-${changed}`);
      const after = await throughGateway(platform, event.eventId);
      if (after.seats.find((s) => s.id === other)?.availability !== 'HELD') throw new Error(`the map read after seat ${other} was held does not show it HELD`);
      result.afterChange.push(after.ms);
    }
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  console.log(`${seats} seats: gateway p50 ${median(result.gateway).toFixed(1)} ms p95 ${percentile(sorted(result.gateway), 0.95).toFixed(1)} ms; after a change ${median(result.afterChange).toFixed(1)} ms; direct p50 ${median(result.direct).toFixed(1)} ms`);
  return result;
}

function rowsOf(results: SizeResult[]): ReportRow[] {
  const rows: ReportRow[] = [];
  const perSeatUs = (r: SizeResult) => (median(r.gateway) * 1000) / r.seats;
  for (const r of results) {
    const p50 = median(r.gateway);
    const p95 = percentile([...r.gateway].sort((a, b) => a - b), 0.95);
    const big = r.seats >= 20_000;
    rows.push({
      target: '4 seat maps',
      metric: `p50, whole map of ${r.seats.toLocaleString('en')} seats through the gateway, 1 connection`,
      ours: p50,
      baseline: median(r.direct),
      unit: 'ms',
      goal: big ? '≤ 150 ms' : 'report',
      met: big ? p50 <= 150 : undefined,
      note: `p95 ${p95.toFixed(1)} ms; ${(perSeatUs(r)).toFixed(2)} µs per seat; repeated reads of an unchanged map (the gateway's cache); baseline: catalog seats + booking _entities called directly`,
    });
    rows.push({
      target: '4 seat maps',
      metric: `p50, whole map of ${r.seats.toLocaleString('en')} seats read right after one of its seats was held (refreshed)`,
      ours: median(r.afterChange),
      baseline: median(r.direct),
      unit: 'ms',
      goal: 'report',
      note: `p95 ${percentile([...r.afterChange].sort((a, b) => a - b), 0.95).toFixed(1)} ms; the two key reads, booking's seat states, the stored map copied with them`,
    });
  }
  const at5k = results.find((r) => r.seats === 5_000);
  const at20k = results.find((r) => r.seats === 20_000);
  if (at5k && at20k) {
    const ratio = perSeatUs(at20k) / perSeatUs(at5k);
    rows.push({ target: '4 seat maps', metric: 'cost per seat at 20,000 vs at 5,000 (gateway p50 / seats)', ours: perSeatUs(at20k), baseline: perSeatUs(at5k), ratio, unit: 'µs/seat', goal: 'ratio ≤ 1.2 (linear)', met: ratio <= 1.2 });
  }
  return rows;
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SEAT_MAP_SIZES ?? '600,5000,20000').split(',').map(Number);
  const requests = envNumber('BENCH_SEAT_MAP_REQUESTS', 8);
  const platform = await startBenchPlatform();
  try {
    const results: SizeResult[] = [];
    for (const seats of sizes) results.push(await measure(platform, seats, requests, benchRuns()));
    report('seat-map', rowsOf(results));
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
