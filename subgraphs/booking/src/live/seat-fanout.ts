import { Redis } from 'ioredis';
import type { SeatAvailabilityChangeData } from './seat-change';
import { boundedQueue } from './async-queue';

/** The routing key subscribers use (type-graphql's PubSub interface). */
export const SEAT_AVAILABILITY = 'SEAT_AVAILABILITY';

const channel = (eventId: string) => `seat-availability:${eventId}`;
const BUFFER = 256;

type Listener = (change: SeatAvailabilityChangeData) => void;

/**
 * Delivers seat changes to this instance's live subscribers. Doubles as type-graphql's PubSub
 * (`publish` / `subscribe(routingKey, eventId)`), so the Subscription resolver is plain
 * type-graphql. One subscription per event per instance upstream, however many local
 * subscribers; the last one leaving releases it.
 */
export abstract class SeatFanout {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Sends a change to every instance's subscribers of its event. */
  abstract publish(routingKey: string, change: SeatAvailabilityChangeData): Promise<void>;
  protected abstract listen(eventId: string): Promise<void>;
  protected abstract unlisten(eventId: string): Promise<void>;
  abstract close(): Promise<void>;
  /** Resolves when the fan-out's backend answers (readiness probes). */
  abstract ping(): Promise<void>;

  /** Local subscribers per event (metrics and tests). */
  subscriberCount(eventId: string): number {
    return this.listeners.get(eventId)?.size ?? 0;
  }

  subscribe(_routingKey: string, eventId?: string): AsyncIterable<SeatAvailabilityChangeData> {
    if (!eventId) throw new Error('seat subscriptions need an event id');
    const queue = boundedQueue<SeatAvailabilityChangeData>(BUFFER, () => void this.remove(eventId, listener));
    const listener: Listener = (change) => queue.push(change);
    const first = !this.listeners.has(eventId);
    const set = this.listeners.get(eventId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(eventId, set);
    const ready = first ? this.listen(eventId) : Promise.resolve();
    const iterator = queue.iterator;
    return {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          await ready;
          return iterator.next();
        },
        return: () => iterator.return!(),
        throw: (error?: unknown) => iterator.throw!(error),
      }),
    };
  }

  /** Hands a change that arrived for this instance to its local subscribers. */
  protected deliver(change: SeatAvailabilityChangeData): void {
    for (const listener of this.listeners.get(change.eventId) ?? []) listener(change);
  }

  private async remove(eventId: string, listener: Listener): Promise<void> {
    const set = this.listeners.get(eventId);
    if (!set?.delete(listener) || set.size) return;
    this.listeners.delete(eventId);
    await this.unlisten(eventId);
  }
}

/** One process (embedded mode): publishing is delivering. */
export class InProcessSeatFanout extends SeatFanout {
  async publish(_routingKey: string, change: SeatAvailabilityChangeData): Promise<void> {
    this.deliver(change);
  }
  protected async listen(): Promise<void> {}
  protected async unlisten(): Promise<void> {}
  async close(): Promise<void> {}
  async ping(): Promise<void> {}
}

/**
 * Redis pub/sub across instances: PUBLISH to `seat-availability:{eventId}`; each instance
 * SUBSCRIBEs to a channel only while it has local subscribers of that event. Redis delivers at
 * most once, so clients resync on a seatMapVersion gap.
 */
export class RedisSeatFanout extends SeatFanout {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(url: string) {
    super();
    this.publisher = new Redis(url, { maxRetriesPerRequest: 2 });
    this.subscriber = new Redis(url);
    this.subscriber.on('message', (_channel: string, message: string) => this.deliver(JSON.parse(message) as SeatAvailabilityChangeData));
  }

  async publish(_routingKey: string, change: SeatAvailabilityChangeData): Promise<void> {
    await this.publisher.publish(channel(change.eventId), JSON.stringify(change));
  }

  protected async listen(eventId: string): Promise<void> {
    await this.subscriber.subscribe(channel(eventId));
  }

  protected async unlisten(eventId: string): Promise<void> {
    await this.subscriber.unsubscribe(channel(eventId));
  }

  async ping(): Promise<void> {
    await this.publisher.ping();
  }

  /** Channels this instance is subscribed to (tests check one per event, not per client). */
  async channels(): Promise<string[]> {
    return (await this.publisher.pubsub('CHANNELS', 'seat-availability:*')) as string[];
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
