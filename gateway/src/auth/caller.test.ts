import type http from 'node:http';
import { gatewayContext } from '../context';
import { callerOf } from './caller';
import { InvalidTokenError, type TokenVerifier } from './token-verifier';

const verify: TokenVerifier = async (token) => {
  if (token === 'good') return { userId: 'u1', permissions: ['events:write'], expiresAt: 1 };
  if (token === 'nul-subject') return { userId: 'a\u0000b', permissions: [], expiresAt: 1 };
  if (token === 'broken') throw new Error('JWKS endpoint unreachable');
  throw new InvalidTokenError('ERR_JWT_EXPIRED');
};

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { extensions?: { code?: string }; message: string }) => error.extensions?.code ?? error.message,
  );

describe('callerOf', () => {
  it('is anonymous without an Authorization header', async () => {
    expect(await callerOf(undefined, verify)).toEqual({ permissions: [] });
  });

  it('is the token’s subject and permissions with a valid bearer token (scheme in any case)', async () => {
    expect(await callerOf('Bearer good', verify)).toMatchObject({ userId: 'u1', permissions: ['events:write'] });
    expect(await callerOf('bearer good', verify)).toMatchObject({ userId: 'u1' });
  });

  it('refuses a bad token or a malformed header as UNAUTHENTICATED, never as anonymous', async () => {
    expect(await codeOf(callerOf('Bearer expired', verify))).toBe('UNAUTHENTICATED');
    await expect(callerOf('Bearer expired', verify)).rejects.toThrow('Invalid access token (ERR_JWT_EXPIRED)');
    expect(await codeOf(callerOf('Basic dXNlcjpwYXNz', verify))).toBe('UNAUTHENTICATED');
    // Signed, but its subject cannot key anything in PostgreSQL.
    await expect(callerOf('Bearer nul-subject', verify)).rejects.toThrow('Invalid access token (subject contains a NUL character)');
  });

  it('lets other failures through (the verifier being unable to check is not the caller’s fault)', async () => {
    expect(await codeOf(callerOf('Bearer broken', verify))).toBe('JWKS endpoint unreachable');
  });
});

describe('gatewayContext', () => {
  const request = (headers: http.IncomingHttpHeaders) => ({ headers, socket: { remoteAddress: '10.0.0.9' } }) as unknown as http.IncomingMessage;

  it('counts a caller by its socket address unless told to trust the proxy', async () => {
    const req = request({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1', authorization: 'Bearer good' });
    expect(await gatewayContext(verify, false)(req)).toMatchObject({ clientIp: '10.0.0.9', caller: { userId: 'u1' } });
    expect((await gatewayContext(verify, true)(req)).clientIp).toBe('203.0.113.7');
  });

  it('keeps a well-formed request id from the client and makes one otherwise', async () => {
    expect((await gatewayContext(verify, false)(request({ 'x-request-id': 'client-req-123' }))).requestId).toBe('client-req-123');
    expect((await gatewayContext(verify, false)(request({ 'x-request-id': 'bad id!' }))).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
