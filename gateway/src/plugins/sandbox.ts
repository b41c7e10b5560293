import type { ApolloServerPlugin, BaseContext, GraphQLServerContext } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

/**
 * Apollo Sandbox as the landing page, opening with a dev token for a plain user that is minted
 * on every page load: a token minted once at start would expire after its lifetime (12 hours)
 * of gateway uptime and leave every later visitor UNAUTHENTICATED. Apollo's landing page plugin
 * fixes its embed options when created, so a fresh one renders each page.
 */
export function useSandboxWithDevToken(mint: () => Promise<string>): ApolloServerPlugin<BaseContext> {
  return {
    async serverWillStart(service) {
      return {
        async renderLandingPage() {
          return {
            html: async () => {
              const token = await mint();
              const page = ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: { initialState: { sharedHeaders: { Authorization: `Bearer ${token}` } } } });
              const listener = await page.serverWillStart?.(service as GraphQLServerContext);
              const rendered = await listener?.renderLandingPage?.();
              if (!rendered) throw new Error('Apollo landing page rendered nothing');
              return typeof rendered.html === 'string' ? rendered.html : rendered.html();
            },
          };
        },
      };
    },
  };
}
