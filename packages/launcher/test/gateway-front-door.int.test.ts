import { errorCodes, type GraphQLResponse } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from './platform-harness';

/** Issue #12: what the gateway's front door does before and after planning (real gateway, real subgraphs). */
describe('gateway front door', () => {
  let h: PlatformHarness;

  beforeAll(async () => {
    h = await startTestPlatform();
  });
  afterAll(async () => {
    await h?.close();
  });

  const costOf = (res: GraphQLResponse<unknown>) => (res as { extensions?: { cost?: { estimated: number; actual?: number } } }).extensions?.cost;

  /** Subgraph fetches the gateway has made so far, from its own /metrics. */
  async function subgraphFetches(): Promise<number> {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    return [...text.matchAll(/^eventix_gateway_subgraph_fetch_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  }

  describe('cost analysis (IBM cost directives from the supergraph)', () => {
    const FIVE_EVENTS = `{ events(first: 5) { edges { node { id title seats { id } } } } }`;

    it('lets five events with their seats through, reporting the estimate and the actual cost', async () => {
      await onSaleEvent(h, { title: 'Cost A', rows: 3, seatsPerRow: 10 });
      await onSaleEvent(h, { title: 'Cost B', rows: 2, seatsPerRow: 5 });
      const res = await h.as()<{ events: { edges: Array<{ node: { seats: unknown[] } }> } }>(FIVE_EVENTS);
      expect(res.errors).toBeUndefined();
      expect(res.data!.events.edges.map((e) => e.node.seats.length).sort()).toEqual([10, 30]);
      // events 1 + 5 × (edge 1 + event 1 + 5000 assumed seats); actual: the two events' 30 and 10 seats.
      expect(costOf(res)).toEqual({ estimated: 1 + 5 * (1 + 1 + 5000), actual: 1 + (1 + 1 + 30) + (1 + 1 + 10) });
    });

    it('refuses aliases × big seat maps before any subgraph is called', async () => {
      const before = await subgraphFetches();
      const query = `{ ${['a', 'b', 'c'].map((alias) => `${alias}: events(first: 5) { edges { node { seats { id } } } }`).join(' ')} }`;
      const res = await h.as()(query);
      expect(errorCodes(res)).toEqual(['OPERATION_TOO_COMPLEX']);
      expect(res.errors![0].extensions).toMatchObject({ limit: 'cost', estimatedCost: 3 * (1 + 5 * (1 + 1 + 5000)), maxCost: 50_000 });
      expect(res.status).toBe(400);
      expect(costOf(res)).toEqual({ estimated: 3 * 25_011 });
      expect(await subgraphFetches()).toBe(before);
    });

    it('refuses `first:` beyond the page maximum by the slicing rule, from a literal or a variable', async () => {
      const before = await subgraphFetches();
      for (const [query, variables] of [
        [`{ events(first: 101) { edges { cursor } } }`, {}],
        [`query($n: Int) { myBookings(first: $n) { edges { cursor } } }`, { n: 1000 }],
      ] as const) {
        const res = await h.as()(query, variables);
        expect(errorCodes(res)).toEqual(['OPERATION_TOO_COMPLEX']);
        expect(res.errors![0].extensions?.limit).toBe('slicing');
        expect(res.errors![0].message).toMatch(/\(first:\) must be between 0 and 100/);
      }
      expect(await subgraphFetches()).toBe(before);
    });

    it('exposes estimated and actual cost in /metrics', async () => {
      await h.as()(FIVE_EVENTS);
      const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
      expect(Number(/^eventix_gateway_operation_cost_estimated_count (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
      expect(Number(/^eventix_gateway_operation_cost_actual_count (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
      expect(text).toMatch(/^eventix_gateway_operation_cost_estimated_bucket\{le="50000"\} \d+/m);
    });
  });
});
