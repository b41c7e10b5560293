import type { SeatView } from './seat.view';

/** The version of an event's seat map: the layout never changes once published, prices bump priceVersion. */
export interface SeatMapKey {
  eventId: string;
  priceVersion: number;
}

interface Entry {
  priceVersion: number;
  seats: Promise<SeatView[]>;
  size: number;
}

/**
 * Seat maps of published events, each kept under the priceVersion it was read at. A published
 * event's layout is immutable and every price change bumps priceVersion (in the same
 * transaction as the new prices), so a map read at version v is exactly the map of version v.
 * The caller passes the version it just read from the event row: a newer version misses and
 * replaces the entry; no time-based expiry is needed. Drafts are never cached (their prices
 * change without a version bump).
 *
 * Bounded by seats, not entries (one stadium weighs 20,000 small maps' worth): least recently
 * used maps go first. Concurrent misses for one map share one read.
 */
export class SeatMapCache {
  private readonly entries = new Map<string, Entry>();
  private seats = 0;

  constructor(private readonly maxSeats: number) {}

  get(key: SeatMapKey, read: () => Promise<SeatView[]>): Promise<SeatView[]> {
    const entry = this.entries.get(key.eventId);
    if (entry && entry.priceVersion === key.priceVersion) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(key.eventId);
      this.entries.set(key.eventId, entry);
      return entry.seats;
    }
    // An older version than the one held comes from a request that read the event row before
    // a reprice committed: serve it uncached rather than evict the newer map.
    if (entry && entry.priceVersion > key.priceVersion) return read();
    const seats = read();
    const fresh: Entry = { priceVersion: key.priceVersion, seats, size: 0 };
    this.remove(key.eventId);
    this.entries.set(key.eventId, fresh);
    seats.then(
      (list) => {
        if (this.entries.get(key.eventId) !== fresh) return;
        fresh.size = list.length;
        this.seats += list.length;
        this.evict();
      },
      () => {
        if (this.entries.get(key.eventId) === fresh) this.entries.delete(key.eventId);
      },
    );
    return seats;
  }

  /** Seats held (of settled reads), for tests and metrics. */
  get size(): number {
    return this.seats;
  }

  private remove(eventId: string): void {
    const entry = this.entries.get(eventId);
    if (!entry) return;
    this.seats -= entry.size;
    this.entries.delete(eventId);
  }

  private evict(): void {
    for (const eventId of this.entries.keys()) {
      if (this.seats <= this.maxSeats) return;
      this.remove(eventId);
    }
  }
}
