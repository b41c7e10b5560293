import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { getOperationAST, GraphQLError, parse, validate, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode } from '@eventix/errors';
import type { GatewayContext } from '../context';
import type { GatewayMetrics } from '../plugins/metrics';
import type { CostModel } from '../plugins/cost';
import { checkInputs, strictFor } from '../plugins/input-validation';
import { checkOperation, isTokenLimitMessage, tooComplex, type OperationLimits } from '../plugins/operation-limits';
import { bearerToken, InvalidTokenError, type TokenVerifier } from '../auth/token-verifier';
import type { FederatedSubscriptions } from './federated-subscriptions';

/** Close codes clients can act on. */
export const CloseCode = { Forbidden: 4403, TokenExpired: 4401 } as const;

type Extra = {
  context?: GatewayContext;
  expiry?: NodeJS.Timeout;
};

/**
 * graphql-ws on the gateway's /graphql path. Authenticates on connection_init with the same
 * token rules as HTTP (a bad token closes with 4403; a token that expires mid-connection
 * closes with 4401), applies the same operation limits — graphql-ws does not run Apollo
 * Server's plugins — and hands subscriptions to the federated executor.
 */
export function useGatewaySubscriptions(options: {
  httpServer: http.Server;
  subscriptions: FederatedSubscriptions;
  verify: () => TokenVerifier;
  limits: OperationLimits;
  /** The supergraph's cost directives; a subscription is estimated per event it delivers. */
  costModel: () => CostModel;
  metrics: GatewayMetrics;
  log: (message: string) => void;
}): { dispose(): Promise<void> } {
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  wsServer.on('connection', (socket) => {
    options.metrics.openSockets.inc();
    socket.once('close', () => options.metrics.openSockets.dec());
  });
  const cleanup = useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: 3_000,
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const clientIp = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        try {
          // Live seat maps are for signed-in fans: a socket without a token is refused like a
          // bad one, so anonymous clients cannot hold thousands of connections open.
          const token = bearerToken(typeof raw === 'string' ? raw : undefined);
          if (!token) return false;
          const caller = await options.verify()(token);
          ctx.extra.context = { caller, clientIp, requestId: randomUUID() };
          if (caller.expiresAt) {
            const ms = caller.expiresAt * 1000 - Date.now();
            ctx.extra.expiry = setTimeout(() => ctx.extra.socket.close(CloseCode.TokenExpired, 'Access token expired'), Math.max(0, ms));
          }
          return true;
        } catch (error) {
          if (error instanceof InvalidTokenError) return false;
          throw error;
        }
      },
      onDisconnect: (ctx) => clearTimeout(ctx.extra.expiry),
      onClose: (ctx) => clearTimeout(ctx.extra.expiry),
      onSubscribe: (ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] => {
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.limits.maxTokens });
        } catch (error) {
          const message = (error as Error).message;
          return [isTokenLimitMessage(message) ? tooComplex(`Operation has more than ${options.limits.maxTokens} tokens`, 'tokens') : new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const schema = options.subscriptions.apiGraphQLSchema;
        const errors = validate(schema, document);
        if (errors.length) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('No operation to run', { extensions: { code: 'BAD_USER_INPUT' } })];
        if (operation.operation !== 'subscription') {
          return [new GraphQLError('Send queries and mutations over HTTP; this socket carries subscriptions', { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
        }
        const badInput = checkInputs(strictFor(schema), document, operation, payload.variables ?? {});
        if (badInput) return [badInput];
        const { error: tooBig } = checkOperation(schema, document, operation, options.limits, { model: options.costModel(), variables: payload.variables ?? {} });
        if (tooBig) return [tooBig];
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables ?? {}, contextValue: ctx.extra.context };
      },
      subscribe: (args) => {
        const operation = getOperationAST(args.document, args.operationName)!;
        return options.subscriptions.subscribe(args.document, operation, (args.variableValues ?? {}) as Record<string, unknown>, args.contextValue as GatewayContext);
      },
    },
    wsServer,
    10_000,
  );
  return {
    async dispose() {
      await cleanup.dispose();
    },
  };
}
