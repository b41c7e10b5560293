import fs from 'node:fs';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { ExpiringLru, INTERNAL_CREDENTIAL_HEADER, signInternalCredential, type Caller } from '@eventix/subgraph-kit';

/**
 * Hive Gateway's configuration for the peer benchmark (loaded by its CLI with `-c`). Only what
 * our subgraphs demand is added to Hive's defaults: every subgraph request carries the internal
 * credential for the caller, as our gateway's does. The caller comes from the dev issuer's
 * bearer token, verified as our gateway verifies it (RS256, issuer, audience, exp, sub).
 *
 * The credential goes through Hive's own `propagateHeaders.fromClientToSubgraphs`, which puts
 * it in the subgraph request's headers before Hive's in-flight deduplication computes its key
 * (URL, body and headers): Hive then merges identical fetches of one caller only, never across
 * callers. The credential is signed with subgraph-kit's signInternalCredential, the same
 * function (and the same per-caller reuse of a minted credential) our gateway uses. Verified
 * tokens are remembered by their exact text until they expire, as our gateway does, so the
 * comparison is between the gateways and not between this glue and our gateway's caches.
 */
const DEV_AUDIENCE = 'eventix-api';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required by the Hive bench gateway`);
  return value;
}

const secret = required('INTERNAL_JWT_SECRET');
const issuer = required('EVENTIX_TOKEN_ISSUER');
const publicJwk = (JSON.parse(fs.readFileSync(required('DEV_ISSUER_KEY_FILE'), 'utf8')) as { publicJwk: JWK }).publicJwk;
const key = importJWK(publicJwk, 'RS256');

const verified = new ExpiringLru<Caller>(10_000);

async function callerOf(authorization: string | null): Promise<Caller> {
  if (!authorization) return { permissions: [] };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new Error('Authorization header must be "Bearer <token>"');
  const known = verified.get(match[1]);
  if (known) return known;
  const { payload } = await jwtVerify(match[1], await key, { algorithms: ['RS256'], issuer, audience: DEV_AUDIENCE, requiredClaims: ['exp', 'sub'], clockTolerance: 5 });
  const permissions = Array.isArray(payload.permissions) ? payload.permissions.filter((p): p is string => typeof p === 'string') : [];
  const caller = { userId: payload.sub as string, permissions };
  verified.set(match[1], caller, (payload.exp as number) * 1000);
  return caller;
}

export const gatewayConfig = {
  propagateHeaders: {
    async fromClientToSubgraphs({ request, subgraphName }: { request: Request; subgraphName: string }) {
      // The subgraphs' audience is their lower-case name (catalog, booking, payment).
      return { [INTERNAL_CREDENTIAL_HEADER]: await signInternalCredential(secret, await callerOf(request.headers.get('authorization')), subgraphName.toLowerCase()) };
    },
  },
};
