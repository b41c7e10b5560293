import path from 'node:path';
import { benchDurationMs, benchRuns, describe, graphqlRequest, interleavedRuns, report, seedOnSaleEvent, startBenchPlatform, type BenchPlatform } from './harness';

/**
 * Target 1 (issue #16): what the gateway adds over calling the subgraphs directly.
 * - One subgraph: `events(first: 5) { id title }` through the gateway vs the same query sent to
 *   catalog with the internal credential. p50 at 1 connection (goal ≤ 1.5×), throughput at 32
 *   connections (goal ≥ 0.6×), both with identical requests (which the gateway may merge) and
 *   with `first` varied per request (nothing to merge).
 * - Two-subgraph join: the same events with `availableSeatCount` (booking). The gateway's plan
 *   is a catalog fetch then a booking `_entities` fetch for the five events; the direct baseline
 *   is the sum of those two calls' p50s, each measured alone at 1 connection (goal ≤ 2.5×).
 * - The hop's floor, shown beside target 1's p50: the catalog fetch through a bare HTTP
 *   forwarder in a process of its own (harness/bare-proxy: no GraphQL, no auth, no limits).
 *   Any gateway that is a separate process pays at least this much over the direct call.
 */
const EVENTS = 'query Events { events(first: 5) { edges { node { id title } } } }';
const EVENTS_VARIED = 'query Events($first: Int) { events(first: $first) { edges { node { id title } } } }';
const EVENTS_WITH_SEATS = 'query EventsSeats { events(first: 5) { edges { node { id title availableSeatCount } } } }';
// What the gateway's plan sends to catalog for either query (it adds __typename for the join's keys).
const CATALOG_FETCH = 'query Events__catalog__0 { events(first: 5) { edges { node { __typename id title } } } }';
const CATALOG_FETCH_VARIED = 'query Events__catalog__0($first: Int) { events(first: $first) { edges { node { __typename id title } } } }';
// `first` from 1 to 20 by request: no two concurrent requests alike, so merging identical fetches cannot help.
const varied = (query: string) => (i: number) => ({ query, variables: { first: 1 + (i % 20) } });
const BOOKING_FETCH = 'query EventsSeats__booking__1($representations: [_Any!]!) { _entities(representations: $representations) { ... on Event { availableSeatCount } } }';

async function main(): Promise<void> {
  const durationMs = benchDurationMs();
  const platform = await startBenchPlatform();
  try {
    for (let i = 0; i < 5; i++) await seedOnSaleEvent(platform, { seats: 50, title: `Overhead ${i}` });
    const ids = await eventIds(platform);
    const gateway = (query: string | ((i: number) => object), connections: number) => () => ({ url: platform.gatewayUrl, body: typeof query === 'string' ? { query } : query, connections, durationMs });
    const direct = (subgraph: 'catalog' | 'booking', body: object | ((i: number) => object), connections: number) => async () => ({
      url: platform.subgraphUrls[subgraph],
      headers: await platform.internalHeaders(subgraph),
      body,
      connections,
      durationMs,
    });
    const proxy = await platform.startProcess('bare-proxy', path.join(__dirname, 'harness/bare-proxy/entry.js'), (port) => ({
      PORT: String(port),
      TARGET_URL: platform.subgraphUrls.catalog,
      TARGET_SUBGRAPH: 'catalog',
      INTERNAL_JWT_SECRET: platform.internalSecret,
    }));
    const entitiesBody = { query: BOOKING_FETCH, variables: { representations: ids.map((id) => ({ __typename: 'Event', id })) } };
    const r = await interleavedRuns(benchRuns(), {
      gateway1: gateway(EVENTS, 1),
      catalog1: direct('catalog', { query: CATALOG_FETCH }, 1),
      proxy1: () => ({ url: `${proxy.url}/graphql`, body: { query: CATALOG_FETCH }, connections: 1, durationMs }),
      gatewayJoin1: gateway(EVENTS_WITH_SEATS, 1),
      booking1: direct('booking', entitiesBody, 1),
      gateway32: gateway(EVENTS, 32),
      catalog32: direct('catalog', { query: CATALOG_FETCH }, 32),
      gatewayVaried32: gateway(varied(EVENTS_VARIED), 32),
      catalogVaried32: direct('catalog', varied(CATALOG_FETCH_VARIED), 32),
    });
    for (const [label, summary] of Object.entries(r)) console.log(describe(label, summary));
    const oneRatio = r.gateway1.p50 / r.catalog1.p50;
    const floorRatio = r.proxy1.p50 / r.catalog1.p50;
    const joinBaseline = r.catalog1.p50 + r.booking1.p50;
    const joinRatio = r.gatewayJoin1.p50 / joinBaseline;
    const rpsRatio = r.gateway32.rps / r.catalog32.rps;
    const variedRatio = r.gatewayVaried32.rps / r.catalogVaried32.rps;
    const errors = Object.values(r).reduce((n, s) => n + s.errors, 0);
    report('gateway-overhead', [
      { target: '1 gateway vs direct', metric: 'p50, events(first: 5), 1 connection', ours: r.gateway1.p50, baseline: r.catalog1.p50, ratio: oneRatio, unit: 'ms', goal: 'ratio ≤ 1.5', met: oneRatio <= 1.5, note: `baseline: the same query on catalog with the internal credential; the hop's floor (a bare HTTP forwarder, no GraphQL) ${floorRatio.toFixed(2)}×` },
      { target: '1 (floor, not a target)', metric: 'p50, the catalog fetch through a bare HTTP forwarder, 1 connection', ours: r.proxy1.p50, baseline: r.catalog1.p50, ratio: floorRatio, unit: 'ms', goal: 'shown only', note: 'what any gateway in a process of its own pays at least: the extra hop (harness/bare-proxy)' },
      { target: '1 gateway vs direct', metric: 'p50, events + availableSeatCount (catalog → booking), 1 connection', ours: r.gatewayJoin1.p50, baseline: joinBaseline, ratio: joinRatio, unit: 'ms', goal: 'ratio ≤ 2.5', met: joinRatio <= 2.5, note: `baseline: catalog fetch p50 ${r.catalog1.p50.toFixed(2)} + booking _entities p50 ${r.booking1.p50.toFixed(2)}` },
      { target: '1 gateway vs direct', metric: 'throughput, events(first: 5), 32 connections', ours: r.gateway32.rps, baseline: r.catalog32.rps, ratio: rpsRatio, unit: 'req/s', goal: 'ratio ≥ 0.6', met: rpsRatio >= 0.6, note: `identical concurrent requests (the gateway may merge them); p99 ${r.gateway32.p99.toFixed(1)} vs ${r.catalog32.p99.toFixed(1)} ms; ${errors} errors in all loads` },
      { target: '1 gateway vs direct', metric: 'throughput, events(first: 1..20) varied per request, 32 connections', ours: r.gatewayVaried32.rps, baseline: r.catalogVaried32.rps, ratio: variedRatio, unit: 'req/s', goal: 'ratio ≥ 0.6', met: variedRatio >= 0.6, note: `nothing to merge; p99 ${r.gatewayVaried32.p99.toFixed(1)} vs ${r.catalogVaried32.p99.toFixed(1)} ms` },
    ]);
  } finally {
    await platform.stop();
  }
}

async function eventIds(platform: BenchPlatform): Promise<string[]> {
  const data = await graphqlRequest<{ events: { edges: Array<{ node: { id: string } }> } }>(platform.gatewayUrl, EVENTS);
  if (data.events.edges.length !== 5) throw new Error(`expected 5 events on sale, got ${data.events.edges.length}`);
  return data.events.edges.map((e) => e.node.id);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
