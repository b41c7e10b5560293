import type http from 'node:http';
import type { ApolloGateway } from '@apollo/gateway';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Logger } from '@eventix/subgraph-kit';
import type { GatewayContext } from './context';
import type { GatewayConfig } from './env';
import { gatewayFormatError } from './format-error';
import { ManifestBackedCache, type Partners } from './partners';
import { useAccessLog } from './plugins/access-log';
import type { CostModel } from './plugins/cost';
import { useInputValidation } from './plugins/input-validation';
import { useLandingPage } from './plugins/landing-page';
import { useMetrics, type GatewayMetrics } from './plugins/metrics';
import { useOperationLimits } from './plugins/operation-limits';
import { usePartnerBudgets } from './plugins/partner-budget';
import { MemoryRateLimitStore, useRateLimit } from './plugins/rate-limit';
import { useRequestIdHeader } from './plugins/request-id';
import { useSafelist } from './plugins/safelist';
import { useOperationResolution } from './plugins/operation-resolution';
import { useSeatMapCache, type SeatMapCacheOptions } from './plugins/seat-map-cache';
import { stringifyResult } from './seat-map-cache/stored-answer';
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
  /** Partners' identities, budgets and the persisted query manifest they run by id. */
  partners: Partners;
  /** The subgraphs seat maps are made of; without them (or with SEAT_MAP_CACHE_MB=0) maps are not cached. */
  seatMapSources?: SeatMapCacheOptions['sources'];
}

/** Apollo Server in front of @apollo/gateway, configured for the public API. Not started. */
export function createGatewayApollo(options: GatewayApolloOptions): ApolloServer<GatewayContext> {
  const { config, log, gateway, stores, partners } = options;
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
    // JSON.stringify as Apollo's default does, except a cached seat map's data, written as the text made when it was stored.
    stringifyResult,
    formatError: gatewayFormatError({ production: config.production, maxTokens: config.limits.maxTokens, log }),
    // Manifest ids answer from the manifest; other hashes are APQ (Redis, or this instance's memory).
    persistedQueries: { cache: new ManifestBackedCache(partners.manifest, stores?.apqCache ?? new InMemoryLRUCache<string>()) },
    plugins: gatewayPlugins(options),
  });
}

/** In order: later plugins see what earlier ones decided. */
function gatewayPlugins({ config, log, logger, httpServer, metrics, costModel, stores, mintDevToken, partners, seatMapSources }: GatewayApolloOptions): ApolloServerPlugin<GatewayContext>[] {
  const rateLimitStore = stores?.rateLimitStore ?? new MemoryRateLimitStore();
  return [
    ApolloServerPluginDrainHttpServer({ httpServer }),
    useLandingPage({ production: config.production, mintDevToken }),
    useMetrics(metrics),
    useRequestIdHeader(),
    ...(logger ? [useAccessLog(logger)] : []),
    // Before every plugin that resolves the operation: a refused one is never parsed or registered.
    useSafelist(partners, log),
    // Next: an operation the executor could not run (unresolvable, a subscription over HTTP) is refused as the caller's.
    useOperationResolution(),
    // Before the limits: a bad variable is the caller's input error, whatever else is wrong.
    useInputValidation(),
    useOperationLimits({ limits: config.limits, costModel, metrics }),
    useRateLimit({
      ...config.rateLimits,
      store: rateLimitStore,
      onRejected: (bucket) => metrics.rateLimited.inc({ bucket }),
    }),
    usePartnerBudgets({ partners, store: rateLimitStore, costModel, costOptions: config.limits }),
    // Last: answers from the cache only what every check above has let through (and counted).
    ...(seatMapSources && config.seatMapCacheBytes > 0 ? [useSeatMapCache({ sources: seatMapSources, maxBytes: config.seatMapCacheBytes, metrics })] : []),
  ];
}
