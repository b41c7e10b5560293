import { sendJson, type Route } from '@eventix/subgraph-kit';
import type { DevIssuer } from '../../auth/dev-issuer';

/**
 * GET /.well-known/jwks.json: the dev issuer's public key, where Auth0 publishes its own, so
 * the gateway verifies dev tokens over HTTP exactly as it verifies Auth0's.
 */
export function jwksRoute(issuer: DevIssuer): Record<string, Route> {
  return {
    'GET /.well-known/jwks.json': (_req, _body, res) => sendJson(res, 200, issuer.jwks(), { 'cache-control': 'public, max-age=300' }),
  };
}
