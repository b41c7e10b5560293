import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { BodyTooLargeError, graphqlRequestListener, readBody } from './graphql-http';

/**
 * The 413 path of readBody as a keep-alive client sees it. Found in CI: the gateway answered an
 * oversized body with 413 on a connection it then cut off, the test client pooled that
 * connection, and its next request failed with "other side closed".
 */
describe('an oversized body', () => {
  const LIMIT = 10_000;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    // A plain route: only the listener's body handling is under test, not Apollo.
    const listener = graphqlRequestListener({
      apollo: undefined as never,
      context: async () => ({}),
      maxBodyBytes: LIMIT,
      routes: { 'POST /echo': (_req, body, res) => void res.end(String(body.length)) },
    });
    server = http.createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['drained (under twice the limit)', LIMIT + 5_000],
    ['cut off (past twice the limit)', 3 * LIMIT],
    ['far past the limit', 50 * LIMIT],
  ])('is refused with 413 and connection: close, and the next request on the same pool succeeds: %s', async (_case, size) => {
    const pool = new Agent({ connections: 1 });
    try {
      for (let round = 0; round < 10; round++) {
        const big = await request(`${url}/echo`, { method: 'POST', body: 'x'.repeat(size), dispatcher: pool });
        expect(big.statusCode).toBe(413);
        expect(big.headers.connection).toBe('close');
        expect(await big.body.json()).toEqual({ errors: [{ message: `request body exceeds ${LIMIT} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
        const small = await request(`${url}/echo`, { method: 'POST', body: 'ok', dispatcher: pool });
        expect(small.statusCode).toBe(200);
        expect(await small.body.text()).toBe('2');
      }
    } finally {
      await pool.close();
    }
  });

  it('rejects readBody with the refusal and resolves `drained` once the rest is read', async () => {
    const seen: Array<{ error: BodyTooLargeError; drained: boolean }> = [];
    const probe = http.createServer((req, res) => {
      readBody(req, LIMIT).catch(async (error: BodyTooLargeError) => {
        const entry = { error, drained: false };
        seen.push(entry);
        await error.drained;
        entry.drained = true;
        res.end();
      });
    });
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(probe.address() as AddressInfo).port}`, { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
      await res.arrayBuffer();
      expect(seen).toHaveLength(1);
      expect(seen[0].error).toBeInstanceOf(BodyTooLargeError);
      expect(seen[0].drained).toBe(true);
    } finally {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
  });
});
