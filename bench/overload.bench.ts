import { benchDurationMs, benchRuns, httpLoad, median, openLoad, report, runs, seedOnSaleEvent, startBenchPlatform, summarize, type HttpLoadResult, type LoadSummary } from './harness';

/**
 * Target 8 (issue #16): at twice the saturating load the gateway returns no 5xx, sheds with
 * RATE_LIMITED (or queues), and the p95 of what it serves stays ≤ 3× the p95 at saturation.
 * 1. Saturation: closed-loop load at 4, 8, 16… connections (short steps) until throughput
 *    grows by less than 10 %; the step before is the saturating load (its throughput R).
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
    await closed(8, 1_000);
    const { connections, rps, ramp } = await findSaturation(closed);
    console.log(`ramp: ${ramp.map((s) => `${s.connections} conn ${s.rps.toFixed(0)} req/s`).join(', ')} → saturating at ${connections} connections, ${rps.toFixed(0)} req/s`);
    const n = benchRuns();
    const sat = summarize(await runs(n, () => closed(connections)));
    const open2x = summarize(await runs(n, () => openLoad({ url: platform.gatewayUrl, body, rate: 2 * rps, durationMs })));
    const closed2x = summarize(await runs(n, () => closed(2 * connections)));
    for (const [label, s] of Object.entries({ saturation: sat, 'open 2x': open2x, 'closed 2x': closed2x })) console.log(line(label, s));
    const fiveXx = (s: LoadSummary) => Object.entries(s.statusCounts).filter(([status]) => status.startsWith('5') || status === 'transport').reduce((a, [, c]) => a + c, 0);
    const shed = (s: LoadSummary) => (s.errorCodes.RATE_LIMITED ?? 0) / s.requests;
    report('overload', [
      { target: '8 overload', metric: `5xx (and no answer) at 2× saturation, open loop ${(2 * rps).toFixed(0)} req/s offered`, ours: fiveXx(open2x), unit: 'answers', goal: '0', met: fiveXx(open2x) === 0, note: `of ${open2x.requests}; status ${JSON.stringify(open2x.statusCounts)}` },
      { target: '8 overload', metric: 'share shed with RATE_LIMITED at 2× saturation (open loop)', ours: 100 * shed(open2x), unit: '%', goal: 'shed or queued', note: `codes ${JSON.stringify(open2x.errorCodes)}; served ${((open2x.rps * (open2x.requests - open2x.errors)) / open2x.requests).toFixed(0)} answers/s` },
      { target: '8 overload', metric: 'p95 of served requests at 2× saturation (open loop) vs at saturation', ours: open2x.servedP95, baseline: sat.p95, unit: 'ms', goal: 'ratio ≤ 3', met: open2x.servedP95 <= 3 * sat.p95, note: `saturation: ${connections} connections, ${sat.rps.toFixed(0)} req/s; p95 of all answers (shed included) ${open2x.p95.toFixed(1)} ms` },
      { target: '8 overload', metric: `p95 of served requests, closed loop at 2× connections (${2 * connections}) vs at saturation`, ours: closed2x.servedP95, baseline: sat.p95, unit: 'ms', goal: 'ratio ≤ 3', met: closed2x.servedP95 <= 3 * sat.p95 && fiveXx(closed2x) === 0, note: `5xx ${fiveXx(closed2x)}, shed ${(100 * shed(closed2x)).toFixed(1)} %, ${closed2x.rps.toFixed(0)} req/s` },
    ]);
  } finally {
    await platform.stop();
  }
}

/** The smallest step after which throughput grows by less than 10 %, with the ramp it saw. */
async function findSaturation(closed: (connections: number, ms: number) => Promise<HttpLoadResult>) {
  const ramp: Array<{ connections: number; rps: number }> = [];
  for (const connections of STEPS) {
    // The median of two short steps: one alone is at the mercy of a busy moment.
    const rps = median(await runs(2, async () => (await closed(connections, STEP_MS / 2)).rps));
    ramp.push({ connections, rps });
    const previous = ramp[ramp.length - 2];
    if (previous && rps < previous.rps * 1.1) return { ...previous, ramp };
  }
  return { ...ramp[ramp.length - 1], ramp };
}

function line(label: string, s: LoadSummary): string {
  return `${label}: ${s.rps.toFixed(0)} answers/s, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (served ${s.servedP95.toFixed(1)} ms), p99 ${s.p99.toFixed(1)} ms, status ${JSON.stringify(s.statusCounts)}, codes ${JSON.stringify(s.errorCodes)}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
