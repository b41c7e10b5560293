import { serviceEntry } from '@eventix/testing';
import { benchDurationMs, benchRuns, describe, formatCores, leanHttpLoad, median, report, runs, startBenchPlatform, summarize, withCpu, type HttpLoadResult } from './harness';

/**
 * Target 3 (issue #16): GATEWAY_WORKERS=2 against one worker, same load, goal ≥ 1.6× the
 * throughput. Two gateways run side by side in front of the same subgraphs (one worker, two
 * workers) and are loaded in turn, run after run, so both see the same machine.
 * - `{ __typename }`: answered by the gateway alone (parse, validate, plan, auth, limits, no
 *   subgraph fetch): the subgraphs cannot be the bottleneck. This is the target's row.
 * - `events(first: 5)` on an empty catalog: one cheap subgraph fetch per request (shown too).
 * The CPU of each process tree over each load says what limits scaling on this machine. The
 * load is `leanHttpLoad`: on 2 cores the generator takes its CPU from the second worker, and
 * undici's client cost 2.3× as much per request (1.17× → 1.31× on the same machine).
 */
const CONNECTIONS = 32;
const QUERIES = { typename: '{ __typename }', events: 'query Events { events(first: 5) { edges { node { id title } } } }' };

async function main(): Promise<void> {
  const durationMs = benchDurationMs();
  // Nothing here travels between subgraphs: no Kafka needed.
  const platform = await startBenchPlatform({ kafka: false, gatewayEnv: { GATEWAY_WORKERS: '1' } });
  try {
    const two = await platform.startProcess('gateway-2-workers', serviceEntry('gateway').absolute, (port) => platform.gatewayProcessEnv({ GATEWAY_PORT: String(port), GATEWAY_WORKERS: '2' }));
    const gateways = { one: platform.services.gateway, two };
    const pids = () => ({ gateway1: gateways.one.pid, gateway2: gateways.two.pid, catalog: platform.services.catalog.pid });
    const rows = [];
    for (const [name, query] of Object.entries(QUERIES)) {
      const load = (g: keyof typeof gateways, ms = durationMs) => leanHttpLoad({ url: `${gateways[g].url}/graphql`, body: { query }, connections: CONNECTIONS, durationMs: ms });
      await load('one', 1_000);
      await load('two', 1_000);
      const results: Record<'one' | 'two', HttpLoadResult[]> = { one: [], two: [] };
      const cpu: Record<'one' | 'two', Array<Record<string, number>>> = { one: [], two: [] };
      await runs(benchRuns(), async () => {
        for (const g of ['one', 'two'] as const) {
          const { result, cores } = await withCpu(pids(), () => load(g));
          results[g].push(result);
          cpu[g].push(cores);
        }
      });
      const one = summarize(results.one);
      const twoW = summarize(results.two);
      const cpuNote = (g: 'one' | 'two') => formatCores(Object.fromEntries(Object.keys(cpu[g][0]).map((k) => [k, median(cpu[g].map((c) => c[k]))])));
      console.log(describe(`${name}, 1 worker`, one), `\n  cores busy: ${cpuNote('one')}`);
      console.log(describe(`${name}, 2 workers`, twoW), `\n  cores busy: ${cpuNote('two')}`);
      const ratio = twoW.rps / one.rps;
      rows.push({
        target: '3 gateway workers',
        metric: `throughput, ${name === 'typename' ? '{ __typename } (no subgraph fetch)' : 'events(first: 5), empty catalog'}, ${CONNECTIONS} connections`,
        ours: twoW.rps,
        baseline: one.rps,
        ratio,
        unit: 'req/s',
        goal: name === 'typename' ? 'ratio ≥ 1.6' : 'shown',
        met: name === 'typename' ? ratio >= 1.6 : undefined,
        note: `2 workers vs 1; cores busy with 2 workers: ${cpuNote('two')}; with 1: ${cpuNote('one')}`,
      });
    }
    report('gateway-workers', rows);
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
