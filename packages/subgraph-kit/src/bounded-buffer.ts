import { GraphQLError } from 'graphql';
import { ErrorCode } from '@eventix/errors';

/**
 * The error a subscriber's stream ends with when it fell too far behind. It says what to do:
 * the changes it missed are gone, so it refetches the current state and subscribes again —
 * what a client does with SERVICE_UNAVAILABLE on a live stream, so that is its code (as for
 * booking's liveUpdatesInterrupted). graphql-ws sends a stream's error with the error's
 * `extensions`, so the code reaches the client. No `http` extension: it travels over
 * graphql-ws, where an HTTP status means nothing.
 */
export class SlowConsumerError extends GraphQLError {
  constructor(readonly capacity: number) {
    super(`subscriber fell more than ${capacity} changes behind; refetch the seat map and subscribe again`, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } });
    this.name = 'SlowConsumerError';
  }
}

/**
 * A bounded push-to-pull buffer between one producer that must never wait (a fan-out, a shared
 * upstream subscription) and one subscriber that pulls with `for await` (graphql-ws).
 *
 * Overflow: a push that finds `capacity` values not yet taken ends the stream with a
 * SlowConsumerError. What was buffered is released at once and the subscriber's next pull gets
 * the error — the subscriber is behind anyway and must refetch, so stale changes would only cost
 * memory and time. Not blocking keeps one slow client from stalling everyone; not growing keeps
 * its memory bounded; not dropping silently keeps a live seat map from showing a gap as truth
 * (graphql-yoga's fixed Repeater buffer also errors on overflow, where Hive router's
 * subgraph-side buffer drops the newest event).
 *
 * `end()` and `fail(error)` are the producer finishing: values already buffered are delivered
 * first (they were real and the subscriber is keeping up), then completion or the error.
 */
export interface BoundedBuffer<T> {
  /** Iterable and iterator at once: graphql-ws calls `return()` on what `subscribe` gave it. */
  readonly iterator: AsyncIterableIterator<T>;
  /** Never blocks; ignored once the buffer is closed. */
  push(value: T): void;
  /** Completes the stream once the subscriber has taken what is buffered. */
  end(): void;
  /** Ends the stream with `error` once the subscriber has taken what is buffered. */
  fail(error: Error): void;
}

/**
 * `onClose` runs once, when the buffer stops taking values: overflow, `end`, `fail`, or the
 * subscriber leaving (`return` / `throw`) — the place to unregister it from its producer.
 */
export function boundedBuffer<T>(capacity: number, onClose: () => void): BoundedBuffer<T> {
  return new PushPullBuffer<T>(capacity, onClose);
}

/**
 * The buffer and its iterator in one object whose methods live on the prototype: the gateway
 * keeps one per live subscriber, and a buffer made of closures (a dozen functions and their
 * scope each) cost ~0.7 KiB of every subscriber's memory.
 */
class PushPullBuffer<T> implements BoundedBuffer<T>, AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void } | undefined;
  /** Why the stream ends once the buffer is drained: undefined = complete. */
  private ending: { error?: Error } | undefined;
  private closed = false;
  private finished = false;

  constructor(
    private readonly capacity: number,
    private readonly onClose: () => void,
  ) {}

  get iterator(): AsyncIterableIterator<T> {
    return this;
  }

  push(value: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
    } else if (this.buffer.length >= this.capacity) {
      // Release what the subscriber has not taken: it must refetch anyway.
      this.buffer.length = 0;
      this.closeWith({ error: new SlowConsumerError(this.capacity) });
    } else this.buffer.push(value);
  }

  end(): void {
    this.closeWith({});
  }

  fail(error: Error): void {
    this.closeWith({ error });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    if (this.ending) {
      const { error } = this.ending;
      this.finish();
      return error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    this.finish();
    this.waiting?.resolve({ value: undefined, done: true });
    this.waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.close();
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private finish(): void {
    this.finished = true;
    this.buffer.length = 0;
  }

  /** Hands a subscriber that is already waiting the end of the stream. */
  private settleWaiting(): void {
    if (!this.waiting || this.buffer.length || !this.ending) return;
    const { resolve, reject } = this.waiting;
    const { error } = this.ending;
    this.waiting = undefined;
    this.finish();
    if (error) reject(error);
    else resolve({ value: undefined, done: true });
  }

  private closeWith(why: { error?: Error }): void {
    if (this.closed) return;
    this.ending = why;
    this.close();
    this.settleWaiting();
  }
}
