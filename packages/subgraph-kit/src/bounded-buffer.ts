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
  const buffer: T[] = [];
  let waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void } | undefined;
  /** Why the stream ends once the buffer is drained: undefined = complete. */
  let ending: { error?: Error } | undefined;
  let closed = false;
  let finished = false;

  const close = () => {
    if (closed) return;
    closed = true;
    onClose();
  };
  const finish = () => {
    finished = true;
    buffer.length = 0;
  };
  /** Hands a subscriber that is already waiting the end of the stream. */
  const settleWaiting = () => {
    if (!waiting || buffer.length || !ending) return;
    const { resolve, reject } = waiting;
    const { error } = ending;
    waiting = undefined;
    finish();
    if (error) reject(error);
    else resolve({ value: undefined, done: true });
  };
  const closeWith = (why: { error?: Error }) => {
    if (closed) return;
    ending = why;
    close();
    settleWaiting();
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (buffer.length) return Promise.resolve({ value: buffer.shift() as T, done: false });
      if (finished) return Promise.resolve({ value: undefined, done: true });
      if (ending) {
        const { error } = ending;
        finish();
        return error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    return() {
      close();
      finish();
      waiting?.resolve({ value: undefined, done: true });
      waiting = undefined;
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      close();
      finish();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    iterator,
    push(value) {
      if (closed) return;
      if (waiting) {
        const { resolve } = waiting;
        waiting = undefined;
        resolve({ value, done: false });
      } else if (buffer.length >= capacity) {
        // Release what the subscriber has not taken: it must refetch anyway.
        buffer.length = 0;
        closeWith({ error: new SlowConsumerError(capacity) });
      } else buffer.push(value);
    },
    end() {
      closeWith({});
    },
    fail(error) {
      closeWith({ error });
    },
  };
}
