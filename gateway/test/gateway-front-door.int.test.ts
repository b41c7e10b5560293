import { createClient } from 'graphql-ws';
import { serverAudits } from 'graphql-http';
import WebSocket from 'ws';
import { decodeJwt } from 'jose';
import { errorCodes, operations, type GraphQLResponse } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

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
    // Inline: the costs asserted below are computed from exactly this selection.
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

  describe('bad input values answer BAD_USER_INPUT naming the field, never INTERNAL_SERVER_ERROR', () => {
    let organizer: ReturnType<PlatformHarness['as']>;
    let eventId: string;
    beforeAll(async () => {
      organizer = h.as(await h.token('organizer-12', ['catalog:write']));
      eventId = (await onSaleEvent(h, { title: 'Bad inputs', rows: 1, seatsPerRow: 4 })).eventId;
    });

    // Inline: bad values (many of a type the typed documents' variables refuse) probe the front door's input checks.
    const CHANGE_PRICE = `mutation($price: Money!, $eventId: ID!) { changeSectionPrice(price: $price, sectionId: "s", eventId: $eventId) { id } }`;
    const CREATE_EVENT = `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`;
    const CREATE_VENUE = `mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`;
    const CREATE_BOOKING = `mutation($input: CreateBookingInput!) { createBooking(input: $input) { id } }`;
    const EVENTS_FROM = `query($from: DateTime) { events(from: $from) { edges { cursor } } }`;
    const section = (price: unknown) => ({ name: 'A', rows: 1, seatsPerRow: 2, price });

    it.each([
      ['Money variable "-5.00"', CHANGE_PRICE, () => ({ price: '-5.00', eventId }), 'price'],
      ['Money variable as a number', CHANGE_PRICE, () => ({ price: 5, eventId }), 'price'],
      ['Money inside an input object', CREATE_VENUE, () => ({ input: { name: 'V', city: 'C', sections: [section('1.5')] } }), 'input.sections[0].price'],
      ['Money literal', `mutation($eventId: ID!) { changeSectionPrice(price: "-5.00", sectionId: "s", eventId: $eventId) { id } }`, () => ({ eventId }), 'price'],
      ['DateTime variable', CREATE_EVENT, () => ({ input: { venueId: 'v', title: 'T', startsAt: 'next tuesday' } }), 'input.startsAt'],
      ['DateTime argument variable', EVENTS_FROM, () => ({ from: '2026-13-45T99:00:00Z' }), 'from'],
      ['DateTime literal', `{ events(from: "yesterday") { edges { cursor } } }`, () => ({}), 'from'],
      ['ID variable (a float)', `query($id: ID!) { event(id: $id) { id } }`, () => ({ id: 1.5 }), 'id'],
      ['ID list item', CREATE_BOOKING, () => ({ input: { eventId, seatIds: ['a', { x: 1 }] } }), 'input.seatIds[1]'],
      ['list of objects where IDs are expected', CREATE_BOOKING, () => ({ input: { eventId, seatIds: [[true]] } }), 'input.seatIds[0]'],
      ['Int given a string', CREATE_VENUE, () => ({ input: { name: 'V', city: 'C', sections: [{ ...section('5.00'), rows: 'two' }] } }), 'input.sections[0].rows'],
      ['missing required field', CREATE_EVENT, () => ({ input: { venueId: 'v', title: 'T' } }), 'input'],
      ['ID literal (a float)', `{ event(id: 1.5) { id } }`, () => ({}), 'id'],
      ['ID list item literal', `mutation { createBooking(input: { eventId: "e", seatIds: ["a", 2.5] }) { id } }`, () => ({}), 'input.seatIds[1]'],
      ['unknown input field literal', `mutation { createEvent(input: { venueId: "v", title: "T", startsAt: "2030-01-01T00:00:00Z", colour: "red" }) { id } }`, () => ({}), 'input.colour'],
      ['missing required field literal', `mutation { createEvent(input: { venueId: "v", title: "T" }) { id } }`, () => ({}), 'input'],
      ['Boolean in @include', `query($on: Boolean!) { events { edges { cursor @include(if: $on) } } }`, () => ({ on: 'yes' }), 'on'],
    ])('%s', async (_name, query, variables, field) => {
      const res = await organizer(query, variables());
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].extensions?.field).toBe(field);
      expect(res.errors![0].message).toContain(field.split('.').at(-1)!.replace(/\[\d+\]$/, ''));
      expect(res.status).toBe(400);
    });

    it('refuses a bad subscription variable the same way over graphql-ws', async () => {
      const client = createClient({ url: h.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${await h.token('viewer-12')}` } });
      try {
        const errors = await new Promise<unknown>((resolve) => {
          client.subscribe({ query: `subscription($id: ID!) { seatAvailabilityChanged(eventId: $id) { seatMapVersion } }`, variables: { id: 1.5 } }, { next: resolve, error: resolve, complete: () => resolve('completed') });
        });
        expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'eventId' }) })]);
      } finally {
        await client.dispose();
      }
    });

    it('codes a malformed subscribe message over graphql-ws as over HTTP: validation, operation resolution, transport', async () => {
      const client = createClient({ url: h.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${await h.token('viewer-13')}` } });
      const refusal = (query: string) =>
        new Promise<unknown>((resolve) => {
          client.subscribe({ query }, { next: resolve, error: resolve, complete: () => resolve('completed') });
        });
      try {
        const cases: Array<[string, object]> = [
          ['subscription { nope }', { code: 'GRAPHQL_VALIDATION_FAILED' }],
          ['subscription A { holdExpiring(bookingId: "x") { kind } } subscription B { holdExpiring(bookingId: "y") { kind } }', { code: 'OPERATION_RESOLUTION_FAILURE' }],
          ['{ events(first: 1) { edges { cursor } } }', { code: 'BAD_REQUEST' }],
        ];
        for (const [query, extensions] of cases) {
          // Exactly the code: no HTTP status or other transport detail on a socket.
          expect({ query, errors: await refusal(query) }).toEqual({ query, errors: [expect.objectContaining({ extensions })] });
        }
      } finally {
        await client.dispose();
      }
    });

    it('still executes good values of the same operations', async () => {
      // Inline: literals, the good counterpart of the bad literals above.
      const res = await organizer(`{ events(from: "2020-01-01T00:00:00Z", first: 1) { edges { cursor } } }`);
      expect(res.errors).toBeUndefined();
    });
  });

  describe('HTTP hygiene', () => {
    it.each([
      ['text/plain', { 'content-type': 'text/plain', 'apollo-require-preflight': 'true' }],
      ['no content type', { 'apollo-require-preflight': 'true' }],
      ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x', 'x-apollo-operation-name': 'Q' }],
    ])('answers 415 to a POST with %s, executing nothing', async (_name, headers) => {
      const res = await fetch(h.gatewayUrl, { method: 'POST', headers, body: JSON.stringify({ query: '{ events(first: 1) { edges { cursor } } }' }) });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { data?: unknown; errors: unknown[] }).data).toBeUndefined();
    });

    it.each([
      ['two operations and no operationName', { query: 'query A { __typename } query B { __typename }' }, 'OPERATION_RESOLUTION_FAILURE', 'Must provide operation name if query contains multiple operations.'],
      ['an operationName the document lacks', { query: 'query A { __typename }', operationName: 'Z' }, 'OPERATION_RESOLUTION_FAILURE', 'Unknown operation named "Z".'],
      ['a subscription over HTTP', { query: 'subscription { seatAvailabilityChanged(eventId: "x") { seatMapVersion } }' }, 'BAD_REQUEST', 'Subscriptions are served over WebSocket (graphql-ws protocol) at this URL, not over HTTP'],
    ])('answers 400 to %s, never a 500, calling no subgraph', async (_name, body, code, message) => {
      const before = await subgraphFetches();
      const res = await fetch(h.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await res.json()) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
      expect({ status: res.status, errors: answer.errors.map((e) => ({ message: e.message, code: e.extensions.code })) }).toEqual({ status: 400, errors: [{ message, code }] });
      expect(await subgraphFetches()).toBe(before);
    });

    it('accepts application/json with a charset and application/graphql-response+json', async () => {
      for (const type of ['application/json; charset=utf-8', 'application/graphql-response+json']) {
        const res = await fetch(h.gatewayUrl, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify({ query: '{ __typename }' }) });
        expect({ type, status: res.status, body: await res.json() }).toEqual({ type, status: 200, body: { data: { __typename: 'Query' }, extensions: { cost: { estimated: 0, actual: 0 } } } });
      }
    });

    it("mints Sandbox's dev token on each page load, valid at the gateway", async () => {
      const page = async () => {
        const html = await (await fetch(h.gatewayUrl, { headers: { accept: 'text/html' } })).text();
        const token = /Bearer (eyJ[\w-]+\.[\w-]+\.[\w-]+)/.exec(html)?.[1];
        if (!token) throw new Error(`no token in the landing page: ${html.slice(0, 200)}`);
        return token;
      };
      const first = await page();
      await new Promise((resolve) => setTimeout(resolve, 1100)); // iat has one-second resolution
      const loadedAt = Math.floor(Date.now() / 1000);
      const second = await page();
      expect(second).not.toBe(first);
      expect(decodeJwt(second).iat).toBeGreaterThanOrEqual(loadedAt);
      const res = await h.as(second)(operations.MyBookingsDocument, {});
      expect(res.errors).toBeUndefined();
    });

    /**
     * graphql-http's GraphQL-over-HTTP audit against the real gateway. Every audit not passed is
     * listed here and in the README with its reason; this fails when one more fails, or when one
     * of these starts passing (then drop it from both lists).
     */
    it('passes the GraphQL-over-HTTP audit except the deviations listed in the README', async () => {
      const results = await Promise.all(serverAudits({ url: h.gatewayUrl }).map(async (audit) => ({ ...(await audit.fn()), name: audit.name })));
      const notPassed = results.filter((r) => r.status !== 'ok').map((r) => `${r.status}: ${r.name}`);
      expect(notPassed).toEqual(KNOWN_DEVIATIONS);
    });
  });
});

/** The audits the gateway does not pass, and why (see README, Gateway). */
const KNOWN_DEVIATIONS: string[] = [
  // Deliberate: CSRF prevention refuses a GET without a preflight-forcing header
  // (apollo-require-preflight, x-apollo-operation-name or a non-simple content type).
  'notice: MAY accept application/x-www-form-urlencoded formatted GET requests',
  'notice: MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
  'notice: MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
  // Inherited from Apollo Server: 400 for parse and validation failures whatever the Accept
  // header; the gateway's own input validation answers 400 the same way.
  'warn: SHOULD use 200 status code on document parsing failure when accepting application/json',
  'warn: SHOULD use 200 status code on document validation failure when accepting application/json',
  'warn: SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
];
