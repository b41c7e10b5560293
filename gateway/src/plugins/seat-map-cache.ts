import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { GatewayContext } from '../context';
import { seatMapEventId } from '../seat-map-cache/map-operation';
import { readSeatMapKeys, type SeatMapKeys, type SeatMapSources } from '../seat-map-cache/map-keys';
import { SingleFlightCache } from '../seat-map-cache/single-flight-cache';
import type { GatewayMetrics } from './metrics';

export interface SeatMapCacheOptions {
  /** The subgraphs a map is made of, asked for their cache keys. */
  sources: SeatMapSources;
  /** Memory for cached answers (serialized JSON), least recently used first out. */
  maxBytes: number;
  metrics: GatewayMetrics;
}

/**
 * How long an entry may sit unused. Not what keeps answers fresh — the keys do that, exactly —
 * only a bound on how long a map nobody asks for any more holds memory.
 */
const MAX_AGE_SECONDS = 300;

/** What @apollo/server-plugin-response-cache puts before every key it hands its cache (seat-map-cache.test.ts pins it). */
export const RESPONSE_CACHE_KEY_PREFIX = 'fqc:';

/** A seat-map request: its event, its keys (null: not cacheable now) and, once made, the key its answer is kept under. */
interface MapRequest {
  eventId: string;
  keys: SeatMapKeys | null;
  cacheKey?: string;
}

/**
 * Whole answers to seat-map queries of published events, kept under the versions of everything
 * they are made of (ADR 0012). A stadium's map through the query planner costs the subgraphs
 * and the gateway's entity merge ~20,000 objects each; a fan refreshing it, or a thousand fans
 * opening it, read the same bytes until a seat changes. Before serving, each request reads the
 * two keys afresh from catalog and booking (two small fetches in parallel), so an answer is
 * served only while nothing it shows has changed — a booking committed a moment ago, a hold
 * that just ran out, a reprice, a cancellation all give new keys. Apollo's response-cache
 * plugin does the caching; this decides what may be cached and under which keys.
 *
 * Concurrent requests for an answer not stored yet wait for the first one to plan it
 * (single-flight-cache.ts) instead of planning it again each.
 *
 * Shared by every caller: the fields it allows (map-operation.ts) are public and the same for
 * everyone. Per gateway process, in memory. Answers are marked `cache-control: no-store` so no
 * browser or CDN keeps a map past its versions.
 */
export function useSeatMapCache({ sources, maxBytes, metrics }: SeatMapCacheOptions): ApolloServerPlugin<GatewayContext>[] {
  const mapRequests = new WeakMap<GraphQLRequestContext<GatewayContext>, MapRequest>();
  const answers = new SingleFlightCache(new InMemoryLRUCache<string>({ maxSize: maxBytes }));
  const keysOf = (requestContext: GraphQLRequestContext<GatewayContext>) => mapRequests.get(requestContext)?.keys ?? null;

  /** The request's map and keys; undefined when it is not a seat-map query. */
  const decide = async (requestContext: GraphQLRequestContext<GatewayContext>): Promise<MapRequest | undefined> => {
    const { schema, document, operation, request } = requestContext;
    const eventId = document && operation ? seatMapEventId(schema, document, operation, request.variables) : null;
    if (!eventId) return undefined;
    // Apollo Server's request context is what the gateway's fetches see too (with `context` for `contextValue`).
    const keys = await readSeatMapKeys(sources, eventId, requestContext.contextValue, requestContext as unknown as GatewayGraphQLRequestContext<GatewayContext>);
    if (keys) requestContext.response.http.headers.set('cache-control', 'no-store');
    return { eventId, keys };
  };

  const cache = responseCachePlugin<GatewayContext>({
    cache: answers,
    // The plugin's own key (a hash of what it is made of), remembered to end this request's flight.
    generateCacheKey: (requestContext, keyData) => {
      const key = createHash('sha256').update(JSON.stringify(keyData)).digest('hex');
      const mapRequest = mapRequests.get(requestContext as GraphQLRequestContext<GatewayContext>);
      if (mapRequest) mapRequest.cacheKey = key;
      return key;
    },
    // Public fields only: one entry per map for everybody, signed in or not.
    sessionId: () => Promise.resolve(null),
    extraCacheKeyData: async (requestContext) => {
      const mapRequest = await decide(requestContext);
      if (!mapRequest) return null;
      mapRequests.set(requestContext, mapRequest);
      return { eventId: mapRequest.eventId, keys: mapRequest.keys };
    },
    shouldReadFromCache: (requestContext) => Promise.resolve(keysOf(requestContext) !== null),
    shouldWriteToCache: (requestContext) => {
      if (!keysOf(requestContext)) return Promise.resolve(false);
      // The subgraphs send no cache hints (their answers alone are not cacheable); the keys
      // read before execution are what make this one cacheable.
      requestContext.overallCachePolicy.replace({ maxAge: MAX_AGE_SECONDS, scope: 'PUBLIC' });
      return Promise.resolve(true);
    },
  });

  const count: ApolloServerPlugin<GatewayContext> = {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: (requestContext) => {
          const mapRequest = mapRequests.get(requestContext);
          if (!mapRequest) return Promise.resolve();
          const result = !mapRequest.keys ? 'uncacheable' : requestContext.metrics.responseCacheHit ? 'hit' : 'miss';
          metrics.seatMapCache.inc({ result });
          const { cacheKey } = mapRequest;
          // A planned answer lands its flight when stored; one that is not (errors) lands here,
          // after the plugin's own willSendResponse has had its turn to store it.
          if (result === 'miss' && cacheKey) setImmediate(() => answers.land(RESPONSE_CACHE_KEY_PREFIX + cacheKey));
          return Promise.resolve();
        },
      }),
  };
  return [cache, count];
}
