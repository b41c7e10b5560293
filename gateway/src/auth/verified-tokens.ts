import { ExpiringLru } from '@eventix/subgraph-kit';
import type { TokenVerifier, VerifiedCaller } from './token-verifier';

export interface VerifiedTokensOptions {
  /** Tokens remembered at most (least recently used dropped first). */
  maxEntries?: number;
  /** Longest a verification is trusted without checking the signature again. */
  maxAgeMs?: number;
}

/**
 * Remembers which access tokens verified, by their exact text (signature included: no other
 * string can match), until the token's `exp` and at most `maxAgeMs`. An RS256 check on every
 * request of a signed-in caller is a large share of a cheap query's CPU; the same token checked
 * again within its lifetime gets the same answer — what could change it is the signing key
 * being withdrawn, and jose's key set keeps a fetched key for longer than `maxAgeMs` anyway.
 * Refusals are not remembered: a bad token costs its full check every time.
 */
export function rememberVerifiedTokens(verify: TokenVerifier, { maxEntries = 10_000, maxAgeMs = 60_000 }: VerifiedTokensOptions = {}): TokenVerifier {
  const verified = new ExpiringLru<VerifiedCaller>(maxEntries);
  // Each request gets its own copy: a caller object is part of a request's context.
  const copy = (caller: VerifiedCaller): VerifiedCaller => ({ ...caller, permissions: [...caller.permissions] });
  return async (token) => {
    const known = verified.get(token);
    if (known) return copy(known);
    const caller = await verify(token);
    const cap = Date.now() + maxAgeMs;
    verified.set(token, copy(caller), caller.expiresAt === undefined ? cap : Math.min(caller.expiresAt * 1000, cap));
    return caller;
  };
}
