import http from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { collectDefaultMetrics, register } from 'prom-client';
import { WebSocketServer } from 'ws';
import { unauthenticated } from '@eventix/errors';
import { DEFAULT_MAX_BODY_BYTES, graphqlRequestListener, listen, type Route } from './graphql-http';
import { INTERNAL_MAX_BODY_BYTES } from './entity-batch';
import { healthRoutes } from './health';
import { INTERNAL_CREDENTIAL_HEADER, verifyInternalCredential, type Caller } from './internal-credential';
import { formatError } from './format-error';
import { REQUEST_ID_HEADER, type Logger } from './logger';
import { hasContractCode } from '@eventix/errors';

export interface SubgraphServerOptions<Context extends BaseContext> {
  /** Subgraph name; also the audience its internal credentials must carry. */
  name: string;
  schema: GraphQLSchema;
  /** Shared with the gateway; requests without a credential signed by it are refused. */
  internalSecret: string;
  createContext: (caller: Caller) => Context;
  routes?: Record<string, Route>;
  /**
   * Readiness probes beyond the database (Kafka, Redis, ...): each resolves when its part
   * answers. GET /health/ready reports each by name and answers 503 if any fails.
   */
  readinessChecks?: Record<string, () => Promise<unknown>>;
  /** Serve the schema's subscriptions over graphql-ws on the same /graphql path. */
  subscriptions?: boolean;
  production: boolean;
  log: (message: string) => void;
  /** Structured logger; request errors are logged with the gateway's request id. */
  logger?: Logger;
}

/**
 * Process metrics (CPU, memory, event loop lag) once per process: the launcher runs three
 * subgraphs in one, and registering them twice in the default registry throws.
 */
let processMetricsRegistered = false;

export interface RunningSubgraph {
  url: string;
  httpServer: http.Server;
  /** Stops accepting connections and resolves once the requests in flight have been answered. */
  stop(): Promise<void>;
}

/**
 * Serves a subgraph schema over HTTP. Every GraphQL request must carry the gateway's internal
 * credential for this subgraph; without it the request is refused before execution.
 */
export async function startSubgraphServer<Context extends BaseContext>(
  options: SubgraphServerOptions<Context>,
  listenOn: { port: number; host: string },
): Promise<RunningSubgraph> {
  const httpServer = http.createServer();
  // graphql-ws on the same path: the gateway opens subscriptions here with the same credential,
  // sent in connection_init; anything else is refused with close code 4403.
  const wsCleanup = options.subscriptions
    ? useServer<Record<string, unknown>, { caller?: Caller }>(
        {
          schema: options.schema,
          connectionInitWaitTimeout: 3_000,
          onConnect: async (ctx) => {
            const token = ctx.connectionParams?.[INTERNAL_CREDENTIAL_HEADER];
            if (typeof token !== 'string') return false;
            try {
              ctx.extra.caller = await verifyInternalCredential(options.internalSecret, token, options.name);
              return true;
            } catch {
              return false;
            }
          },
          context: (ctx) => options.createContext(ctx.extra.caller ?? { permissions: [] }),
        },
        new WebSocketServer({ server: httpServer, path: '/graphql' }),
      )
    : undefined;
  const apollo = new ApolloServer<Context>({
    schema: options.schema,
    // The gateway introspects nothing (it serves the committed supergraph); the subgraph's own
    // introspection is only reachable with an internal credential anyway.
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(options.log),
    // The process owns SIGINT/SIGTERM (exitOnTerminationSignals): Apollo's own handler would
    // re-send the signal once HTTP drained and kill the process before the consumers, relay and
    // database were closed.
    stopOnTerminationSignals: false,
    // No Apollo Studio here: federated traces would only cost time.
    plugins: [
      // In-flight requests get Apollo's 10 s grace before their connections are closed, which
      // leaves the default 15 s shutdown deadline time for the consumers, relay and database.
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // No cache hints anywhere in the schema, so Apollo's default cache-control plugin only ever
      // answered `no-store` (the gateway treats a missing header the same: not cacheable) — yet
      // it wraps every field's resolution (willResolveField): 20,000 seats × 9 fields of a map.
      ApolloServerPluginCacheControlDisabled(),
      // A contract error's HTTP status (503 for SERVICE_UNAVAILABLE, ...) is for the gateway's
      // client, not for the gateway itself: a non-2xx answer makes @apollo/gateway drop the body
      // and report "503: Service Unavailable" instead of our code, message and retry hint. The
      // gateway re-derives the client's status from the error codes it forwards.
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response }) {
              if (response.body.kind === 'single' && response.body.singleResult.data !== undefined && response.http.status && response.http.status >= 400) {
                response.http.status = 200;
              }
            },
          };
        },
      },
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup?.dispose()) }) },
      {
        // One JSON line per failed request, carrying the id the gateway gave the whole request.
        async requestDidStart({ request }) {
          const requestId = request.http?.headers.get(REQUEST_ID_HEADER);
          return {
            async didEncounterErrors({ errors, operationName }) {
              const unexpected = errors.filter((e) => !hasContractCode(e));
              if (unexpected.length) options.logger?.error({ requestId, operationName, errors: unexpected.map((e) => e.message) }, 'request failed');
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  if (!processMetricsRegistered) {
    processMetricsRegistered = true;
    collectDefaultMetrics({ register });
  }
  let stopping = false;
  // One verification per request, shared by the body limit and the context.
  const callers = new WeakMap<http.IncomingMessage, Promise<Caller | undefined>>();
  const callerOf = (req: http.IncomingMessage): Promise<Caller | undefined> => {
    let caller = callers.get(req);
    if (!caller) {
      const token = req.headers[INTERNAL_CREDENTIAL_HEADER];
      caller = typeof token === 'string' ? verifyInternalCredential(options.internalSecret, token, options.name).catch(() => undefined) : Promise.resolve(undefined);
      callers.set(req, caller);
    }
    return caller;
  };
  httpServer.on(
    'request',
    graphqlRequestListener({
      apollo,
      // The gateway's large `_entities` batches (a stadium's seat map) need a large body; only a
      // request whose credential verifies gets it, everything else keeps the ordinary limit.
      maxBodyBytes: async (req) => ((await callerOf(req)) ? INTERNAL_MAX_BODY_BYTES : DEFAULT_MAX_BODY_BYTES),
      context: async (req) => {
        const caller = await callerOf(req);
        if (!caller) throw unauthenticated('Subgraphs only accept requests from the gateway');
        return options.createContext(caller);
      },
      routes: {
        ...healthRoutes(options.name, options.readinessChecks ?? {}, { stopping: () => stopping }),
        // prom-client's default registry: what packages/events counts (dead letters, redeliveries).
        'GET /metrics': async (_req, _body, res) => {
          res.writeHead(200, { 'content-type': register.contentType });
          res.end(await register.metrics());
        },
        ...options.routes,
      },
      log: options.log,
    }),
  );
  const port = await listen(httpServer, listenOn.port, listenOn.host);
  return {
    url: `http://${listenOn.host}:${port}/graphql`,
    httpServer,
    stop: () => {
      stopping = true;
      return apollo.stop();
    },
  };
}
