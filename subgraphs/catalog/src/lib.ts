// What the catalog subgraph offers other workspaces (its package `exports`): the factory, its
// configuration model, its schema (for composition), its entities and migrations, and the venue
// and event entities the launcher's demo seed reads and writes through.
export { createCatalogSubgraph, catalogEntities, type CatalogDeps, type CatalogSubgraph } from './server';
export { loadCatalogConfig, type CatalogConfig } from './env';
export { buildCatalogSchema } from './schema';
export { catalogMigrations } from '../migrations';
export { Venue } from './venue/venue.entity';
export { Event, EventStatus } from './event/event.entity';
