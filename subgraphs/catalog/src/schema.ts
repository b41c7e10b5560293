import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema, DateTimeScalar } from '@eventix/subgraph-kit';
import { EventResolver } from './event/event.resolver';
import { VenueResolver } from './venue/venue.resolver';
import { catalogReferences } from './references';

/** The catalog subgraph schema; needs no database, so composition can call it. */
export function buildCatalogSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [EventResolver, VenueResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    references: catalogReferences,
  });
}
