import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import { ErrorCode } from '@eventix/errors';
import { boundedBuffer, type BoundedBuffer } from '@eventix/subgraph-kit';
import type { SeatAvailabilityChangeData } from './seat-change';

/** The routing key subscribers use (type-graphql's PubSub interface). */
export const SEAT_AVAILABILITY = 'SEAT_AVAILABILITY';

const channel = (eventId: string) => `seat-availability:${eventId}`;
/** Changes a subscriber may fall behind before its stream ends with SlowConsumerError. */
const BUFFER = 256;

/**
 * The signal a live subscriber gets when this instance cannot promise it every change any more
 * (see docs/live-updates-during-outages.md): its stream ends with this error, and new
 * subscriptions are refused with it until the fan-out is back. Changes published meanwhile are
 * lost, so the client refetches the seat map and subscribes again. No `http` extension: it
 * travels over graphql-ws, where an HTTP status means nothing.
 */
export const liveUpdatesInterrupted = () =>
  new GraphQLError('Live seat updates were interrupted; refetch the seat map and subscribe again', { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } });

interface EventListeners {
  subscribers: Set<BoundedBuffer<SeatAvailabilityChangeData>>;
  /** Settles once the backend listens for the event (never rejects: failure interrupts). */
  ready: Promise<void>;
}

/**
 * Delivers seat changes to this instance's live subscribers. Doubles as type-graphql's PubSub
 * (`publish` / `subscribe(routingKey, eventId)`), so the Subscription resolver is plain
 * type-graphql. One subscription per event per instance upstream, however many local
 * subscribers; the last one leaving releases it.
 */
export abstract class SeatFanout {
  private readonly events = new Map<string, EventListeners>();

  /** Sends a change to every instance's subscribers of its event. */
  abstract publish(routingKey: string, change: SeatAvailabilityChangeData): Promise<void>;
  protected abstract listen(eventId: string): Promise<void>;
  protected abstract unlisten(eventId: string): Promise<void>;
  abstract close(): Promise<void>;
  /** Resolves when the fan-out's backend answers (readiness probes). */
  abstract ping(): Promise<void>;
  /** False while the backend connection is lost: new subscriptions are refused. */
  protected available(): boolean {
    return true;
  }

  /** Local subscribers per event (metrics and tests). */
  subscriberCount(eventId: string): number {
    return this.events.get(eventId)?.subscribers.size ?? 0;
  }

  /** `ready` settles once this instance listens for the event (a resuming subscriber reads the change log after it). */
  subscribe(_routingKey: string, eventId?: string): AsyncIterable<SeatAvailabilityChangeData> & { ready: Promise<void> } {
    if (!eventId) throw new Error('seat subscriptions need an event id');
    // Refused up front rather than accepted into a stream that would stay silent.
    if (!this.available()) throw liveUpdatesInterrupted();
    let entry = this.events.get(eventId);
    if (!entry) {
      const created: EventListeners = { subscribers: new Set(), ready: Promise.resolve() };
      this.events.set(eventId, created);
      // The subscriber below joins the set before this can fail, so it is told too.
      created.ready = this.listen(eventId).catch(() => this.interrupt(eventId, created));
      entry = created;
    }
    const queue = boundedBuffer<SeatAvailabilityChangeData>(BUFFER, () => void this.remove(eventId, queue));
    entry.subscribers.add(queue);
    const { ready } = entry;
    const iterator = queue.iterator;
    return {
      ready,
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
    for (const subscriber of this.events.get(change.eventId)?.subscribers ?? []) subscriber.push(change);
  }

  /**
   * Ends every local stream with SERVICE_UNAVAILABLE: called when the backend connection drops,
   * since changes published until it is back never reach this instance.
   */
  protected interruptAll(): void {
    for (const [eventId, entry] of this.events) this.interrupt(eventId, entry);
  }

  private interrupt(eventId: string, entry: EventListeners): void {
    // Forget the event before failing its queues: their onClose must not UNSUBSCRIBE on a
    // connection that is gone (the channel went with it).
    if (this.events.get(eventId) === entry) this.events.delete(eventId);
    for (const subscriber of entry.subscribers) subscriber.fail(liveUpdatesInterrupted());
    entry.subscribers.clear();
  }

  private async remove(eventId: string, subscriber: BoundedBuffer<SeatAvailabilityChangeData>): Promise<void> {
    const entry = this.events.get(eventId);
    if (!entry?.subscribers.delete(subscriber) || entry.subscribers.size) return;
    this.events.delete(eventId);
    // Best effort: a channel left subscribed only costs messages this instance drops.
    await this.unlisten(eventId).catch(() => undefined);
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
 *
 * When the subscriber connection drops, every local stream is ended with SERVICE_UNAVAILABLE
 * and new subscriptions are refused until it is back: messages published meanwhile are gone,
 * and a stream that stayed open would have a silent gap. ioredis's automatic resubscription is
 * off for the same reason — channels are subscribed again by the clients that resubscribe.
 */
export class RedisSeatFanout extends SeatFanout {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  /** Set when the subscriber connection was lost, cleared when it is ready again. */
  private lost = false;

  constructor(
    url: string,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    super();
    const retryStrategy = (attempt: number) => Math.min(100 * attempt, 2_000);
    // Publishing fails at once while disconnected instead of queueing behind a dead server.
    this.publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000, retryStrategy });
    this.subscriber = new Redis(url, { autoResubscribe: false, maxRetriesPerRequest: 1, retryStrategy });
    this.publisher.on('error', () => undefined);
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => this.deliver(JSON.parse(message) as SeatAvailabilityChangeData));
    this.subscriber.on('ready', () => {
      if (this.lost) this.log('seat fan-out: Redis subscriber connected again; accepting live subscriptions');
      this.lost = false;
    });
    this.subscriber.on('close', () => {
      if (this.lost) return;
      this.lost = true;
      this.log('seat fan-out: Redis subscriber connection lost; ending live subscriptions with SERVICE_UNAVAILABLE');
      this.interruptAll();
    });
  }

  protected override available(): boolean {
    return !this.lost;
  }

  /**
   * While Redis is unreachable a change is dropped rather than failed: every subscriber it was
   * for has been told to refetch (it would arrive after their resync at best), and failing
   * would only send it through the consumer's retries to the dead letters.
   */
  async publish(_routingKey: string, change: SeatAvailabilityChangeData): Promise<void> {
    // Only a lost connection drops: while it is first connecting, failing lets the consumer's
    // retries publish the change a moment later.
    if (['close', 'reconnecting', 'end'].includes(this.publisher.status)) {
      this.log(`seat fan-out: Redis ${this.publisher.status}; change of event ${change.eventId} (version ${change.seatMapVersion}) not published`);
      return;
    }
    await this.publisher.publish(channel(change.eventId), JSON.stringify(change));
  }

  protected listen(eventId: string): Promise<void> {
    return this.subscriber.subscribe(channel(eventId)).then(() => undefined);
  }

  protected unlisten(eventId: string): Promise<void> {
    return this.subscriber.unsubscribe(channel(eventId)).then(() => undefined);
  }

  async ping(): Promise<void> {
    await this.publisher.ping();
  }

  /** Channels this instance is subscribed to (tests check one per event, not per client). */
  async channels(): Promise<string[]> {
    return (await this.publisher.pubsub('CHANNELS', 'seat-availability:*')) as string[];
  }

  async close(): Promise<void> {
    // Our own disconnect is not an outage: no interruption log, streams end with the server.
    this.lost = true;
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
