import type http from 'node:http';
import type { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Logger } from '@eventix/subgraph-kit';
import type { GatewayContext } from './context';
import type { GatewayConfig } from './env';
import { gatewayFormatError } from './format-error';
import { useAccessLog } from './plugins/access-log';
import type { CostModel } from './plugins/cost';
import { useInputValidation } from './plugins/input-validation';
import { useLandingPage } from './plugins/landing-page';
import { useMetrics, type GatewayMetrics } from './plugins/metrics';
import { useOperationLimits } from './plugins/operation-limits';
import { MemoryRateLimitStore, useRateLimit } from './plugins/rate-limit';
import { useRequestIdHeader } from './plugins/request-id';
import type { RedisStores } from './redis/resilient-store';

export interface GatewayApolloOptions {
  config: GatewayConfig;
  log: (message: string) => void;
  logger?: Logger;
  gateway: ApolloGateway;
  httpServer: http.Server;
  metrics: GatewayMetrics;
  costModel: () => CostModel;
  /** Redis-backed rate limits and APQ; without Redis, this instance's memory. */
  stores?: RedisStores;
  /** With the dev issuer: a fresh token for Sandbox. */
  mintDevToken?: () => Promise<string>;
}

/** Apollo Server in front of @apollo/gateway, configured for the public API. Not started. */
export function createGatewayApollo(options: GatewayApolloOptions): ApolloServer<GatewayContext> {
  const { config, log, gateway, stores } = options;
  return new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // index.ts owns SIGINT/SIGTERM; Apollo's handler would re-send the signal after draining
    // HTTP and kill the process (exit 143) before the rest of the gateway had stopped.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    formatError: gatewayFormatError({ production: config.production, maxTokens: config.limits.maxTokens, log }),
    persistedQueries: stores ? { cache: stores.apqCache } : {},
    plugins: gatewayPlugins(options),
  });
}

/** In order: later plugins see what earlier ones decided. */
function gatewayPlugins({ config, logger, httpServer, metrics, costModel, stores, mintDevToken }: GatewayApolloOptions): ApolloServerPlugin<GatewayContext>[] {
  return [
    ApolloServerPluginDrainHttpServer({ httpServer }),
    useLandingPage({ production: config.production, mintDevToken }),
    useMetrics(metrics),
    useRequestIdHeader(),
    ...(logger ? [useAccessLog(logger)] : []),
    // Before the limits: a bad variable is the caller's input error, whatever else is wrong.
    useInputValidation(),
    useOperationLimits({ limits: config.limits, costModel, metrics }),
    useRateLimit({
      ...config.rateLimits,
      store: stores?.rateLimitStore ?? new MemoryRateLimitStore(),
      onRejected: (bucket) => metrics.rateLimited.inc({ bucket }),
    }),
  ];
}
