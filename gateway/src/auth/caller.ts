import { unauthenticated } from '@eventix/errors';
import { bearerToken, InvalidTokenError, type TokenVerifier, type VerifiedCaller } from './token-verifier';

/**
 * The caller an Authorization header names: anonymous without one, the token's subject and
 * permissions with a valid one. A bad token is refused as UNAUTHENTICATED rather than
 * served anonymously, so a client learns its token expired instead of seeing less data.
 */
export async function callerOf(authorization: string | undefined, verify: TokenVerifier): Promise<VerifiedCaller> {
  try {
    const token = bearerToken(authorization);
    const caller: VerifiedCaller = token ? await verify(token) : { permissions: [] };
    // The subject keys the caller's bookings in PostgreSQL, whose text cannot hold NUL (the
    // query would fail as if the database were down): a signed token with one is unusable.
    if (caller.userId?.includes('\u0000')) throw new InvalidTokenError('subject contains a NUL character');
    return caller;
  } catch (error) {
    if (error instanceof InvalidTokenError) throw unauthenticated(`Invalid access token (${error.reason})`);
    throw error;
  }
}
