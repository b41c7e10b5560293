import type { ReferenceResolvers } from '@eventix/subgraph-kit';
import type { CatalogContext } from './context';

type Reference = { id: string };

/**
 * Entity references from other subgraphs. Each goes through the request's DataLoader, so N
 * representations of one type cost one query, not N.
 */
export const catalogReferences: ReferenceResolvers = {
  Event: { __resolveReference: (ref: Reference, ctx: CatalogContext) => ctx.loaders.event.load(ref.id) },
  Seat: { __resolveReference: (ref: Reference, ctx: CatalogContext) => ctx.loaders.seat.load(ref.id) },
  Venue: { __resolveReference: (ref: Reference, ctx: CatalogContext) => ctx.loaders.venue.load(ref.id) },
} as unknown as ReferenceResolvers;
