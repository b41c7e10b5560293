import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '@eventix/subgraph-kit';
import { Event } from './event/event.entity';
import { EventService } from './event/event.service';
import { Seat } from './event/seat.entity';
import { Section, Venue } from './venue/venue.entity';
import { VenueService } from './venue/venue.service';

/** Per-request state: the caller, a forked EntityManager and batching loaders. */
export interface CatalogContext {
  caller: Caller;
  em: EntityManager;
  loaders: CatalogLoaders;
  venues: VenueService;
  events: EventService;
}

export interface CatalogLoaders {
  venue: DataLoader<string, Venue | null>;
  section: DataLoader<string, Section | null>;
  seat: DataLoader<string, Seat | null>;
  event: DataLoader<string, Event | null>;
}

/** One `WHERE id IN (...)` per entity type and request, however many references ask. */
function byId<T extends { id: string }>(em: EntityManager, entity: new () => T): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = (await em.find(entity, { id: { $in: [...ids] } } as never)) as T[];
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

export function createLoaders(em: EntityManager): CatalogLoaders {
  return { venue: byId(em, Venue), section: byId(em, Section), seat: byId(em, Seat), event: byId(em, Event) };
}
