import { benchDurationMs, benchRuns, httpLoad, median, openLoad, report, runs, seedOnSaleEvent, startBenchPlatform, summarize, type HttpLoadResult, type LoadSummary } from './harness';

/**
 * Target 8 (issue #16): at twice the saturating load the gateway returns no 5xx, sheds with
 * RATE_LIMITED (or queues), and the p95 of what it serves stays ≤ 3× the p95 at saturation.
 * 1. Saturation: after a warm-up, closed-loop load at 4, 8, 16… 128 connections (short steps);
 *    the smallest step served at 90 % of the best step's rate is the saturating load (its
 *    served throughput R). Checked afterwards: if twice its connections are served much faster,
 *    the ramp stopped short and the rows say so (not met), instead of passing a non-overload.
 * 2. At saturation: closed loop at that many connections → p95 (the reference).
 * 3. Twice the load: an open loop starting 2R requests per second, whatever the answers do
 *    (the target's row); a closed loop at twice the connections is shown as well.
 * The query: the catalog → booking join with `first` varied per request (no two identical in
 * flight, so deduplication does not absorb the overload). The gateway runs with its default
 * admission settings (GATEWAY_MAX_IN_FLIGHT etc.; gateway/src/env.ts).
 */
const JOIN = 'query Events($first: Int) { events(first: $first) { edges { node { id title availableSeatCount } } } }';
const body = (i: number) => ({ query: JOIN, variables: { first: 1 + (i % 20) } });
const STEPS = [4, 8, 16, 32, 64, 128];
const STEP_MS = 2_000;

async function main(): Promise<void> {
  const durationMs = benchDurationMs();
  const platform = await startBenchPlatform();
  try {
    for (let i = 0; i < 5; i++) await seedOnSaleEvent(platform, { seats: 50, title: `Overload ${i}` });
    const closed = (connections: number, ms = durationMs) => httpLoad({ url: platform.gatewayUrl, body, connections, durationMs: ms });
    // Warm first: on a slow machine V8 is still compiling the request path after a second, and
    // a ramp measured cold stops early — its "saturation" then overloads nothing (seen: 139
    // req/s "saturated" at 16 connections, 377 req/s at 16 connections later in the same run).
    await closed(16, 5_000);
    const { connections, rps, ramp } = await findSaturation(closed);
    console.log(`ramp: ${ramp.map((s) => `${s.connections} conn ${s.rps.toFixed(0)} req/s`).join(', ')} → saturating at ${connections} connections, ${rps.toFixed(0)} req/s`);
    const n = benchRuns();
    const sat = summarize(await runs(n, () => closed(connections)));
    const open2x = summarize(await runs(n, () => openLoad({ url: platform.gatewayUrl, body, rate: 2 * rps, durationMs })));
    const closed2x = summarize(await runs(n, () => closed(2 * connections)));
    for (const [label, s] of Object.entries({ saturation: sat, 'open 2x': open2x, 'closed 2x': closed2x })) console.log(line(label, s));
    const fiveXx = (s: LoadSummary) => Object.entries(s.statusCounts).filter(([status]) => status.startsWith('5') || status === 'transport').reduce((a, [, c]) => a + c, 0);
    const shed = (s: LoadSummary) => (s.errorCodes.RATE_LIMITED ?? 0) / s.requests;
    // The rows mean something only if the load was in fact twice what the gateway can serve: when
    // twice the connections are served much faster than "saturation", the ramp stopped short and
    // nothing was overloaded — shown as not met, never as a pass.
    const overloaded = servedRps(closed2x) <= 1.25 * servedRps(sat);
    const notOverloaded = overloaded ? '' : ` NOT AN OVERLOAD: twice the connections were served ${(servedRps(closed2x) / servedRps(sat)).toFixed(2)}× the saturation's answers per second (the ramp stopped short); rerun.`;
    report('overload', [
      { target: '8 overload', metric: `5xx (and no answer) at 2× saturation, open loop ${(2 * rps).toFixed(0)} req/s offered`, ours: fiveXx(open2x), unit: 'answers', goal: '0', met: overloaded && fiveXx(open2x) === 0, note: `of ${open2x.requests}; status ${JSON.stringify(open2x.statusCounts)}${notOverloaded}` },
      { target: '8 overload', metric: 'share shed with RATE_LIMITED at 2× saturation (open loop)', ours: 100 * shed(open2x), unit: '%', goal: 'shed or queued', note: `codes ${JSON.stringify(open2x.errorCodes)}; served ${((open2x.rps * (open2x.requests - open2x.errors)) / open2x.requests).toFixed(0)} answers/s` },
      { target: '8 overload', metric: 'p95 of served requests at 2× saturation (open loop) vs at saturation', ours: open2x.servedP95, baseline: sat.p95, unit: 'ms', goal: 'ratio ≤ 3', met: overloaded && open2x.servedP95 <= 3 * sat.p95, note: `saturation: ${connections} connections, ${sat.rps.toFixed(0)} req/s; p95 of all answers (shed included) ${open2x.p95.toFixed(1)} ms${notOverloaded}` },
      { target: '8 overload', metric: `p95 of served requests, closed loop at 2× connections (${2 * connections}) vs at saturation`, ours: closed2x.servedP95, baseline: sat.p95, unit: 'ms', goal: 'ratio ≤ 3', met: closed2x.servedP95 <= 3 * sat.p95 && fiveXx(closed2x) === 0, note: `5xx ${fiveXx(closed2x)}, shed ${(100 * shed(closed2x)).toFixed(1)} %, ${closed2x.rps.toFixed(0)} req/s` },
    ]);
  } finally {
    await platform.stop();
  }
}

/**
 * The saturating load: every step of the ramp is run (served answers per second, the median of
 * two short runs each), and the smallest step that reaches 90 % of the best is chosen. Stopping
 * at the first step that grew by less than 10 % was at the mercy of one slow step: on a slow
 * machine it stopped at 4–16 connections while twice as many were served 1.5–3× as fast.
 */
async function findSaturation(closed: (connections: number, ms: number) => Promise<HttpLoadResult>) {
  const ramp: Array<{ connections: number; rps: number }> = [];
  for (const connections of STEPS) {
    // Served answers only: answers shed with 429 are cheap and would make the ramp climb on.
    const rps = median(await runs(2, async () => servedRps(await closed(connections, STEP_MS / 2))));
    ramp.push({ connections, rps });
  }
  const best = Math.max(...ramp.map((s) => s.rps));
  return { ...ramp.find((s) => s.rps >= 0.9 * best)!, ramp };
}

/** Answers per second that were served (2xx without GraphQL errors), not shed or failed. */
function servedRps(s: Pick<HttpLoadResult, 'rps' | 'requests' | 'errors'>): number {
  return s.requests ? (s.rps * (s.requests - s.errors)) / s.requests : 0;
}

function line(label: string, s: LoadSummary): string {
  return `${label}: ${s.rps.toFixed(0)} answers/s, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (served ${s.servedP95.toFixed(1)} ms), p99 ${s.p99.toFixed(1)} ms, status ${JSON.stringify(s.statusCounts)}, codes ${JSON.stringify(s.errorCodes)}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
