import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { ExpiringLru } from './credential-cache';

/**
 * The short-lived credential the gateway attaches to every subgraph request. Subgraphs trust
 * only this, never a client-supplied header: a request that did not pass the gateway has none,
 * so calling a subgraph directly (`_entities` included) gets nothing.
 */
export const INTERNAL_CREDENTIAL_HEADER = 'x-eventix-internal';
const ISSUER = 'eventix-gateway';
const LIFETIME_SECONDS = 60;

/** Who the caller is, as established by the gateway. */
export interface Caller {
  /** The end user, or undefined for an anonymous caller. */
  userId?: string;
  permissions: string[];
}

/**
 * Per secret: its key bytes, the credentials minted with it (for reuse) and the ones verified
 * with it. Keyed by the secret so a rotated secret never meets a token of the old one.
 */
interface SecretState {
  key: Uint8Array;
  minted: ExpiringLru<Promise<string>>;
  verified: ExpiringLru<Caller>;
}
const CACHE_ENTRIES = 10_000;
const bySecret = new Map<string, SecretState>();

function stateOf(secret: string): SecretState {
  let state = bySecret.get(secret);
  if (!state) {
    state = { key: new TextEncoder().encode(secret), minted: new ExpiringLru(CACHE_ENTRIES), verified: new ExpiringLru(CACHE_ENTRIES) };
    bySecret.set(secret, state);
  }
  return state;
}

/**
 * Everything a credential says: a credential minted for one key is exactly what a fresh mint for
 * the same key would say (only iat/exp differ), so reusing it widens nobody's access. Distinct
 * for anonymous vs a user literally named "anonymous", and for permission lists in another order.
 */
const mintKey = (caller: Caller, audience: string) => JSON.stringify([audience, caller.userId ?? null, caller.permissions]);

/**
 * The credential for `caller` at `audience` (a subgraph's name). Minting (HS256 with jose) cost
 * ~8% of the gateway's CPU when done on every subgraph fetch, so one is reused for the same
 * audience and the same caller (subject and permissions) until half its lifetime has passed: a
 * reused credential always has at least 30 s left, never goes to another subgraph or caller, and
 * is never used past its expiry. Concurrent first requests of a caller share one mint.
 */
export function signInternalCredential(secret: string, caller: Caller, audience: string, nowMs = Date.now()): Promise<string> {
  const { key, minted } = stateOf(secret);
  const cacheKey = mintKey(caller, audience);
  const reusable = minted.get(cacheKey, nowMs);
  if (reusable) return reusable;
  const credential = mint(key, caller, audience, nowMs);
  minted.set(cacheKey, credential, nowMs + (LIFETIME_SECONDS * 1000) / 2);
  credential.catch(() => minted.set(cacheKey, credential, 0)); // a failed mint is not reused
  return credential;
}

function mint(key: Uint8Array, caller: Caller, audience: string, nowMs: number): Promise<string> {
  const issuedAt = Math.floor(nowMs / 1000);
  return new SignJWT({ permissions: caller.permissions, anon: caller.userId === undefined })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setSubject(caller.userId ?? 'anonymous')
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + LIFETIME_SECONDS)
    .sign(key);
}

export class InvalidCredentialError extends Error {
  constructor(reason: string) {
    super(`invalid internal credential: ${reason}`);
    this.name = 'InvalidCredentialError';
  }
}

/**
 * The caller a credential names, if it is valid for `audience`. A credential that verified once
 * is remembered by its exact text (signature included, so no other string can match it) and
 * audience until its `exp`, and answered without re-checking the HMAC: the same pure check would
 * give the same answer until then. Refusals are not remembered.
 */
export async function verifyInternalCredential(secret: string, token: string, audience: string): Promise<Caller> {
  const { key, verified } = stateOf(secret);
  const cacheKey = `${audience}\n${token}`;
  const known = verified.get(cacheKey);
  if (known) return { ...known, permissions: [...known.permissions] };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: 5,
    });
    const permissions = Array.isArray(payload.permissions) ? payload.permissions.filter((p): p is string => typeof p === 'string') : [];
    const caller: Caller = { userId: payload.anon === true ? undefined : payload.sub, permissions };
    verified.set(cacheKey, { ...caller, permissions: [...permissions] }, (payload.exp as number) * 1000);
    return caller;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw new InvalidCredentialError(error.code);
    throw error;
  }
}
