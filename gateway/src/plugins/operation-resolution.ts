import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, Kind, type DocumentNode } from 'graphql';
import { ErrorCode } from '@eventix/errors';

/**
 * Refuses, before the executor, two requests Apollo Server passes on to it and Apollo Gateway's
 * executor then throws on — which Apollo Server answers as a 500 INTERNAL_SERVER_ERROR:
 * - a document whose operation cannot be picked (several without `operationName`, an unknown
 *   name): Apollo Server expects an executor to return that as an error and answers it itself as
 *   OPERATION_RESOLUTION_FAILURE (400); the gateway's throws. Refused here the same way, with
 *   graphql-js's wording.
 * - a subscription sent over HTTP: subscriptions are served over WebSocket (graphql-ws), which
 *   does not go through this pipeline. BAD_REQUEST (400).
 */
export function useOperationResolution(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) throw unresolvable(document, request.operationName ?? undefined);
          if (operation.operation === 'subscription') {
            throw new GraphQLError('Subscriptions are served over WebSocket (graphql-ws protocol) at this URL, not over HTTP', {
              extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** graphql-js's wording for a document whose operation cannot be picked (also used over graphql-ws). */
export function unresolvableMessage(document: DocumentNode, operationName: string | undefined): string {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  if (operationName) return `Unknown operation named "${operationName}".`;
  return operations === 0 ? 'Must provide an operation.' : 'Must provide operation name if query contains multiple operations.';
}

const unresolvable = (document: DocumentNode, operationName: string | undefined) =>
  new GraphQLError(unresolvableMessage(document, operationName), { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } });
