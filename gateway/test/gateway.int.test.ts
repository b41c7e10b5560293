import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { loadGatewayConfig, startGateway, type RunningGateway } from '../src/lib';
import { errorCodes, graphqlClient, operations, testRedisUrl, waitFor } from '@eventix/testing';
import { startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';

/** The gateway as the only door: limits, rate limits, tokens, APQ, metrics, production mode. */
describe('gateway refusals and features (real subgraphs, Redis)', () => {
  let h: PlatformHarness;
  let keyFile: string;
  const extraGateways: RunningGateway[] = [];

  /** Another gateway in front of the same subgraphs, e.g. a second instance or production mode. */
  async function gateway(env: Record<string, string> = {}): Promise<RunningGateway> {
    const g = await startGateway({
      config: loadGatewayConfig(h.gatewayEnv({ DEV_ISSUER_KEY_FILE: keyFile, ...env })),
      log: () => undefined,
    });
    extraGateways.push(g);
    return g;
  }

  beforeAll(async () => {
    keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-gw-')), 'dev-key.json');
    h = await startTestPlatform({ DEV_ISSUER_KEY_FILE: keyFile, RATE_LIMIT_BOOKING_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await Promise.all(extraGateways.map((g) => g.stop()));
    await h?.close();
  });

  describe('operation limits', () => {
    // Two events with venue sections and the whole seat map: 1 + 2 × (1 + 1 + (1 + 100) + 5000 × 2) = 20,207.
    const deep = `{ events(first: 2) { edges { node { venue { sections { id } } seats { section { id } } } } } }`;
    it.each([
      ['depth', `{ myBookings { edges { node { event { venue { sections { id } } seats { section { id name } } } } } } }`, { LIMIT_DEPTH: '5' }],
      ['aliases', `{ events { pageInfo { ${Array.from({ length: 16 }, (_, i) => `a${i}: hasNextPage`).join(' ')} } } }`, {}],
      ['rootFields', `{ ${Array.from({ length: 11 }, (_, i) => `e${i}: event(id: "${i}") { id }`).join(' ')} }`, { LIMIT_ALIASES: '100' }],
      ['directives', `{ events { pageInfo { ${Array.from({ length: 51 }, () => 'hasNextPage @include(if: true)').join(' ')} } } }`, {}],
      ['tokens', `{ events { pageInfo { ${'hasNextPage '.repeat(2100)} } } }`, {}],
      ['cost', `{ events(first: 100) { edges { node { seats { id row number price } } } } }`, { LIMIT_COST: '10000' }],
    ])('refuses an operation over the %s limit with OPERATION_TOO_COMPLEX', async (limit, query, env) => {
      const g = Object.keys(env).length ? await gateway(env) : undefined;
      const res = await graphqlClient(g?.url ?? h.gatewayUrl)(query);
      expect(errorCodes(res)).toEqual(['OPERATION_TOO_COMPLEX']);
      expect(res.errors![0].extensions?.limit).toBe(limit);
      expect(res.status).toBe(400);
    });

    it('lets the seat map and booking details through with the defaults', async () => {
      const res = await h.as()(deep);
      expect(res.errors).toBeUndefined();
    });

    it('refuses batched HTTP arrays and oversized bodies', async () => {
      const batch = await fetch(h.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) });
      expect(batch.status).toBe(400);
      const big = await fetch(h.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(200_000) } }) });
      expect(big.status).toBe(413);
    });
  });

  describe('tokens', () => {
    let privateJwk: JWK;
    const claims = { permissions: [] as string[] };
    const sign = async (edit: (jwt: SignJWT) => SignJWT, alg = 'RS256', key?: Uint8Array) =>
      edit(new SignJWT(claims).setProtectedHeader({ alg, kid: 'eventix-dev-1' }).setIssuer(`${h.baseUrl}/`).setAudience('eventix-api').setSubject('mallory').setIssuedAt()).sign(
        key ?? (await importJWK(privateJwk, 'RS256')),
      );

    beforeAll(() => {
      privateJwk = (JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { privateJwk: JWK }).privateJwk;
    });

    it('accepts a well-formed token signed by the issuer', async () => {
      const token = await sign((j) => j.setExpirationTime('5m'));
      const res = await h.as(token)(operations.MyBookingsDocument, {});
      expect(res.errors).toBeUndefined();
    });

    it('refuses expired, not-yet-valid, wrong-issuer, wrong-audience, alg none, HS256-with-the-public-key and unknown-key tokens', async () => {
      const publicJwk = (JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { publicJwk: JWK }).publicJwk;
      const now = Math.floor(Date.now() / 1000);
      const tokens: Record<string, string> = {
        expired: await sign((j) => j.setIssuedAt(now - 3600).setExpirationTime(now - 60)),
        futureNbf: await sign((j) => j.setNotBefore(now + 600).setExpirationTime('1h')),
        noExp: await sign((j) => j),
        wrongIssuer: await sign((j) => j.setIssuer('https://evil.example/').setExpirationTime('1h')),
        wrongAudience: await sign((j) => j.setAudience('someone-else').setExpirationTime('1h')),
        algNone: new UnsecuredJWT(claims).setIssuer(`${h.baseUrl}/`).setAudience('eventix-api').setSubject('mallory').setExpirationTime('1h').encode(),
        hs256WithPublicKey: await sign((j) => j.setExpirationTime('1h'), 'HS256', new TextEncoder().encode(JSON.stringify(publicJwk))),
        unknownKid: await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'rotated-away' })
          .setIssuer(`${h.baseUrl}/`)
          .setAudience('eventix-api')
          .setSubject('mallory')
          .setExpirationTime('1h')
          .sign(await importJWK(privateJwk, 'RS256')),
      };
      for (const [name, token] of Object.entries(tokens)) {
        const res = await h.as(token)(operations.EventListDocument, {});
        expect({ name, status: res.status, codes: errorCodes(res) }).toEqual({ name, status: 401, codes: ['UNAUTHENTICATED'] });
        expect(JSON.stringify(res)).not.toMatch(/stack|at .*\.js/);
      }
    });
  });

  describe('rate limits', () => {
    it('gives createBooking a tighter budget, answering RATE_LIMITED with a retry-after hint', async () => {
      const fan = await h.token('eager-fan');
      const attempt = () => h.as(fan)(operations.CreateBookingDocument, { input: { eventId: '00000000-0000-4000-8000-000000000000', seatIds: ['00000000-0000-4000-8000-000000000001'] } });
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await attempt());
      // The event is unknown to booking: "not open for booking yet" (retryable), until the budget runs out.
      expect(results.map((r) => errorCodes(r)[0])).toEqual(['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'RATE_LIMITED']);
      expect(results[3].status).toBe(429);
      expect(Number(results[3].errors![0].extensions?.retryAfterSeconds)).toBeGreaterThan(0);
      // Other operations of the same user still have budget.
      expect((await h.as(fan)(operations.MyBookingsDocument, {})).errors).toBeUndefined();
      const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/eventix_gateway_rate_limit_rejections_total\{bucket="createBooking"\} 2/);
    });

    it('limits anonymous callers per IP, shared through Redis by every gateway instance', async () => {
      const a = await gateway({ RATE_LIMIT_PER_MINUTE: '4' });
      const b = await gateway({ RATE_LIMIT_PER_MINUTE: '4' });
      // A fresh window key: the test's own budget, not shared with other tests on this IP.
      const codes: string[] = [];
      for (const g of [a, a, b, b, a, b]) codes.push(String(errorCodes(await graphqlClient(g.url)(operations.EventListDocument, { first: 1 }))[0] ?? 'ok'));
      expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('automatic persisted queries', () => {
    it('round-trips hash-only → PERSISTED_QUERY_NOT_FOUND → register → hash-only, also on a second instance sharing Redis', async () => {
      // Inline: a text of its own (the timestamp), so that its hash is not registered yet.
      const query = `query ApqProbe { events(first: 1) { pageInfo { hasNextPage } } } # ${Date.now()}`;
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const extensions = { persistedQuery: { version: 1, sha256Hash } };
      const post = (url: string, body: object) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => (await r.json()) as { data?: unknown; errors?: Array<{ extensions: { code: string } }> });
      expect((await post(h.gatewayUrl, { extensions })).errors?.[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect((await post(h.gatewayUrl, { query, extensions })).data).toBeDefined();
      expect((await post(h.gatewayUrl, { extensions })).data).toEqual({ events: { pageInfo: { hasNextPage: expect.any(Boolean) } } });
      const second = await gateway();
      expect((await post(second.url, { extensions })).data).toEqual({ events: { pageInfo: { hasNextPage: expect.any(Boolean) } } });
    });

    it('refuses a hash that is not the query text\'s, or an unknown APQ version, as the client\'s BAD_REQUEST (400), not an internal error', async () => {
      const query = `query ApqMismatch { events(first: 1) { pageInfo { hasNextPage } } }`;
      const send = (extensions: object) => fetch(h.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, extensions }) });
      for (const extensions of [{ persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } }, { persistedQuery: { version: 2, sha256Hash: createHash('sha256').update(query).digest('hex') } }]) {
        const res = await send(extensions);
        const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
        expect({ status: res.status, codes: body.errors.map((e) => e.extensions.code) }).toEqual({ status: 400, codes: ['BAD_REQUEST'] });
        expect(body.errors[0].message).toMatch(/^extensions\.persistedQuery\.(sha256Hash|version) /);
      }
    });
  });

  describe('metrics and production mode', () => {
    it('exposes Prometheus metrics: requests by operation and outcome, latency, subgraph fetches', async () => {
      // Inline: the operation name is the metrics label asserted below, sent by this test alone.
      await h.as()(`query MetricsProbe { events(first: 1) { edges { node { title } } } }`);
      const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
      expect(text).toMatch(/eventix_gateway_requests_total\{operation="MetricsProbe",outcome="ok"\} 1/);
      expect(text).toMatch(/eventix_gateway_request_duration_seconds_bucket\{le="[^"]+",operation="MetricsProbe"\}/);
      expect(text).toMatch(/eventix_gateway_subgraph_fetch_duration_seconds_count\{subgraph="catalog"\} \d+/);
    });

    it('turns off the dev issuer, Sandbox, introspection and suggestions in production', async () => {
      const prod = await gateway({ NODE_ENV: 'production', AUTH0_DOMAIN: 'eventix-test.eu.auth0.com', AUTH0_AUDIENCE: 'https://api.eventix.test', REDIS_URL: testRedisUrl() });
      const base = prod.url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/dev/token`, { method: 'POST', body: '{"sub":"x"}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
      expect((await fetch(`${base}/.well-known/jwks.json`)).status).toBe(404);
      expect(prod.devIssuer).toBeUndefined();
      const landing = await fetch(prod.url, { headers: { accept: 'text/html' } });
      expect(await landing.text()).not.toMatch(/sandbox/i);
      const introspection = await graphqlClient(prod.url)(`{ __schema { types { name } } }`);
      expect(errorCodes(introspection)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const typo = await graphqlClient(prod.url)(`{ event(id: "x") { titel } }`);
      expect(typo.errors![0].message).not.toMatch(/Did you mean/);
    });

    it('reloads a changed supergraph in development without a restart', async () => {
      const copy = path.join(path.dirname(keyFile), 'supergraph.graphql');
      const original = fs.readFileSync(path.resolve(__dirname, '../../schema/supergraph.graphql'), 'utf8');
      fs.writeFileSync(copy, original);
      const dev = await gateway({ SUPERGRAPH_PATH: copy });
      const describe = async () =>
        (await graphqlClient(dev.url)<{ __type: { description: string } }>(`{ __type(name: "SeatAvailabilityChange") { description } }`)).data?.__type.description;
      expect(await describe()).toMatch(/Seats of one event that changed/);
      fs.writeFileSync(copy, original.replace('Seats of one event that changed', 'Seats that changed (reloaded)'));
      await waitFor(async () => ((await describe())?.includes('(reloaded)') ? true : undefined), 10_000, 'the reload');
    });

    it('refuses to start in production without a real token issuer, naming the variable', () => {
      expect(() => loadGatewayConfig({ NODE_ENV: 'production', INTERNAL_JWT_SECRET: 'x'.repeat(40) })).toThrow(/AUTH0_DOMAIN/);
    });
  });
});
