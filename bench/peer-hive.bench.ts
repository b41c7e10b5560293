import { benchDurationMs, benchRuns, describe, graphqlRequest, interleavedRuns, report, seedOnSaleEvent, startBenchPlatform, startHiveGateway, type LoadSpec, type ReportRow } from './harness';

/**
 * Target 2 (issue #16): our gateway against Hive Gateway (its defaults, in-flight deduplication
 * on) serving the same supergraph in front of the same subgraphs, loaded in turn each run.
 * Loads:
 * - anonymous, identical: every request the same catalog → booking join (1 and 32 connections):
 *   where merging identical in-flight subgraph fetches pays.
 * - anonymous, varied: the same join with `first` from 1 to 20 by request: nothing to merge.
 * - signed-in: `myBookings` (booking) for 32 users in turn, each holding one seat: identical
 *   text, different callers and answers; only one caller's fetches may ever be merged.
 * - signed-in, varied: the varied join sent by the 32 users in turn.
 * Each at 1 and 32 connections: the whole matrix of connections × identical/varied ×
 * anonymous/signed-in the issue names. Goals: our throughput ≥ Hive's, our p99 ≤ Hive's.
 */
const JOIN = 'query Events($first: Int) { events(first: $first) { edges { node { id title availableSeatCount } } } }';
const MY_BOOKINGS = 'query MyBookings { myBookings(first: 5) { edges { node { id status } } } }';
const USERS = 32;

async function main(): Promise<void> {
  const durationMs = benchDurationMs(3_000);
  const platform = await startBenchPlatform();
  try {
    const events = [];
    for (let i = 0; i < 5; i++) events.push(await seedOnSaleEvent(platform, { seats: 50, title: `Peer ${i}` }));
    const hive = await startHiveGateway(platform);
    const urls = { ours: platform.gatewayUrl, hive: `${hive.url}/graphql` };
    const tokens = await Promise.all(Array.from({ length: USERS }, (_, u) => platform.token(`bench-fan-${u}`)));
    // Every user holds a seat of their own, so `myBookings` answers differ by caller.
    const bookingIds = [];
    for (let u = 0; u < USERS; u++) bookingIds.push(await holdSeat(platform.gatewayUrl, tokens[u], events[0].eventId, events[0].seatIds[u]));
    await checkSameAnswers(urls, tokens, bookingIds);
    const varied = (i: number) => ({ query: JOIN, variables: { first: 1 + (i % 20) } });
    const asUser = (i: number) => ({ authorization: `Bearer ${tokens[i % USERS]}` });
    const loads = {
      identical1: (url: string): LoadSpec => () => ({ url, body: { query: JOIN, variables: { first: 5 } }, connections: 1, durationMs }),
      identical32: (url: string): LoadSpec => () => ({ url, body: { query: JOIN, variables: { first: 5 } }, connections: 32, durationMs }),
      varied1: (url: string): LoadSpec => () => ({ url, body: varied, connections: 1, durationMs }),
      varied32: (url: string): LoadSpec => () => ({ url, body: varied, connections: 32, durationMs }),
      // One token per connection would pin a user to a connection; per request mixes them like real traffic.
      signedIn1: (url: string): LoadSpec => () => ({ url, body: { query: MY_BOOKINGS }, connections: 1, durationMs, headersFor: asUser }),
      signedIn32: (url: string): LoadSpec => () => ({ url, body: { query: MY_BOOKINGS }, connections: 32, durationMs, headersFor: asUser }),
      signedInVaried1: (url: string): LoadSpec => () => ({ url, body: varied, connections: 1, durationMs, headersFor: asUser }),
      signedInVaried32: (url: string): LoadSpec => () => ({ url, body: varied, connections: 32, durationMs, headersFor: asUser }),
    };
    const specs: Record<string, LoadSpec> = {};
    for (const [name, load] of Object.entries(loads)) for (const gw of ['ours', 'hive'] as const) specs[`${name}.${gw}`] = load(urls[gw]);
    const r = await interleavedRuns(benchRuns(), specs, {
      cpuOf: () => ({ ours: platform.services.gateway.pid, hive: hive.pid, catalog: platform.services.catalog.pid, booking: platform.services.booking.pid }),
    });
    for (const [label, summary] of Object.entries(r)) console.log(describe(label, summary));
    const labels: Record<keyof typeof loads, string> = {
      identical1: 'anonymous, identical join, 1 connection',
      identical32: 'anonymous, identical join, 32 connections',
      varied1: 'anonymous, varied join (first: 1..20), 1 connection',
      varied32: 'anonymous, varied join (first: 1..20), 32 connections',
      signedIn1: `signed-in myBookings, ${USERS} users, 1 connection`,
      signedIn32: `signed-in myBookings, ${USERS} users, 32 connections`,
      signedInVaried1: `signed-in varied join, ${USERS} users, 1 connection`,
      signedInVaried32: `signed-in varied join, ${USERS} users, 32 connections`,
    };
    const rows: ReportRow[] = [];
    for (const name of Object.keys(loads) as Array<keyof typeof loads>) {
      const [ours, peer] = [r[`${name}.ours`], r[`${name}.hive`]];
      const errors = `errors ${ours.errors}/${ours.requests} vs ${peer.errors}/${peer.requests}`;
      const sub = (s: typeof ours) => (s.cores ? `catalog ${s.cores.catalog?.toFixed(2)}, booking ${s.cores.booking?.toFixed(2)}` : '');
      rows.push({ target: '2 peer (Hive Gateway)', metric: `throughput, ${labels[name]}`, ours: ours.rps, baseline: peer.rps, unit: 'req/s', goal: 'ratio ≥ 1.0', met: ours.rps >= peer.rps, note: `${errors}; subgraph cores busy, ours: ${sub(ours)}; Hive: ${sub(peer)}` });
      rows.push({ target: '2 peer (Hive Gateway)', metric: `p99, ${labels[name]}`, ours: ours.p99, baseline: peer.p99, unit: 'ms', goal: 'ratio ≤ 1.0', met: ours.p99 <= peer.p99 });
    }
    report('peer-hive', rows);
  } finally {
    await platform.stop();
  }
}

