/**
 * Per-client buffer of a shared subscription: pushes never block the upstream; a client more
 * than `capacity` events behind is ended (graphql-ws completes it) instead of slowing everyone.
 */
export interface BoundedStream<T> {
  /** Iterable and iterator at once: graphql-ws calls `return()` on what `subscribe` gave it. */
  iterable: AsyncIterableIterator<T>;
  push(value: T): void;
  end(): void;
}

export function boundedStream<T>(capacity: number, onLeave: () => void): BoundedStream<T> {
  const buffer: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    onLeave();
  };
  const stream: BoundedStream<T> = {
    push(value) {
      if (ended) return;
      if (buffer.length >= capacity) {
        // Too slow: stop here; the client is told the stream ended and must resync.
        ended = true;
        leave();
      } else buffer.push(value);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    iterable: {
      [Symbol.asyncIterator]() {
        return stream.iterable;
      },
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          if (buffer.length) return { value: buffer.shift() as T, done: false };
          if (ended) {
            leave();
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      async return(): Promise<IteratorResult<T>> {
        ended = true;
        buffer.length = 0;
        leave();
        wake?.();
        return { value: undefined, done: true };
      },
    },
  };
  return stream;
}
