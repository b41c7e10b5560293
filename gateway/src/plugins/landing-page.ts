import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { useSandboxWithDevToken } from './sandbox';

export interface LandingPageOptions {
  production: boolean;
  /** With the dev issuer: a fresh token for Sandbox's Authorization header. */
  mintDevToken?: () => Promise<string>;
}

/**
 * What GET /graphql shows a browser: nothing in production; Apollo Sandbox in development,
 * signed in as a plain user when the dev issuer runs (mint others with POST /dev/token).
 */
export function useLandingPage({ production, mintDevToken }: LandingPageOptions): ApolloServerPlugin<BaseContext> {
  if (production) return ApolloServerPluginLandingPageDisabled();
  if (mintDevToken) return useSandboxWithDevToken(mintDevToken);
  return ApolloServerPluginLandingPageLocalDefault({ footer: false });
}
