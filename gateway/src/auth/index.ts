import type { Route } from '@eventix/subgraph-kit';
import type { GatewayConfig } from '../env';
import { devTokenRoute } from '../http/routes/dev-token';
import { jwksRoute } from '../http/routes/jwks';
import { DevIssuer, DEV_AUDIENCE } from './dev-issuer';
import { createTokenVerifier, type TokenVerifier } from './token-verifier';
import { rememberVerifiedTokens } from './verified-tokens';

/** How the gateway checks end-user tokens, and the HTTP routes that go with it. */
export interface GatewayAuth {
  verify: TokenVerifier;
  /** The dev issuer's JWKS and token endpoints; none with Auth0 (it serves its own). */
  routes: Record<string, Route>;
  /** Only in dev mode: mints tokens for Sandbox, the start-up banner and tests. */
  devIssuer?: DevIssuer;
}

/**
 * Auth0 when configured, otherwise the built-in dev issuer. The dev issuer's `iss` and JWKS
 * address are the gateway's own URL, so this is called once the gateway listens (`baseUrl`
 * carries the bound port).
 */
export async function createAuth(config: GatewayConfig['auth'], baseUrl: string): Promise<GatewayAuth> {
  if (config.kind === 'auth0') return auth0(config);
  return devAuth(baseUrl, config.keyFile);
}

/** Auth0's issuer is `https://<domain>/` and its keys are at `<issuer>.well-known/jwks.json`, unless overridden. */
function auth0(config: Extract<GatewayConfig['auth'], { kind: 'auth0' }>): GatewayAuth {
  const issuer = config.issuer ?? `https://${config.domain}/`;
  const jwksUrl = new URL(config.jwksUrl ?? new URL('.well-known/jwks.json', issuer).href);
  return { verify: rememberVerifiedTokens(createTokenVerifier({ jwksUrl, issuer, audience: config.audience, cooldownMs: config.jwksCooldownMs })), routes: {} };
}

async function devAuth(baseUrl: string, keyFile: string | undefined): Promise<GatewayAuth> {
  const devIssuer = await DevIssuer.create(`${baseUrl}/`, keyFile);
  return {
    verify: rememberVerifiedTokens(createTokenVerifier({ jwksUrl: new URL(`${baseUrl}/.well-known/jwks.json`), issuer: devIssuer.issuer, audience: DEV_AUDIENCE })),
    routes: { ...jwksRoute(devIssuer), ...devTokenRoute(devIssuer) },
    devIssuer,
  };
}
