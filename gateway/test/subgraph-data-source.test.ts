import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GraphQLError } from 'graphql';
import { GatewayMetrics } from '../src/plugins/metrics';
import { SubgraphDataSource } from '../src/subgraph-data-source';

/**
 * The ways a subgraph fails besides being stopped (that is packages/launcher's
 * subgraph-outage test): a process that accepts connections and never answers, a connection
 * reset, a proxy's 502 page, a subgraph's own 503 with a contract error. Each is a real socket
 * behaving like that, in front of the real data source the gateway uses.
 */
describe('SubgraphDataSource failure mapping', () => {
  const servers: Array<net.Server> = [];
  const logs: string[] = [];

  async function serve(server: net.Server): Promise<string> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }
  const answering = (status: number, body: string, type = 'application/json') =>
    serve(http.createServer((_req, res) => res.writeHead(status, { 'content-type': type }).end(body)));

  const sourceAt = (url: string, timeoutMs = 5_000) =>
    new SubgraphDataSource({ subgraph: 'booking', url, internalSecret: 'x'.repeat(32), metrics: new GatewayMetrics(), log: (m) => logs.push(m), timeoutMs });

  async function fetchFrom(url: string, timeoutMs = 5_000): Promise<GraphQLError> {
    const error = await sourceAt(url, timeoutMs)
      .process({ kind: GraphQLDataSourceRequestKind.HEALTH_CHECK, request: { query: '{ __typename }' }, context: { requestId: 'req-42' } })
      .then(() => undefined, (e: GraphQLError) => e);
    if (!error) throw new Error('expected the fetch to fail');
    return error;
  }
  const expectUnavailable = (error: GraphQLError, url: string) => {
    expect(error.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify({ message: error.message, extensions: error.extensions })).not.toMatch(new RegExp(`127\\.0\\.0\\.1|${new URL(url).port}|booking|http`));
  };

  beforeEach(() => (logs.length = 0));
  afterAll(async () => {
    for (const server of servers) {
      if ('closeAllConnections' in server) (server as http.Server).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives up on a subgraph that accepts the connection but never answers, within the timeout', async () => {
    const sockets: net.Socket[] = [];
    const url = await serve(net.createServer((socket) => sockets.push(socket)));
    const started = Date.now();
    const error = await fetchFrom(url, 300);
    sockets.forEach((s) => s.destroy());
    expect(Date.now() - started).toBeLessThan(2_000);
    expectUnavailable(error, url);
    expect(logs).toEqual([expect.stringMatching(/^subgraph booking unavailable \(request req-42\): .*abort/i)]);
  });

  it('maps a reset connection', async () => {
    const url = await serve(net.createServer((socket) => socket.resetAndDestroy()));
    expectUnavailable(await fetchFrom(url), url);
    expect(logs).toEqual([expect.stringMatching(/^subgraph booking unavailable \(request req-42\): .*ECONNRESET/)]);
  });

  it("maps a proxy's 502 page", async () => {
    const url = await answering(502, '<html>Bad Gateway</html>', 'text/html');
    expectUnavailable(await fetchFrom(url), url);
    expect(logs).toEqual([expect.stringMatching(/^subgraph booking unavailable \(request req-42\): .*HTTP 502/)]);
  });

  it("passes on a subgraph's own contract error sent with a non-2xx status, without the subgraph's URL", async () => {
    const busy = await fetchFrom(await answering(503, JSON.stringify({ errors: [{ message: 'These seats are busy right now; please try again', extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } }] })));
    expect(busy.message).toBe('These seats are busy right now; please try again');
    expect(busy.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    const unauthenticated = await fetchFrom(await answering(401, JSON.stringify({ errors: [{ message: 'You must be signed in', extensions: { code: 'UNAUTHENTICATED' } }] })));
    expect(unauthenticated.message).toBe('You must be signed in');
    expect(unauthenticated.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(logs).toEqual([]);
  });

  it('leaves a 4xx without a contract error uncoded: the gateway sent something wrong, which formatError reports as internal', async () => {
    const error = await fetchFrom(await answering(400, JSON.stringify({ errors: [{ message: 'Syntax Error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] })));
    expect(error.extensions.code).toBeUndefined();
    expect(logs).toEqual([]);
  });

  it("turns a value the subgraph's scalar refused with HTTP 400 into BAD_USER_INPUT in the subgraph's words (behind the gateway's own input validation)", async () => {
    const message = 'Expected value of type "Money!", found "-5.00"; price: Money must be a non-negative decimal string with two places, e.g. "49.90"';
    const error = await fetchFrom(await answering(400, JSON.stringify({ errors: [{ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] })));
    expect({ message: error.message, code: error.extensions.code }).toEqual({ message, code: 'BAD_USER_INPUT' });
    const variable = await fetchFrom(await answering(400, JSON.stringify({ errors: [{ message: 'Variable "$at" got invalid value "soon"; Expected type "DateTime".' }] })));
    expect(variable.extensions.code).toBe('BAD_USER_INPUT');
    expect(logs).toEqual([]);
  });

  it("hands a root fetch's whole refusal to @apollo/gateway as a finished error without a stack; a fetch below the root as the answer", async () => {
    const refusal = { message: 'Some seats are no longer available', path: ['createBooking'], extensions: { code: 'SEAT_UNAVAILABLE', seatIds: ['s-1'] } };
    const url = await answering(200, JSON.stringify({ data: null, errors: [refusal] }));
    const source = sourceAt(url);
    const planFetch = (pathInIncomingRequest: string[]) =>
      source.process({ kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION, request: { query: 'mutation { createBooking { id } }' }, context: {} as never, incomingRequestContext: {} as never, pathInIncomingRequest });
    const thrown = await planFetch([]).then(() => undefined, (e: GraphQLError) => e);
    expect(thrown?.toJSON()).toEqual({ ...refusal, extensions: { ...refusal.extensions, serviceName: 'booking' } });
    expect(thrown?.stack).not.toMatch(/\n\s+at /);
    expect(await planFetch(['events', '@'])).toEqual({ data: null, errors: [refusal] });
  });
});
