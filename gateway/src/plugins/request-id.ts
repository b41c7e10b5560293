import type { ApolloServerPlugin } from '@apollo/server';
import { REQUEST_ID_HEADER } from '@eventix/subgraph-kit';
import type { GatewayContext } from '../context';

/** Echoes the request id on every response, so a client can quote it when reporting a problem. */
export function useRequestIdHeader(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set(REQUEST_ID_HEADER, contextValue.requestId);
        },
      };
    },
  };
}
