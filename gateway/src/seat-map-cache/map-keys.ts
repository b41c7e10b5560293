import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../context';
import type { SubgraphDataSource } from '../subgraph-data-source';

/** What a published event's map is cached under: one key per subgraph the map is made of. */
export interface SeatMapKeys {
  /** `<status>:<priceVersion>` (catalog's `Event.catalogCacheKey`). */
  catalog: string;
  /** `<seatMapVersion>:<open|closed>:<earliest live hold expiry>` (booking's `Event.availabilityCacheKey`). */
  availability: string;
}

const CATALOG_KEY = 'query SeatMapCacheKey__catalog($id: ID!) { event(id: $id) { catalogCacheKey } }';
const AVAILABILITY_KEY = 'query SeatMapCacheKey__booking($representations: [_Any!]!) { _entities(representations: $representations) { ... on Event { availabilityCacheKey } } }';

/** The subgraphs a map is made of. */
export type SeatMapSources = { catalog: SubgraphDataSource; booking: SubgraphDataSource };

/**
 * Reads both keys of an event's map from the subgraphs, in parallel, as the caller (catalog
 * shows a draft only to those who may see it). null — do not cache, do not serve from the
 * cache — when the event is not visible, is a draft (its layout may still change), is not in
 * booking's projection, or either subgraph did not answer cleanly: the request then takes the
 * ordinary path and gets whatever that path says.
 */
export async function readSeatMapKeys(sources: SeatMapSources, eventId: string, context: GatewayContext, requestContext: GatewayGraphQLRequestContext<GatewayContext>): Promise<SeatMapKeys | null> {
  const ask = (source: SubgraphDataSource, query: string, variables: Record<string, unknown>) => source.readFor(requestContext, context, query, variables).catch(() => undefined);
  const [catalog, booking] = await Promise.all([
    ask(sources.catalog, CATALOG_KEY, { id: eventId }),
    ask(sources.booking, AVAILABILITY_KEY, { representations: [{ __typename: 'Event', id: eventId }] }),
  ]);
  if (!catalog || !booking || catalog.errors?.length || booking.errors?.length) return null;
  const catalogKey = (catalog.data?.event as { catalogCacheKey?: unknown } | null | undefined)?.catalogCacheKey;
  const availabilityKey = (booking.data?._entities as Array<{ availabilityCacheKey?: unknown } | null> | undefined)?.[0]?.availabilityCacheKey;
  if (typeof catalogKey !== 'string' || typeof availabilityKey !== 'string' || catalogKey.startsWith('DRAFT:')) return null;
  return { catalog: catalogKey, availability: availabilityKey };
}
