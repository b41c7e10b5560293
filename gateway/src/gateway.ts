import http from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { graphqlRequestListener, listen, sendJson, type Logger } from '@eventix/subgraph-kit';
import { createGatewayApollo } from './apollo-server';
import { createAuth, type GatewayAuth } from './auth';
import type { DevIssuer } from './auth/dev-issuer';
import { gatewayContext } from './context';
import type { GatewayConfig } from './env';
import { AdmissionLimiter, withAdmission } from './http/admission';
import { withCors } from './http/cors';
import { loadPartners } from './partners';
import { healthRoute } from './http/routes/health';
import { metricsRoute } from './http/routes/metrics';
import { GatewayMetrics } from './plugins/metrics';
import { safelistSubscribe } from './plugins/safelist';
import { connectGatewayRedis, createGatewayRedis } from './redis/redis-client';
import { redisStores } from './redis/resilient-store';
import { subgraphDataSources } from './subgraph-data-sources';
import { liveCostModel } from './supergraph/live-cost-model';
import { SupergraphFile } from './supergraph/supergraph-file';
import { gatewaySubscriptions } from './subscriptions-wiring';
import type { FederatedSubscriptions } from './subscriptions/federated-subscriptions';
import { useGatewaySubscriptions } from './subscriptions/ws-server';

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

/** A gateway built and not yet running: `start()` connects and listens, `stop()` undoes what ran. */
export interface Gateway {
  metrics: GatewayMetrics;
  subscriptions: FederatedSubscriptions;
  start(): Promise<RunningGateway>;
  stop(): Promise<void>;
}

/** Until start() has the GraphQL handler ready, requests get 503 instead of hanging. */
const starting: http.RequestListener = (_req, res) => sendJson(res, 503, { error: 'starting' });

/**
 * The gateway: @apollo/gateway on @apollo/server serving the committed supergraph, with the
 * routing URLs from configuration. Verifies end-user tokens, enforces operation limits and
 * rate limits before planning, keeps APQ in Redis when configured, and signs a per-subgraph
 * internal credential on every subgraph fetch. Building it reads the supergraph file and
 * nothing else: no socket, connection or watcher exists before start().
 */
export function createGateway({ config, log, logger }: GatewayDeps): Gateway {
  const metrics = new GatewayMetrics();
  const supergraph = new SupergraphFile({ path: config.supergraphPath, watch: !config.production, log });
  const dataSources = subgraphDataSources({ urls: config.subgraphUrls, internalSecret: config.internalSecret, metrics, log, logger, ...config.subgraphFetch });
  const admission = new AdmissionLimiter(config.admission, (reason) => metrics.shed.inc({ reason }));
  metrics.observeAdmission(admission);
  optOutOfApolloUsageCollection();
  const gateway = new ApolloGateway({ supergraphSdl: supergraph, buildService: dataSources.buildService });
  const costModel = liveCostModel(gateway, supergraph.initialSdl);
  const partners = loadPartners({ ...config.partners, registry: metrics.registry, log });
  const subscriptions = gatewaySubscriptions({ config, log, metrics, supergraphSdl: supergraph.initialSdl, dataSources: dataSources.byName });
  // Rate limits and APQ use Redis while it answers and this instance's memory while it does not.
  const redis = config.redisUrl ? createGatewayRedis(config.redisUrl, log) : undefined;
  const stores = redis ? redisStores(redis, metrics.registry, log) : undefined;
  let handler = starting;
  const httpServer = http.createServer(withCors(config.cors.origins, (req, res) => handler(req, res)));
  // Set by start(): the dev issuer's address is the gateway's own, known once it listens.
  let auth: GatewayAuth | undefined;
  const mintDevToken = config.auth.kind === 'dev' ? () => devIssuerOf(auth).issue('sandbox-user', []) : undefined;
  const { catalog, booking } = dataSources.byName;
  const seatMapSources = catalog && booking ? { catalog, booking } : undefined;
  const apollo = createGatewayApollo({ config, log, logger, gateway, httpServer, metrics, costModel, stores, mintDevToken, partners, seatMapSources });
  let apolloStarted = false;
  let ws: { dispose(): Promise<void> } | undefined;

  const start = async (): Promise<RunningGateway> => {
    if (redis) await connectGatewayRedis(redis, log);
    partners.watch();
    // Listen first: the dev issuer's URL (its `iss` and JWKS address) depends on the bound port.
    const port = await listen(httpServer, config.http.port, config.http.host);
    const baseUrl = `http://${config.http.host}:${port}`;
    const { verify, routes, devIssuer } = (auth = await createAuth(config.auth, baseUrl));
    await apollo.start();
    apolloStarted = true;
    ws = useGatewaySubscriptions({ httpServer, subscriptions, verify: () => verify, limits: config.limits, costModel, metrics, log, safelist: safelistSubscribe(partners, log) });
    const graphql = graphqlRequestListener({
      apollo,
      routes: { ...healthRoute(redis), ...metricsRoute(metrics.registry), ...routes },
      log,
      maxBodyBytes: config.maxBodyBytes,
      context: gatewayContext(verify, config.trustProxy),
    });
    handler = withAdmission(admission, graphql);
    return { url: `${baseUrl}/graphql`, devIssuer, metrics, subscriptions, stop };
  };

  // In reverse order of start; safe after a start that failed part-way.
  const stop = async (): Promise<void> => {
    await ws?.dispose();
    await subscriptions.close();
    if (apolloStarted) await apollo.stop(); // drains and closes the HTTP server
    else if (httpServer.listening) await new Promise((resolve) => httpServer.close(resolve));
    redis?.disconnect();
    partners.close();
    await dataSources.close();
  };

  return { metrics, subscriptions, start, stop };
}

/**
 * @apollo/gateway 2.14 starts an anonymous usage collector in its constructor unless
 * APOLLO_TELEMETRY_DISABLED is set: an OpenTelemetry meter that probes cloud metadata endpoints
 * and exports to Apollo over HTTPS on a timer. The gateway should not call out to a third party
 * unasked, and in a closed network every export attempt is a fresh TLS handshake that fails (5–13%
 * of a loaded gateway's CPU in #16's profile). An operator who wants it sets the variable to false.
 */
function optOutOfApolloUsageCollection(): void {
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
}

function devIssuerOf(auth: GatewayAuth | undefined): DevIssuer {
  if (!auth?.devIssuer) throw new Error('the dev issuer runs once the gateway has started');
  return auth.devIssuer;
}

/**
 * Builds and starts a gateway (the package's entry point for the launcher and the tests). A
 * start that fails part-way stops what it had started, so no port or connection is left open.
 */
export async function startGateway(deps: GatewayDeps): Promise<RunningGateway> {
  const gateway = createGateway(deps);
  try {
    return await gateway.start();
  } catch (error) {
    await gateway.stop().catch(() => undefined);
    throw error;
  }
}
