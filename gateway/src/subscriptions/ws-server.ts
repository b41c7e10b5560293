import type http from 'node:http';
import { getOperationAST, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { ServerOptions, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from '../context';
import type { GatewayMetrics } from '../plugins/metrics';
import type { CostModel } from '../plugins/cost';
import type { OperationLimits } from '../plugins/operation-limits';
import type { TokenVerifier } from '../auth/token-verifier';
import type { FederatedSubscriptions } from './federated-subscriptions';
import { authenticateConnection, clearExpiry, type SocketContext, type SocketState } from './connection-auth';
import { frameSink, type FrameSink } from './direct-frames';
import { checkSubscription } from './subscribe-checks';

export { CloseCode } from './connection-auth';

export interface GatewaySubscriptionsServerOptions {
  httpServer: http.Server;
  subscriptions: FederatedSubscriptions;
  verify: () => TokenVerifier;
  limits: OperationLimits;
  /** The supergraph's cost directives; a subscription is estimated per event it delivers. */
  costModel: () => CostModel;
  metrics: GatewayMetrics;
  log: (message: string) => void;
  /** Partners' safelist: a manifest id's operation to run, or the refusal. */
  safelist?: (context: GatewayContext | undefined, payload: SubscribePayload) => SubscribePayload | readonly GraphQLError[];
}

type SocketServerOptions = ServerOptions<Record<string, unknown>, Extra & Partial<SocketState>>;

/**
 * Each accepted subscription's socket and id, by the execution arguments graphql-ws hands from
 * `onSubscribe` to `subscribe` (the only thing the two share), so the executor can write events
 * to the socket itself. Weak: an entry goes with its subscription.
 */
const sinks = new WeakMap<ExecutionArgs, FrameSink>();

/** graphql-ws's `onSubscribe`: the subscription's execution arguments, or why it is refused. */
function checkSubscribe(options: GatewaySubscriptionsServerOptions): NonNullable<SocketServerOptions['onSubscribe']> {
  return (ctx: SocketContext, id, sent): ExecutionArgs | readonly GraphQLError[] => {
    const payload = options.safelist ? options.safelist(ctx.extra.context, sent) : sent;
    if (!('query' in payload)) return payload;
    const schema = options.subscriptions.apiGraphQLSchema;
    const checked = checkSubscription(payload, { schema, limits: options.limits, costModel: options.costModel() });
    if (!('document' in checked)) return checked;
    const args: ExecutionArgs = { schema, document: checked.document, operationName: payload.operationName, variableValues: checked.variables, contextValue: ctx.extra.context };
    sinks.set(args, frameSink(ctx.extra.socket, id));
    return args;
  };
}

/** graphql-ws's `subscribe`: a checked subscription goes to the federated executor. */
function subscribeFederated(subscriptions: FederatedSubscriptions): NonNullable<SocketServerOptions['subscribe']> {
  return (args) => {
    const operation = getOperationAST(args.document, args.operationName)!;
    return subscriptions.subscribe(args.document, operation, (args.variableValues ?? {}) as Record<string, unknown>, args.contextValue as GatewayContext, sinks.get(args));
  };
}

/** Counts the open sockets in the gateway's metrics. */
function countSockets(wsServer: WebSocketServer, metrics: GatewayMetrics): void {
  wsServer.on('connection', (socket) => {
    metrics.openSockets.inc();
    socket.once('close', () => metrics.openSockets.dec());
  });
}

/**
 * graphql-ws on the gateway's /graphql path. Authenticates on connection_init with the same
 * token rules as HTTP (a bad token closes with 4403; a token that expires mid-connection
 * closes with 4401), applies the same operation limits — graphql-ws does not run Apollo
 * Server's plugins — and hands subscriptions to the federated executor.
 */
export function useGatewaySubscriptions(options: GatewaySubscriptionsServerOptions): { dispose(): Promise<void> } {
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  countSockets(wsServer, options.metrics);
  const serverOptions: SocketServerOptions = {
    connectionInitWaitTimeout: 3_000,
    onConnect: authenticateConnection(options.verify),
    onDisconnect: clearExpiry,
    onClose: clearExpiry,
    onSubscribe: checkSubscribe(options),
    subscribe: subscribeFederated(options.subscriptions),
  };
  const cleanup = useServer<Record<string, unknown>, SocketState>(serverOptions, wsServer, 10_000);
  return {
    async dispose() {
      await cleanup.dispose();
    },
  };
}
