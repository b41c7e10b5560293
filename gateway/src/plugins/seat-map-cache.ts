import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext, type GraphQLResponse } from '@apollo/server';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { GatewayContext } from '../context';
import { seatMapEventId } from '../seat-map-cache/map-operation';
import { readSeatMapKeys, type SeatMapKeys, type SeatMapSources } from '../seat-map-cache/map-keys';
import { parseSeatStates, refreshAvailability } from '../seat-map-cache/refresh-availability';
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

/** Booking's part of a map in one snapshot (hidden `Event.seatStates`, see refresh-availability.ts). */
const SEAT_STATES = 'query SeatMapStates__booking($representations: [_Any!]!) { _entities(representations: $representations) { ... on Event { seatStates } } }';

/**
 * A seat-map request: its keys (null: not cacheable now), the key its answer is kept under, the
 * key of the map itself under catalog's key alone (where the latest answer to refresh from is
 * found), and how it was answered: from memory, refreshed from an earlier answer, or planned.
 */
interface MapRequest {
  eventId: string;
  keys: SeatMapKeys | null;
  cacheKey?: string;
  baseKey?: string;
  served: 'hit' | 'refresh' | 'plan';
}

const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

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
 * When only booking's key moved (a seat was booked, a hold ran out: during an on-sale, almost
 * every read), the answer is not planned again: the latest answer of the same map under the same
 * catalog key is copied with booking's values read afresh in one small fetch (booking's hidden
 * `Event.seatStates`: the ids of the seats not AVAILABLE and the counters, one snapshot) —
 * refresh-availability.ts. The planner's path for a stadium is the subgraphs' 20,000-seat
 * fetches and @apollo/gateway's entity merge; the refresh is one query and a copy of the seats.
 *
 * Shared by every caller: the fields it allows (map-operation.ts) are public and the same for
 * everyone. Per gateway process, in memory. Answers are marked `cache-control: no-store` so no
 * browser or CDN keeps a map past its versions; `age` says how old a served one is.
 */
export function useSeatMapCache({ sources, maxBytes, metrics }: SeatMapCacheOptions): ApolloServerPlugin<GatewayContext> {
  const answers = new SingleFlightCache<StoredAnswer>(new InMemoryLRUCache<StoredAnswer>({ maxSize: maxBytes, sizeCalculation: (answer) => answer.bytes }));
  /** Per map and catalog key, the cache key of its latest stored answer (~100 bytes an entry). */
  const latest = new InMemoryLRUCache<string>({ maxSize: 4 * 1024 * 1024, sizeCalculation: (cacheKey) => cacheKey.length + 64 });

  const remember = async (mapRequest: MapRequest, answer: StoredAnswer) => {
    if (!mapRequest.cacheKey || !mapRequest.baseKey) return;
    await answers.set(mapRequest.cacheKey, answer, { ttl: MAX_AGE_SECONDS });
    await latest.set(mapRequest.baseKey, mapRequest.cacheKey, { ttl: MAX_AGE_SECONDS });
  };

  /** The latest answer of this map under the same catalog key, with booking's values read afresh; undefined when there is none or it cannot be done exactly. */
  const refresh = async (requestContext: GraphQLRequestContext<GatewayContext>, mapRequest: MapRequest): Promise<StoredAnswer | undefined> => {
    const baseCacheKey = mapRequest.baseKey ? await latest.get(mapRequest.baseKey) : undefined;
    const base = baseCacheKey ? await answers.peek(baseCacheKey) : undefined;
    return base ? withFreshAvailability(base, sources, requestContext, mapRequest.eventId) : undefined;
  };

  /** This request's map and keys; undefined when it is not a seat-map query. */
  const decide = async (requestContext: GraphQLRequestContext<GatewayContext>): Promise<MapRequest | undefined> => {
    const { schema, document, operation, request } = requestContext;
    const eventId = document && operation ? seatMapEventId(schema, document, operation, request.variables) : null;
    if (!eventId) return undefined;
    // Apollo Server's request context is what the gateway's fetches see too (with `context` for `contextValue`).
    const keys = await readSeatMapKeys(sources, eventId, requestContext.contextValue, requestContext as unknown as GatewayGraphQLRequestContext<GatewayContext>);
    if (!keys) return { eventId, keys, served: 'plan' };
    requestContext.response.http.headers.set('cache-control', 'no-store');
    // The document and variables too: maps asking for different allowed fields are different answers.
    const map = { source: requestContext.source, operationName: requestContext.operationName ?? null, variables: request.variables ?? {}, eventId };
    return { eventId, keys, cacheKey: sha256({ ...map, keys }), baseKey: sha256({ ...map, catalog: keys.catalog }), served: 'plan' };
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
          if (stored) {
            mapRequest.served = 'hit';
            const age = Math.max(0, Math.round((Date.now() - stored.storedAt) / 1000));
            return { body: { kind: 'single', singleResult: { data: stored.data } }, http: { status: undefined, headers: new HeaderMap([['age', String(age)]]) } };
          }
          // This request owns the flight: a refresh, or else the planner (stored in willSendResponse).
          // Whatever goes wrong in a refresh, the planner still answers: never an error of its own.
          const refreshed = await refresh(requestContext, mapRequest).catch(() => undefined);
          if (!refreshed) return null;
          mapRequest.served = 'refresh';
          await remember(mapRequest, refreshed);
          return { body: { kind: 'single', singleResult: { data: refreshed.data } }, http: { status: undefined, headers: new HeaderMap() } };
        },

        async willSendResponse({ response }) {
          if (!mapRequest) return;
          const { keys, cacheKey, served } = mapRequest;
          metrics.seatMapCache.inc({ result: !keys ? 'uncacheable' : served === 'plan' ? 'miss' : served });
          if (!cacheKey || served !== 'plan') return;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          if (!result?.data || result.errors?.length) {
            answers.land(cacheKey); // nothing to keep: whoever waited plans on their own
            return;
          }
          await remember(mapRequest, storeAnswer(result.data));
        },
      };
    },
  };
}

/** `base` with booking's values of its map read afresh (one fetch, one snapshot); undefined when that cannot be done exactly. */
async function withFreshAvailability(base: StoredAnswer, sources: SeatMapSources, requestContext: GraphQLRequestContext<GatewayContext>, eventId: string): Promise<StoredAnswer | undefined> {
  const { schema, document, operation, request } = requestContext;
  if (!document || !operation) return undefined;
  const answer = await sources.booking
    .readFor(requestContext as unknown as GatewayGraphQLRequestContext<GatewayContext>, requestContext.contextValue, SEAT_STATES, { representations: [{ __typename: 'Event', id: eventId }] })
    .catch(() => undefined);
  if (!answer || answer.errors?.length) return undefined;
  const states = parseSeatStates((answer.data?._entities as Array<{ seatStates?: unknown } | null> | undefined)?.[0]?.seatStates);
  const data = states && refreshAvailability({ schema, document, operation, variables: request.variables ?? {} }, base.data, states);
  return data ? storeAnswer(data) : undefined;
}
