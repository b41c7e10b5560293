import type { TokenVerifier, VerifiedCaller } from '../auth/token-verifier';
import { InvalidTokenError } from '../auth/token-verifier';
import { authenticateConnection, clearExpiry, type SocketContext } from './connection-auth';

const fan: VerifiedCaller = { userId: 'fan-1', permissions: [], expiresAt: Math.floor(Date.now() / 1000) + 600 };
const verifyAs =
  (caller: VerifiedCaller): TokenVerifier =>
  async (token) => {
    if (token !== 'good-token') throw new InvalidTokenError('unknown token');
    return caller;
  };

/** The parts of graphql-ws's context connection_init reaches: its params and the socket's extra. */
function socketContext(connectionParams: Record<string, unknown>): SocketContext {
  const extra = { socket: { close: jest.fn() }, request: { socket: { remoteAddress: '10.0.0.7' } } };
  return { connectionParams, extra } as unknown as SocketContext;
}

describe('authenticateConnection', () => {
  it('keeps the proved caller on the socket, and neither the token nor the upgrade request', async () => {
    const ctx = socketContext({ authorization: 'Bearer good-token', other: 'kept' });
    await expect(authenticateConnection(() => verifyAs(fan))(ctx)).resolves.toBe(true);
    expect(ctx.extra.context).toMatchObject({ caller: fan, clientIp: '10.0.0.7' });
    expect(ctx.extra.context?.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ctx.connectionParams).toEqual({ other: 'kept' });
    expect('request' in ctx.extra).toBe(false);
    clearExpiry(ctx);
  });

  it('refuses a socket without a token or with a bad one, and does not keep that token either', async () => {
    const bad = socketContext({ Authorization: 'Bearer forged' });
    await expect(authenticateConnection(() => verifyAs(fan))(bad)).resolves.toBe(false);
    expect(bad.connectionParams).toEqual({});
    await expect(authenticateConnection(() => verifyAs(fan))(socketContext({}))).resolves.toBe(false);
  });
});
