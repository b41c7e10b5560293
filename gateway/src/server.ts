import fs from 'node:fs';
import http from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLFormattedError } from 'graphql';
import { unauthenticated } from '@eventix/errors';
import { formatError, graphqlRequestListener, healthRoutes, listen, redisCheck, REQUEST_ID_HEADER, requestIdOf, sendJson, type Logger, type Route } from '@eventix/subgraph-kit';
import { DevIssuer, DEV_AUDIENCE, parseTokenRequest } from './auth/dev-issuer';
import { bearerToken, createTokenVerifier, InvalidTokenError, type TokenVerifier } from './auth/token-verifier';
import type { GatewayContext } from './context';
import type { GatewayConfig } from './env';
import { CostModel } from './plugins/cost';
import { useInputValidation, withLiteralInputErrors } from './plugins/input-validation';
import { useSandboxWithDevToken } from './plugins/sandbox';
import { GatewayMetrics, useMetrics } from './plugins/metrics';
import { tokenLimitError, useOperationLimits } from './plugins/operation-limits';
import { MemoryRateLimitStore, useRateLimit } from './plugins/rate-limit';
import { createGatewayRedis } from './redis/redis-client';
import { redisStores } from './redis/resilient-store';
import { SubgraphDataSource, withoutSubgraphNames } from './subgraph-data-source';
import { FederatedSubscriptions } from './subscriptions/federated-subscriptions';
import { useGatewaySubscriptions } from './subscriptions/ws-server';

export type { GatewayContext };

export interface GatewayDeps {
  config: GatewayConfig;
  log: (message: string) => void;
  /** Structured access log: one JSON line per operation with its request id. */
  logger?: Logger;
}

export interface RunningGateway {
  url: string;
  /** Only in dev mode: mints tokens for the start-up banner and tests. */
  devIssuer?: DevIssuer;
  metrics: GatewayMetrics;
  subscriptions: FederatedSubscriptions;
  stop(): Promise<void>;
}

/** In production, validation messages must not suggest field names ("Did you mean ...?"). */
type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

function withoutSuggestions(format: FormatError): FormatError {
  return (formatted, error) => {
    const result = format(formatted, error);
    return { ...result, message: result.message.replace(/ Did you mean .+\?$/, '') };
  };
}

/** Parse-time token limit errors are reported as the contract's OPERATION_TOO_COMPLEX. */
function withTokenLimit(format: FormatError, maxTokens: number): FormatError {
  return (formatted, error) => tokenLimitError(formatted, maxTokens) ?? format(formatted, error);
}

function clientIp(req: http.IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded) return forwarded.split(',')[0].trim();
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The gateway: @apollo/gateway on @apollo/server serving the committed supergraph, with the
 * routing URLs from configuration. Verifies end-user tokens, enforces operation limits and
 * rate limits before planning, keeps APQ in Redis when configured, and signs a per-subgraph
 * internal credential on every subgraph fetch.
 */
