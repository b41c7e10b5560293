import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';

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

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signInternalCredential(secret: string, caller: Caller, audience: string): Promise<string> {
  return new SignJWT({ permissions: caller.permissions, anon: caller.userId === undefined })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setSubject(caller.userId ?? 'anonymous')
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(key(secret));
}

export class InvalidCredentialError extends Error {
  constructor(reason: string) {
    super(`invalid internal credential: ${reason}`);
    this.name = 'InvalidCredentialError';
  }
}

export async function verifyInternalCredential(secret: string, token: string, audience: string): Promise<Caller> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: 5,
    });
    const permissions = Array.isArray(payload.permissions) ? payload.permissions.filter((p): p is string => typeof p === 'string') : [];
    return { userId: payload.anon === true ? undefined : payload.sub, permissions };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw new InvalidCredentialError(error.code);
    throw error;
  }
}
