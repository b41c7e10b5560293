import type http from 'node:http';
import { requestIdOf } from '@eventix/subgraph-kit';
import { callerOf } from './auth/caller';
import type { TokenVerifier, VerifiedCaller } from './auth/token-verifier';

/** Per-request state of the gateway. */
export interface GatewayContext {
  /** The token's caller; `clientId` (its `azp`) names a partner's machine-to-machine client. */
  caller: VerifiedCaller;
  /** Client address, for anonymous rate limits. */
  clientIp: string;
  /** Correlates this request's log lines across the gateway and the subgraphs it calls. */
  requestId: string;
}

/** The address rate limits count an anonymous caller by; X-Forwarded-For only behind our own proxy. */
export function clientIp(req: http.IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded) return forwarded.split(',')[0].trim();
  return req.socket.remoteAddress ?? 'unknown';
}

/** Builds each GraphQL request's context from its HTTP request. */
export function gatewayContext(verify: TokenVerifier, trustProxy: boolean): (req: http.IncomingMessage) => Promise<GatewayContext> {
  return async (req) => ({
    // Address and request id first: they do not depend on the token being valid.
    clientIp: clientIp(req, trustProxy),
    requestId: requestIdOf(req),
    caller: await callerOf(req.headers.authorization, verify),
  });
}
