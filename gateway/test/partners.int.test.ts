import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createGateway, loadGatewayConfig, startGateway, type RunningGateway } from '../src/lib';
import { errorCodes, graphqlClient, waitFor, type GraphQLResponse } from '@eventix/testing';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

interface ManifestOperation {
  id: string;
  name: string;
  type: string;
  body: string;
}
const committed = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../schema/persisted-queries.json'), 'utf8')) as { operations: ManifestOperation[] };
const byName = Object.fromEntries(committed.operations.map((op) => [op.name, op])) as Record<string, ManifestOperation>;
const idOf = (name: string) => byName[name].id;
const budgets = { requestsPerMinute: 1_000, costPerMinute: 10_000_000 };

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Partners through the real gateway: safelist per partner, reloads, budgets shared through Redis. */
describe('partners: persisted queries by id, identities and budgets (real platform)', () => {
  let h: PlatformHarness;
  let dir: string;
  let manifestPath: string;
  let keyFile: string;
  const gateways: RunningGateway[] = [];
  const sockets: Client[] = [];

  /** POSTs a manifest operation by id only (no query text), as a partner does. */
  const byId = async (url: string, token: string, id: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<Data>> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: id } } }),
    });
    return { status: res.status, ...((await res.json()) as object) };
  };
  const metric = async (name: string, labels: string): Promise<number> => {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-partners-'));
    keyFile = path.join(dir, 'dev-key.json');
    manifestPath = path.join(dir, 'persisted-queries.json');
    fs.writeFileSync(manifestPath, JSON.stringify(committed));
    const partners = [
      { id: 'acme', mode: 'enforce', budgets },
      { id: 'kiosk', mode: 'log', budgets },
      { id: 'm2m-client-id', mode: 'enforce', budgets },
      { id: 'tight', mode: 'enforce', budgets: { requestsPerMinute: 3, costPerMinute: 1_000_000 } },
      { id: 'thrifty', mode: 'enforce', budgets: { requestsPerMinute: 1_000, costPerMinute: 100 } },
    ];
    fs.writeFileSync(path.join(dir, 'partners.json'), JSON.stringify({ partners }));
    h = await startTestPlatform({ DEV_ISSUER_KEY_FILE: keyFile, PARTNERS_PATH: path.join(dir, 'partners.json'), PERSISTED_QUERIES_PATH: manifestPath });
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.dispose()));
    await Promise.all(gateways.map((g) => g.stop()));
    await h?.close();
  });

  it('a partner runs every manifest operation by id, the live seat map over WebSocket included', async () => {
    const { eventId, seatIds } = await onSaleEvent(h, { venue: 'Partner Hall', city: 'Partnerville', title: 'Partner Night', rows: 1, seatsPerRow: 6 });
    const token = await h.token('acme', ['partner']);
    const run = (name: string, variables?: Record<string, unknown>) => byId(h.gatewayUrl, token, idOf(name), variables);

    const events = await run('PartnerOnSaleEvents', { city: 'Partnerville', first: 10 });
    expect(events.errors).toBeUndefined();
    expect(events.data!.events.edges.map((e: Data) => e.node.id)).toContain(eventId);
    const map = await run('PartnerSeatMap', { eventId });
    expect(map.data!.event.seats.map((s: Data) => s.availability)).toEqual(Array(6).fill('AVAILABLE'));

    // The live seat map, subscribed by id: graphql-ws needs a query string, so it is empty.
    const changes: Data[] = [];
    const socket = createClient({ url: h.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    sockets.push(socket);
    socket.subscribe({ query: '', variables: { eventId }, extensions: { persistedQuery: { version: 1, sha256Hash: idOf('PartnerLiveSeatMap') } } }, {
      next: (r) => changes.push((r.data ?? { errors: r.errors }) as Data),
      error: (e) => changes.push({ error: e }),
      complete: () => undefined,
    });
    await waitFor(() => (h.platform.gateway.subscriptions.upstreamCount > 0 ? true : undefined), 5_000, 'the upstream stream');

    const hold = await run('PartnerHoldSeats', { input: { eventId, seatIds: [seatIds[0]] } });
    expect(hold.errors).toBeUndefined();
    const bookingId = hold.data!.createBooking.id as string;
    const change = await waitFor(() => changes.find((c) => c.seatAvailabilityChanged?.seats?.some((s: Data) => s.seat.id === seatIds[0])), 10_000, 'the live change');
    expect(change.seatAvailabilityChanged.seats[0]).toMatchObject({ availability: 'HELD', seat: { row: expect.any(String), price: '25.00' } });

    const paid = await run('PartnerPayBooking', { input: { bookingId, paymentMethodToken: 'tok_visa' } });
    expect(paid.errors).toBeUndefined();
    const tickets = await waitFor(async () => {
      const booking = await run('PartnerBooking', { id: bookingId });
      return booking.data?.booking?.tickets?.length ? booking.data.booking : undefined;
    }, 20_000, 'the tickets');
    expect(tickets).toMatchObject({ status: 'CONFIRMED', tickets: [{ code: expect.any(String), seat: { id: seatIds[0] } }] });

    const second = await run('PartnerHoldSeats', { input: { eventId, seatIds: [seatIds[1]] } });
    const cancelled = await run('PartnerCancelBooking', { id: second.data!.createBooking.id });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelBooking.status).toBe('CANCELLED');
  }, 60_000);

  it('refuses an enforced partner free text and an unknown id with their codes, and registers neither', async () => {
    const token = await h.token('acme', ['partner']);
    const text = await h.as(token)(`{ events { edges { node { id title } } } }`);
    expect(errorCodes(text)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    expect(text.status).toBe(400);
    // APQ-style text plus hash may not register itself either.
    const query = '{ events { edges { cursor } } }';
    const hash = createHash('sha256').update(query).digest('hex');
    const register = await fetch(h.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }) });
    expect(((await register.json()) as GraphQLResponse).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(errorCodes(await byId(h.gatewayUrl, token, hash))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(errorCodes(await byId(h.gatewayUrl, token, 'f'.repeat(64)))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    // A schema probe gets the refusal, not validation errors naming fields.
    expect(errorCodes(await h.as(token)(`{ nosuchfield }`))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
  });

  it('refuses an enforced partner subscription sent as text or by an unknown id over WebSocket', async () => {
    const socket = createClient({ url: h.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${await h.token('acme', ['partner'])}` } });
    sockets.push(socket);
    const refusal = (payload: { query: string; extensions?: Record<string, unknown> }) =>
      new Promise<unknown>((resolve) => socket.subscribe({ ...payload, variables: { eventId: '1' } }, { next: () => resolve('ran'), error: (e) => resolve((e as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code), complete: () => undefined }));
    expect(await refusal({ query: byName.PartnerLiveSeatMap.body })).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(await refusal({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: 'e'.repeat(64) } } })).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('names an Auth0 machine-to-machine partner by azp, and refuses a partner the file does not list', async () => {
    const { SignJWT, importJWK } = await import('jose');
    const { privateJwk } = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { privateJwk: Parameters<typeof importJWK>[0] };
    const m2m = await new SignJWT({ permissions: ['partner'], azp: 'm2m-client-id' })
      .setProtectedHeader({ alg: 'RS256', kid: 'eventix-dev-1' }).setIssuer(`${h.baseUrl}/`).setAudience('eventix-api').setSubject('m2m-client-id@clients').setIssuedAt().setExpirationTime('5m')
      .sign(await importJWK(privateJwk, 'RS256'));
    expect((await byId(h.gatewayUrl, m2m, idOf('PartnerOnSaleEvents'), { first: 1 })).errors).toBeUndefined();
    expect(errorCodes(await h.as(m2m)(`{ __typename }`))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    expect(errorCodes(await byId(h.gatewayUrl, await h.token('stranger', ['partner']), idOf('PartnerOnSaleEvents')))).toEqual(['FORBIDDEN']);
  });

  it("runs a log-mode partner's free text and counts it per partner in /metrics", async () => {
    const before = await metric('eventix_gateway_partner_unlisted_operations_total', 'partner="kiosk"');
    const res = await h.as(await h.token('kiosk', ['partner']))(`query KioskTitles { events(first: 1) { edges { node { title } } } }`);
    expect(res.errors).toBeUndefined();
    expect(await metric('eventix_gateway_partner_unlisted_operations_total', 'partner="kiosk"')).toBe(before + 1);
    // Manifest ids are not counted.
    await byId(h.gatewayUrl, await h.token('kiosk', ['partner']), idOf('PartnerOnSaleEvents'), { first: 1 });
    expect(await metric('eventix_gateway_partner_unlisted_operations_total', 'partner="kiosk"')).toBe(before + 1);
  });

  it('lets first-party callers send free text and APQ (SAFELIST_ENFORCE=partners)', async () => {
    const fan = await h.as(await h.token('fan'))(`{ events(first: 1) { edges { node { id } } } }`);
    expect(fan.errors).toBeUndefined();
    const anonymous = await h.as()(`{ events(first: 1) { pageInfo { hasNextPage } } }`);
    expect(anonymous.errors).toBeUndefined();
    // APQ: hash with text registers, then the hash alone runs.
    const query = `{ events(first: 1) { edges { node { title id } } } }`;
    const hash = createHash('sha256').update(query).digest('hex');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await h.token('fan')}` };
    const registered = await fetch(h.gatewayUrl, { method: 'POST', headers, body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }) });
    expect(((await registered.json()) as GraphQLResponse).errors).toBeUndefined();
    expect((await byId(h.gatewayUrl, await h.token('fan'), hash)).errors).toBeUndefined();
  });

  it('holds first-party callers to the manifest too with SAFELIST_ENFORCE=all', async () => {
    const strict = await startGateway({ config: loadGatewayConfig(h.gatewayEnv({ DEV_ISSUER_KEY_FILE: keyFile, SAFELIST_ENFORCE: 'all' })), log: () => undefined });
    gateways.push(strict);
    const fan = await strict.devIssuer!.issue('fan', []);
    expect(errorCodes(await graphqlClient(strict.url, { authorization: `Bearer ${fan}` })(`{ events(first: 1) { edges { cursor } } }`))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    expect((await byId(strict.url, fan, idOf('PartnerOnSaleEvents'), { first: 1 })).errors).toBeUndefined();
  });

  it('accepts a new manifest operation after the manifest changes, without a restart', async () => {
    const body = 'query PartnerEventTitles { events(first: 2) { edges { node { title } } } }';
    const added = { id: createHash('sha256').update(body).digest('hex'), name: 'PartnerEventTitles', type: 'query', body };
    const token = await h.token('acme', ['partner']);
    expect(errorCodes(await byId(h.gatewayUrl, token, added.id))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    fs.writeFileSync(manifestPath, JSON.stringify({ ...committed, operations: [...committed.operations, added] }));
    const res = await waitFor(async () => {
      const r = await byId(h.gatewayUrl, token, added.id);
      return r.errors ? undefined : r;
    }, 5_000, 'the reloaded manifest');
    expect(Array.isArray(res.data!.events.edges)).toBe(true);
    // A broken manifest keeps the last good one.
    fs.writeFileSync(manifestPath, '{ not json');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await byId(h.gatewayUrl, token, added.id)).errors).toBeUndefined();
    // A gateway starting on the broken file refuses to start, naming it.
    expect(() => createGateway({ config: loadGatewayConfig({ ...h.env, INTERNAL_JWT_SECRET: h.internalSecret }), log: () => undefined })).toThrow(/persisted-queries\.json: not JSON/);
    fs.writeFileSync(manifestPath, JSON.stringify(committed));
  });

  it('refuses a partner over its requests per minute with RATE_LIMITED, on a second gateway instance too', async () => {
    const second = await startGateway({
      config: loadGatewayConfig(h.gatewayEnv({ DEV_ISSUER_KEY_FILE: keyFile })),
      log: () => undefined,
    });
    gateways.push(second);
    // Budgets are per minute: stay inside one window.
    const seconds = new Date().getSeconds();
    if (seconds > 50) await new Promise((resolve) => setTimeout(resolve, (61 - seconds) * 1000));
    const first = await h.token('tight', ['partner']);
    const other = await second.devIssuer!.issue('tight', ['partner']);
    for (let i = 0; i < 3; i++) expect((await byId(h.gatewayUrl, first, idOf('PartnerOnSaleEvents'), { first: 1 })).errors).toBeUndefined();
    const refused = await byId(second.url, other, idOf('PartnerOnSaleEvents'), { first: 1 });
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect(refused.status).toBe(429);
    expect(refused.errors![0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
    // Cost units: a seat map is estimated at thousands of units (an assumed 5,000 seats).
    const thrifty = await h.token('thrifty', ['partner']);
    expect((await byId(h.gatewayUrl, thrifty, idOf('PartnerOnSaleEvents'), { first: 1 })).errors).toBeUndefined();
    const costly = await byId(second.url, await second.devIssuer!.issue('thrifty', ['partner']), idOf('PartnerSeatMap'), { eventId: '1' });
    expect(errorCodes(costly)).toEqual(['RATE_LIMITED']);
    expect(costly.errors![0].message).toMatch(/cost units/);
    // Another partner's budget is its own.
    expect((await byId(second.url, await second.devIssuer!.issue('acme', ['partner']), idOf('PartnerOnSaleEvents'), { first: 1 })).errors).toBeUndefined();
  }, 30_000);
});
