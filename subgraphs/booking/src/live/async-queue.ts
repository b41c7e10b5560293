/**
 * A bounded push-to-pull queue: listeners push, one subscriber pulls with `for await`. When a
 * subscriber falls more than `capacity` changes behind it is ended with an error instead of
 * buffering without limit — it resyncs by refetching (seatMapVersion tells it so).
 */
export class SlowConsumerError extends Error {
  constructor(capacity: number) {
    super(`subscriber fell more than ${capacity} changes behind; refetch the seat map and subscribe again`);
    this.name = 'SlowConsumerError';
  }
}

export interface BoundedQueue<T> {
  push(value: T): void;
  /** Ends the subscriber's stream with `error` once it has taken what is already buffered. */
  fail(error: Error): void;
  iterator: AsyncIterableIterator<T>;
}

export function boundedQueue<T>(capacity: number, onClose: () => void): BoundedQueue<T> {
  const buffer: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let failWaiting: ((error: Error) => void) | undefined;
  let failure: Error | undefined;
  let done = false;

  const close = () => {
    if (done) return;
    done = true;
    onClose();
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (buffer.length) return Promise.resolve({ value: buffer.shift() as T, done: false });
      if (failure) {
        const error = failure;
        failure = undefined;
        return Promise.reject(error);
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        failWaiting = reject;
      });
    },
    return() {
      close();
      buffer.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      close();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    iterator,
    push(value: T) {
      if (done) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        failWaiting = undefined;
        resolve({ value, done: false });
        return;
      }
      if (buffer.length >= capacity) {
        const error = new SlowConsumerError(capacity);
        close();
        if (failWaiting) failWaiting(error);
        else failure = error;
        return;
      }
      buffer.push(value);
    },
    fail(error: Error) {
      if (done) return;
      close();
      // Changes already buffered were real: deliver them first, then the error.
      if (waiting && !buffer.length) {
        const reject = failWaiting!;
        waiting = undefined;
        failWaiting = undefined;
        reject(error);
      } else failure = error;
    },
  };
}
