import type { EntityManager } from '@mikro-orm/postgresql';
import { EventStatus } from './event.entity';
import { SeatMapCache } from './seat-map.cache';
import { SeatMapReader } from './seat-map.reader';
import type { SeatView } from './seat.view';

/**
 * Seats the cache holds across all events: ~150 bytes a seat, so ~45 MB at most — fifteen
 * stadium maps, or hundreds of theatre maps.
 */
export const SEAT_MAP_CACHE_SEATS = 300_000;

/** What of an event decides whether and under which version its map may be cached. */
export type SeatMapEvent = { id: string; status: EventStatus; priceVersion: number };

/**
 * Event.seats: lean rows, cached per published event under its priceVersion (see
 * SeatMapCache). A section filter is applied to the whole map, which is cached once.
 */
export class SeatMapService {
  constructor(
    private readonly reader = new SeatMapReader(),
    private readonly cache = new SeatMapCache(SEAT_MAP_CACHE_SEATS),
  ) {}

  async seatsOf(em: EntityManager, event: SeatMapEvent, sectionId?: string): Promise<SeatView[]> {
    const read = () => this.reader.seatsOfEvent(em, event.id);
    const seats = event.status === EventStatus.DRAFT ? await read() : await this.cache.get({ eventId: event.id, priceVersion: event.priceVersion }, read);
    if (!sectionId) return seats;
    const wanted = sectionId.toLowerCase();
    return seats.filter((seat) => seat.section.id === wanted);
  }

  seatsById(em: EntityManager, ids: readonly string[]): Promise<Map<string, SeatView>> {
    return this.reader.seatsById(em, ids);
  }
}