async function holdSeat(url: string, token: string, eventId: string, seatId: string): Promise<string> {
  const data = await graphqlRequest<{ createBooking: { id: string } }>(url, 'mutation ($input: CreateBookingInput!) { createBooking(input: $input) { id } }', { input: { eventId, seatIds: [seatId] } }, { authorization: `Bearer ${token}` });
  return data.createBooking.id;
}

/**
 * Both gateways must give the same answers (a fast wrong answer is no result): the anonymous
 * join, and two users' bookings, each seeing exactly their own.
 */
async function checkSameAnswers(urls: Record<'ours' | 'hive', string>, tokens: string[], bookingIds: string[]): Promise<void> {
  const checks = [
    { query: JOIN, headers: {}, expect: undefined },
    ...[0, 1].map((u) => ({ query: MY_BOOKINGS, headers: { authorization: `Bearer ${tokens[u]}` }, expect: bookingIds[u] })),
  ];
  for (const { query, headers, expect } of checks) {
    const [ours, hive] = await Promise.all([graphqlRequest(urls.ours, query, { first: 5 }, headers), graphqlRequest(urls.hive, query, { first: 5 }, headers)]);
    if (JSON.stringify(ours) !== JSON.stringify(hive)) throw new Error(`Hive and our gateway answer differently:\nours ${JSON.stringify(ours)}\nhive ${JSON.stringify(hive)}`);
    const own = (ours as { myBookings?: { edges: Array<{ node: { id: string } }> } }).myBookings?.edges.map((e) => e.node.id);
    if (expect && JSON.stringify(own) !== JSON.stringify([expect])) throw new Error(`myBookings answered ${JSON.stringify(own)}, expected only ${expect}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
