import net from 'node:net';
import { GraphQLError } from 'graphql';
import { formatError } from './format-error';

/** A real refused connection, as the pg driver sees it when PostgreSQL is down. */
async function refusedConnection(): Promise<Error> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise<Error>((resolve) => net.connect(port, '127.0.0.1').on('error', resolve));
}

const asGraphQL = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ['createBooking'] });

describe('formatError (what a subgraph tells the gateway about an unexpected error)', () => {
  const logged: string[] = [];
  const format = formatError((m) => logged.push(m));
  const run = (original: Error) => format({ message: original.message, path: ['createBooking'] }, asGraphQL(original));

  it('a dependency that is down is SERVICE_UNAVAILABLE and retryable, with nothing of the cause', async () => {
    const refused = await refusedConnection();
    const pgDown = Object.assign(new Error('the database system is not currently accepting connections'), { code: '57P03' });
    for (const cause of [refused, pgDown, Object.assign(new Error('could not serialize access'), { code: '40001' })]) {
      const answer = run(cause);
      expect(answer).toEqual({ message: 'This service is briefly unavailable; please try again in a moment', path: ['createBooking'], extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } });
    }
    expect(logged.some((m) => m.includes('ECONNREFUSED'))).toBe(true);
  });

  it('a value PostgreSQL refuses as data is BAD_USER_INPUT without the SQL message', () => {
    const answer = run(Object.assign(new Error('invalid input syntax for type uuid: "x"'), { code: '22P02' }));
    expect(answer).toEqual({ message: 'An input value is not valid', path: ['createBooking'], extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('anything else is a masked INTERNAL_SERVER_ERROR', () => {
    expect(run(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual({ message: 'Internal server error', path: ['createBooking'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});
