import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext, type GraphQLResponse } from '@apollo/server';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { GatewayContext } from '../context';
import { seatMapEventId } from '../seat-map-cache/map-operation';
import { readSeatMapKeys, type SeatMapKeys, type SeatMapSources } from '../seat-map-cache/map-keys';
import { SingleFlightCache } from '../seat-map-cache/single-flight-cache';
import { storeAnswer, type StoredAnswer } from '../seat-map-cache/stored-answer';
import type { GatewayMetrics } from './metrics';

export interface SeatMapCacheOptions {
  /** The subgraphs a map is made of, asked for their cache keys. */
  sources: SeatMapSources;
  /** Memory for cached answers (each counted as twice its JSON size: text and object, see stored-answer.ts), least recently used first out. */
  maxBytes: number;
  metrics: GatewayMetrics;
}

/**
 * How long an entry may sit unused. Not what keeps answers fresh — the keys do that, exactly —
 * only a bound on how long a map nobody asks for any more holds memory.
 */
const MAX_AGE_SECONDS = 300;

/** A seat-map request: its keys (null: not cacheable now), the key its answer is kept under, and whether it was served from memory. */
interface MapRequest {
  keys: SeatMapKeys | null;
  cacheKey?: string;
  hit: boolean;
}

/**
 * Whole answers to seat-map queries of published events, kept under the versions of everything
 * they are made of (ADR 0012). A stadium's map through the query planner costs the subgraphs
 * and the gateway's entity merge ~20,000 objects each; a fan refreshing it, or a thousand fans
 * opening it, read the same answer until a seat changes. Before serving, each request reads the
 * two keys afresh from catalog and booking (two small fetches in parallel), so an answer is
 * served only while nothing it shows has changed — a booking committed a moment ago, a hold
 * that just ran out, a reprice, a cancellation all give new keys.
 *
 * An answer is kept as the data object the planner made, frozen (every hit shares it; a stray
 * write throws instead of changing what others are served), with its JSON text made once: at
 * 20,000 seats parsing text again for every hit was ~50 ms of a ~170 ms hit and serializing the
 * object again ~28 ms (#16 target 4). Apollo Server writes a hit's data as that text
 * (stored-answer.ts `stringifyResult`); its actual cost is remembered too (operation-limits.ts).
 *
 * Concurrent requests for an answer not stored yet wait for the first one to plan it
 * (single-flight-cache.ts) instead of planning it again each.
 *
 * Shared by every caller: the fields it allows (map-operation.ts) are public and the same for
 * everyone. Per gateway process, in memory. Answers are marked `cache-control: no-store` so no
 * browser or CDN keeps a map past its versions; `age` says how old a served one is.
 */
export function useSeatMapCache({ sources, maxBytes, metrics }: SeatMapCacheOptions): ApolloServerPlugin<GatewayContext> {
  const answers = new SingleFlightCache<StoredAnswer>(new InMemoryLRUCache<StoredAnswer>({ maxSize: maxBytes, sizeCalculation: (answer) => answer.bytes }));

  /** This request's map and keys; undefined when it is not a seat-map query. */
  const decide = async (requestContext: GraphQLRequestContext<GatewayContext>): Promise<MapRequest | undefined> => {
    const { schema, document, operation, request } = requestContext;
    const eventId = document && operation ? seatMapEventId(schema, document, operation, request.variables) : null;
    if (!eventId) return undefined;
    // Apollo Server's request context is what the gateway's fetches see too (with `context` for `contextValue`).
    const keys = await readSeatMapKeys(sources, eventId, requestContext.contextValue, requestContext as unknown as GatewayGraphQLRequestContext<GatewayContext>);
    if (!keys) return { keys, hit: false };
    requestContext.response.http.headers.set('cache-control', 'no-store');
    // The document and variables too: maps asking for different allowed fields are different answers.
    const keyData = JSON.stringify({ source: requestContext.source, operationName: requestContext.operationName ?? null, variables: request.variables ?? {}, eventId, keys });
    return { keys, cacheKey: createHash('sha256').update(keyData).digest('hex'), hit: false };
  };

  return {
    async requestDidStart() {
      let mapRequest: MapRequest | undefined;
      return {
        async responseForOperation(requestContext): Promise<GraphQLResponse | null> {
          mapRequest = await decide(requestContext);
          if (!mapRequest?.cacheKey) return null;
          // Undefined: this request plans the answer (the first to miss, or after a flight that stored nothing).
          const stored = await answers.get(mapRequest.cacheKey);
          if (!stored) return null;
          mapRequest.hit = true;
          const age = Math.max(0, Math.round((Date.now() - stored.storedAt) / 1000));
          return { body: { kind: 'single', singleResult: { data: stored.data } }, http: { status: undefined, headers: new HeaderMap([['age', String(age)]]) } };
        },

        async willSendResponse({ response }) {
          if (!mapRequest) return;
          const { keys, cacheKey, hit } = mapRequest;
          metrics.seatMapCache.inc({ result: !keys ? 'uncacheable' : hit ? 'hit' : 'miss' });
          if (!cacheKey || hit) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          if (!result?.data || result.errors?.length) {
            answers.land(cacheKey); // nothing to keep: whoever waited plans on their own
            return;
          }
          await answers.set(cacheKey, storeAnswer(result.data), { ttl: MAX_AGE_SECONDS });
        },
      };
    },
  };
}
