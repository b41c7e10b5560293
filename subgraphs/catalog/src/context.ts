import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '@eventix/subgraph-kit';
import { Event } from './event/event.entity';
import { EventService } from './event/event.service';
import type { SeatMapService } from './event/seat-map.service';
import type { SeatView } from './event/seat.view';
import { Section, Venue } from './venue/venue.entity';
import { VenueService } from './venue/venue.service';

/** Per-request state: the caller, a forked EntityManager and batching loaders. */
export interface CatalogContext {
  caller: Caller;
  em: EntityManager;
  loaders: CatalogLoaders;
  venues: VenueService;
  events: EventService;
  seatMaps: SeatMapService;
}

export interface CatalogLoaders {
  venue: DataLoader<string, Venue | null>;
  section: DataLoader<string, Section | null>;
  seat: DataLoader<string, SeatView | null>;
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

export function createLoaders(em: EntityManager, seatMaps: SeatMapService): CatalogLoaders {
  return {
    venue: byId(em, Venue),
    section: byId(em, Section),
    // Seats are read lean (a ticket list or a booking's items reference many).
    seat: new DataLoader(async (ids) => {
      const found = await seatMaps.seatsById(em, ids);
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    }),
    event: byId(em, Event),
  };
}
