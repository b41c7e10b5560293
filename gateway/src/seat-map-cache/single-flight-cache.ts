import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';

interface Flight {
  done: Promise<void>;
  land: () => void;
}

/**
 * A cache in front of which the first reader of a missing key plans the answer and every
 * concurrent reader of the same key waits for it, then reads what it stored. When a seat of a
 * hot stadium changes, a thousand fans re-reading the map would otherwise each plan the same
 * 20,000-seat answer at once (the gateway's subgraph-fetch sharing only joins callers of one
 * identity; signed-in fans are many).
 *
 * The reader that got the miss must call {@link land} when its request ends, stored or not
 * (an answer with errors is not stored): its waiters then read again, and plan on their own if
 * there is still nothing — never worse than without this.
 */
export class SingleFlightCache<V = string> implements KeyValueCache<V> {
  private readonly flights = new Map<string, Flight>();

  constructor(private readonly inner: KeyValueCache<V>) {}

  async get(key: string): Promise<V | undefined> {
    const value = await this.inner.get(key);
    if (value !== undefined) return value;
    const flight = this.flights.get(key);
    if (!flight) {
      let land = () => undefined as void;
      const done = new Promise<void>((resolve) => (land = resolve));
      this.flights.set(key, { done, land });
      return undefined; // this reader plans it
    }
    await flight.done;
    return this.inner.get(key);
  }

  /** What is stored under `key`, if anything, without joining or starting a flight. */
  peek(key: string): Promise<V | undefined> {
    return this.inner.get(key);
  }

  async set(key: string, value: V, options?: KeyValueCacheSetOptions): Promise<void> {
    await this.inner.set(key, value, options);
    this.land(key);
  }

  delete(key: string): Promise<boolean | void> {
    return this.inner.delete(key);
  }

  /** Ends the flight for `key`, if any: its waiters read again. */
  land(key: string): void {
    const flight = this.flights.get(key);
    if (!flight) return;
    this.flights.delete(key);
    flight.land();
  }

  /** Keys being planned now (tests, metrics). */
  get inFlight(): number {
    return this.flights.size;
  }
}
