import { createRemoteJWKSet, jwtVerify, errors as joseErrors } from 'jose';
import type { Caller } from '@eventix/subgraph-kit';

export interface TokenVerifierOptions {
  jwksUrl: URL;
  issuer: string;
  audience: string;
  /** Minimum time between JWKS refetches caused by unknown `kid`s (jose's default: 30 s). */
  cooldownMs?: number;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid access token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

/**
 * The caller a valid token names, when the token stops being valid (seconds since epoch), and
 * the client it was issued to (`azp`: an Auth0 machine-to-machine client's id names a partner).
 */
export type VerifiedCaller = Caller & { expiresAt?: number; clientId?: string };

export type TokenVerifier = (token: string) => Promise<VerifiedCaller>;

/**
 * Verifies RS256 access tokens against a JWKS over HTTP (Auth0's, or the dev issuer's), the
 * way docs/adr/0008-token-verification.md records: pinned algorithm, issuer, audience, required `exp` and `sub`, a small
 * clock tolerance. jose's remote key set caches keys and refetches on an unknown `kid` at most
 * once per cooldown. Permissions come from the `permissions` claim (Auth0 RBAC).
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys = createRemoteJWKSet(options.jwksUrl, options.cooldownMs === undefined ? undefined : { cooldownDuration: options.cooldownMs });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 5,
      });
      const permissions = Array.isArray(payload.permissions) ? payload.permissions.filter((p): p is string => typeof p === 'string') : [];
      const clientId = typeof payload.azp === 'string' && payload.azp ? payload.azp : undefined;
      return { userId: payload.sub as string, permissions, expiresAt: payload.exp, ...(clientId ? { clientId } : {}) };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError(error.code);
      // fetch's own failure: the JWKS endpoint is unreachable (and the key is not cached).
      if (error instanceof TypeError && error.message === 'fetch failed') throw new InvalidTokenError('signing keys unreachable');
      if (error instanceof TypeError) throw new InvalidTokenError('malformed token');
      throw error;
    }
  };
}

/** Extracts the bearer token; undefined for anonymous requests. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new InvalidTokenError('Authorization header must be "Bearer <token>"');
  return match[1];
}