export async function startGateway({ config, log, logger }: GatewayDeps): Promise<RunningGateway> {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const metrics = new GatewayMetrics();
  const urls: Record<string, string> = config.subgraphUrls;
  const dataSource = (subgraph: string, url: string) => new SubgraphDataSource({ subgraph, url, internalSecret: config.internalSecret, metrics, log, logger });
  const dataSources = Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, dataSource(name, url)]));
  const gateway = new ApolloGateway({
    // In development the gateway follows `npm run compose`: a changed supergraph file is loaded
    // without a restart. Production serves the file it started with.
    supergraphSdl: async ({ update }) => {
      const watcher = config.production
        ? undefined
        : fs.watch(config.supergraphPath, () => {
            try {
              const next = fs.readFileSync(config.supergraphPath, 'utf8');
              if (next.trim()) update(next);
              log('supergraph reloaded');
            } catch (error) {
              log(`supergraph reload failed, keeping the previous one: ${(error as Error).message}`);
            }
          });
      return { supergraphSdl, cleanup: async () => watcher?.close() };
    },
    buildService: ({ name, url }) => dataSources[name] ?? dataSource(name, String(url)),
  });
  // The cost directives of the supergraph being served, rebuilt when it is reloaded.
  let costModel = CostModel.fromSupergraph(supergraphSdl);
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    costModel = CostModel.fromSupergraph(coreSupergraphSdl);
  });
  const subscriptions = new FederatedSubscriptions({
    supergraphSdl,
    dataSources,
    wsUrl: (name) => urls[name].replace(/^http/, 'ws'),
    internalSecret: config.internalSecret,
    log,
    onDelivered: (ms) => {
      metrics.eventsDelivered.inc();
      metrics.deliveryLatency.observe(ms / 1000);
      metrics.upstreamStreams.set(subscriptions.upstreamCount);
    },
  });
  // Rate limits and APQ use Redis while it answers and this instance's memory while it does not.
  const stores = config.redisUrl ? redisStores(await createGatewayRedis(config.redisUrl, log), metrics.registry, log) : undefined;
  const redis = stores?.redis;

  // Listen first: the dev issuer's URL (its `iss` and JWKS address) depends on the bound port.
  // Until the GraphQL handler is ready, requests get 503 instead of hanging.
  let handler: http.RequestListener = (_req, res) => sendJson(res, 503, { error: 'starting' });
  const httpServer = http.createServer((req, res) => handler(req, res));
  const port = await listen(httpServer, config.http.port, config.http.host);
  const baseUrl = `http://${config.http.host}:${port}`;

  let verify: TokenVerifier;
  let devIssuer: DevIssuer | undefined;
  const routes: Record<string, Route> = {
    // Ready once serving; with Redis, only while Redis answers (rate limits and APQ need it).
    // redisCheck: a PING while Redis is down would wait in ioredis's offline queue, not fail.
    ...healthRoutes('gateway', redis ? { redis: redisCheck(redis) } : {}),
    'GET /metrics': async (_req, _body, res) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
    },
  };
  if (config.auth.kind === 'auth0') {
    const issuer = `https://${config.auth.domain}/`;
    verify = createTokenVerifier({ jwksUrl: new URL('.well-known/jwks.json', issuer), issuer, audience: config.auth.audience });
  } else {
    const issuer = await DevIssuer.create(`${baseUrl}/`, config.auth.keyFile);
    devIssuer = issuer;
    routes['GET /.well-known/jwks.json'] = (_req, _body, res) => sendJson(res, 200, issuer.jwks(), { 'cache-control': 'public, max-age=300' });
    routes['POST /dev/token'] = async (_req, body, res) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        sendJson(res, 400, { error: 'body must be JSON' });
        return;
      }
      const request = parseTokenRequest(parsed);
      if ('error' in request) {
        sendJson(res, 400, { error: request.error });
        return;
      }
      sendJson(res, 200, { token: await issuer.issue(request.sub, request.permissions) });
    };
    verify = createTokenVerifier({ jwksUrl: new URL(`${baseUrl}/.well-known/jwks.json`), issuer: issuer.issuer, audience: DEV_AUDIENCE });
  }

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // index.ts owns SIGINT/SIGTERM; Apollo's handler would re-send the signal after draining
    // HTTP and kill the process (exit 143) before the rest of the gateway had stopped.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    formatError: withoutSubgraphNames(withLiteralInputErrors(withTokenLimit(config.production ? withoutSuggestions(formatError(log)) : formatError(log), config.limits.maxTokens))),
    persistedQueries: stores ? { cache: stores.apqCache } : {},
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : devIssuer
          ? // Sandbox opens with a fresh dev token for a plain user; mint others with POST /dev/token.
            useSandboxWithDevToken(() => devIssuer.issue('sandbox-user', []))
          : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
      useMetrics(metrics),
      {
        async requestDidStart({ contextValue }) {
          const started = Date.now();
          return {
            async willSendResponse({ response, operationName }) {
              response.http.headers.set(REQUEST_ID_HEADER, contextValue.requestId);
              const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
              logger?.info(
                { requestId: contextValue.requestId, operationName, user: contextValue.caller.userId, outcome: errors?.length ? errors[0].extensions?.code : 'ok', durationMs: Date.now() - started },
                'graphql request',
              );
            },
          };
        },
      },
      // Before the limits: a bad variable is the caller's input error, whatever else is wrong.
      useInputValidation(),
      useOperationLimits({ limits: config.limits, costModel: () => costModel, metrics }),
      useRateLimit({
        ...config.rateLimits,
        store: stores?.rateLimitStore ?? new MemoryRateLimitStore(),
        onRejected: (bucket) => metrics.rateLimited.inc({ bucket }),
      }),
    ],
  });
  await apollo.start();
  const ws = useGatewaySubscriptions({ httpServer, subscriptions, verify: () => verify, limits: config.limits, costModel: () => costModel, metrics, log });

  handler = graphqlRequestListener<GatewayContext>({
    apollo,
    routes,
    log,
    maxBodyBytes: config.maxBodyBytes,
    context: async (req) => {
      const ip = clientIp(req, config.trustProxy);
      const requestId = requestIdOf(req);
      try {
        const token = bearerToken(req.headers.authorization);
        if (!token) return { caller: { permissions: [] }, clientIp: ip, requestId };
        return { caller: await verify(token), clientIp: ip, requestId };
      } catch (error) {
        if (error instanceof InvalidTokenError) throw unauthenticated(`Invalid access token (${error.reason})`);
        throw error;
      }
    },
  });

  return {
    url: `${baseUrl}/graphql`,
    devIssuer,
    metrics,
    subscriptions,
    stop: async () => {
      await ws.dispose();
      await subscriptions.close();
      await apollo.stop();
      redis?.disconnect();
    },
  };
}
