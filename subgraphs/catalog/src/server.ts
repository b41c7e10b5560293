import type { MikroORM } from '@mikro-orm/postgresql';
import { OutboxRelay, type EventTransport } from '@eventix/events';
import { initOrm, subgraphLifecycle, type RunningSubgraph, type Logger } from '@eventix/subgraph-kit';
import { catalogMigrations } from '../migrations';
import type { CatalogConfig } from './env';
import { createLoaders, type CatalogContext } from './context';
import { Event } from './event/event.entity';
import { EventService } from './event/event.service';
import { SeatMapService } from './event/seat-map.service';
import { Seat } from './event/seat.entity';
import { Section, Venue, VenueSeat } from './venue/venue.entity';
import { VenueService } from './venue/venue.service';
import { buildCatalogSchema } from './schema';

export const catalogEntities = [Venue, Section, VenueSeat, Seat, Event];

export interface CatalogDeps {
  config: CatalogConfig;
  transport: EventTransport;
  log: (message: string) => void;
  /** Sees every SQL statement (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /** Structured request logs (JSON); `log` still takes plain messages. */
  logger?: Logger;
}

export interface CatalogSubgraph {
  orm: MikroORM;
  relay: OutboxRelay;
  venues: VenueService;
  events: EventService;
  /** Starts serving HTTP (port 0 picks a free one) and publishing the outbox. */
  start(): Promise<RunningSubgraph>;
  stop(): Promise<void>;
}

/** Side-effect-free factory: migrates the database and wires services; `start()` opens the port. */
export async function createCatalogSubgraph({ config, transport, log, onQuery, logger }: CatalogDeps): Promise<CatalogSubgraph> {
  const orm = await initOrm({ name: 'catalog', clientUrl: config.database.url, entities: catalogEntities, migrations: catalogMigrations, debug: config.database.debug, onQuery });
  const relay = new OutboxRelay({ orm, transport, log });
  const venues = new VenueService();
  const events = new EventService();
  const seatMaps = new SeatMapService();
  const lifecycle = subgraphLifecycle<CatalogContext>({
    name: 'catalog',
    serving: config,
    orm,
    transport,
    relay,
    log,
    logger,
    schema: buildCatalogSchema,
    createContext: (caller, em) => ({ caller, em, loaders: createLoaders(em, seatMaps), venues, events, seatMaps }),
  });
  return { orm, relay, venues, events, start: lifecycle.start, stop: lifecycle.stop };
}
