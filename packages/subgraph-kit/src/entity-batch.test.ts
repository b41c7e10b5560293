import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { DEFAULT_MAX_BODY_BYTES } from './graphql-http';
import { INTERNAL_MAX_BODY_BYTES, MAX_SEATS_PER_VENUE } from './entity-batch';
import { INTERNAL_CREDENTIAL_HEADER, signInternalCredential } from './internal-credential';
import { startSubgraphServer, type RunningSubgraph } from './subgraph-server';

const SECRET = 's'.repeat(32);
const NAME = 'entity-batch-test';

/** A subgraph whose Seat entity resolves any id: the shape of booking's availability fetch. */
const schema = buildSubgraphSchema({
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
    type Query { ok: Boolean }
    type Seat @key(fields: "id") { id: ID! free: Boolean! }
  `),
  resolvers: { Seat: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, free: true }) } } as never,
});

const ENTITIES = 'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Seat { free } } }';
const representations = (n: number) => Array.from({ length: n }, () => ({ __typename: 'Seat', id: randomUUID() }));

describe('subgraph request body limit', () => {
  let running: RunningSubgraph;
  const post = async (body: string, credential: boolean) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (credential) headers[INTERNAL_CREDENTIAL_HEADER] = await signInternalCredential(SECRET, { permissions: [] }, NAME);
    const res = await fetch(running.url, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { data?: { _entities: unknown[] }; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
  };

  beforeAll(async () => {
    running = await startSubgraphServer({ name: NAME, schema, internalSecret: SECRET, createContext: () => ({}), production: false, log: () => undefined }, { port: 0, host: '127.0.0.1' });
  });
  afterAll(() => running.stop());

  it('is sized for a whole map of the largest venue the catalog accepts', () => {
    const largestBatch = JSON.stringify({ query: ENTITIES, variables: { representations: representations(MAX_SEATS_PER_VENUE) } });
    expect(Buffer.byteLength(largestBatch)).toBeLessThan(INTERNAL_MAX_BODY_BYTES);
    // ...and not unlimited: a few times the largest batch at most.
    expect(INTERNAL_MAX_BODY_BYTES).toBeLessThan(3 * Buffer.byteLength(largestBatch));
  });

  it("accepts the gateway's 20,000-representation _entities fetch (a stadium's availability)", async () => {
    const body = JSON.stringify({ query: ENTITIES, variables: { representations: representations(20_000) } });
    expect(Buffer.byteLength(body)).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES);
    const res = await post(body, true);
    expect(res.status).toBe(200);
    expect(res.body.data?._entities).toHaveLength(20_000);
  });

  it('refuses the same body without the internal credential at the ordinary limit, with 413 and a clear error', async () => {
    const body = JSON.stringify({ query: ENTITIES, variables: { representations: representations(20_000) } });
    const res = await post(body, false);
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]).toMatchObject({ message: `request body exceeds ${DEFAULT_MAX_BODY_BYTES} bytes`, extensions: { code: 'BAD_REQUEST' } });
  });

  it('refuses a body past the internal limit even with the credential, with 413 (not a 500)', async () => {
    const body = JSON.stringify({ query: ENTITIES, variables: { padding: 'x'.repeat(INTERNAL_MAX_BODY_BYTES) } });
    const res = await post(body, true);
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]).toMatchObject({ message: `request body exceeds ${INTERNAL_MAX_BODY_BYTES} bytes`, extensions: { code: 'BAD_REQUEST' } });
  });

  it('still refuses a small request without the credential as UNAUTHENTICATED', async () => {
    const res = await post(JSON.stringify({ query: '{ ok }' }), false);
    expect(res.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
