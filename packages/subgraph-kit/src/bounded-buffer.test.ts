import { GraphQLInt, GraphQLObjectType, GraphQLSchema, type ExecutionResult } from 'graphql';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL, makeServer, type ServerOptions } from 'graphql-ws';
import { ErrorCode } from '@eventix/errors';
import { boundedBuffer, SlowConsumerError, type BoundedBuffer } from './bounded-buffer';

const closeCounter = () => {
  const counter = { closed: 0, onClose: () => void counter.closed++ };
  return counter;
};

/** A schema whose one subscription field streams what `buffer` yields, as booking's resolver does. */
const streamingSchema = (buffer: () => BoundedBuffer<number>) =>
  new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: { changed: { type: GraphQLInt, subscribe: () => buffer().iterator, resolve: (value: number) => value } },
    }),
  });

/** Runs one subscription through a graphql-ws server; returns the messages the client got. */
async function overWire(options: ServerOptions): Promise<Array<{ type: string; payload?: unknown }>> {
  const sent: Array<{ type: string; payload?: unknown }> = [];
  let receive: (data: string) => Promise<void> = async () => undefined;
  const closed = makeServer(options).opened(
    { protocol: GRAPHQL_TRANSPORT_WS_PROTOCOL, send: (data) => void sent.push(JSON.parse(data)), close: () => undefined, onMessage: (cb) => void (receive = cb) },
    {},
  );
  await receive(JSON.stringify({ type: 'connection_init' }));
  await receive(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { changed }' } }));
  await closed();
  return sent;
}

describe('boundedBuffer', () => {
  it('hands values over in order, to a waiting subscriber at once', async () => {
    const buffer = boundedBuffer<number>(10, () => undefined);
    const waiting = buffer.iterator.next();
    buffer.push(1);
    buffer.push(2);
    buffer.push(3);
    await expect(waiting).resolves.toEqual({ value: 1, done: false });
    await expect(buffer.iterator.next()).resolves.toEqual({ value: 2, done: false });
    await expect(buffer.iterator.next()).resolves.toEqual({ value: 3, done: false });
  });

  it('holds up to `capacity` values for a subscriber that is behind', async () => {
    const close = closeCounter();
    const buffer = boundedBuffer<number>(3, close.onClose);
    [1, 2, 3].forEach((n) => buffer.push(n));
    expect(close.closed).toBe(0);
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push((await buffer.iterator.next()).value);
    expect(taken).toEqual([1, 2, 3]);
  });

  describe('overflow (a subscriber more than `capacity` behind)', () => {
    it('ends the stream with SlowConsumerError at the next pull, releasing what was buffered', async () => {
      const close = closeCounter();
      const buffer = boundedBuffer<number>(2, close.onClose);
      buffer.push(1);
      buffer.push(2);
      buffer.push(3); // one too many
      expect(close.closed).toBe(1);
      const error = await buffer.iterator.next().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SlowConsumerError);
      expect((error as Error).message).toMatch(/more than 2 changes behind; refetch .* subscribe again/);
      await expect(buffer.iterator.next()).resolves.toEqual({ value: undefined, done: true });
    });

    it('is SERVICE_UNAVAILABLE from the registry (refetch and subscribe again), with no HTTP status', () => {
      const error = new SlowConsumerError(2);
      expect(error.extensions).toEqual({ code: ErrorCode.SERVICE_UNAVAILABLE });
      expect(error.toJSON()).toEqual({ message: error.message, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } });
    });

    describe('reaches a graphql-ws client with its code', () => {
      const overflowing = <T>(value: T) => {
        const buffer = boundedBuffer<T>(1, () => undefined);
        buffer.push(value);
        buffer.push(value); // one too many: the first pull gets SlowConsumerError
        return buffer;
      };
      const expected = expect.arrayContaining([
        { id: '1', type: 'error', payload: [{ message: expect.stringMatching(/more than 1 changes behind; refetch .* subscribe again/), extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }] },
      ]);

      it("the gateway's path: the buffer is the operation's stream (graphql-ws `subscribe`)", async () => {
        // The gateway's streams carry the results of executing each event.
        const buffer = overflowing<ExecutionResult>({ data: { changed: 1 } });
        await expect(overWire({ schema: streamingSchema(() => overflowing(1)), subscribe: () => buffer.iterator })).resolves.toEqual(expected);
      });

      it("booking's path: the buffer is a subscription field's source stream (graphql-js subscribe)", async () => {
        await expect(overWire({ schema: streamingSchema(() => overflowing(1)) })).resolves.toEqual(expected);
      });
    });

    it('takes nothing more after the overflow, and closes only once', async () => {
      const close = closeCounter();
      const buffer = boundedBuffer<number>(1, close.onClose);
      for (let n = 0; n < 1_000; n++) buffer.push(n);
      expect(close.closed).toBe(1);
      await expect(buffer.iterator.next()).rejects.toBeInstanceOf(SlowConsumerError);
      await expect(buffer.iterator.next()).resolves.toEqual({ value: undefined, done: true });
    });

    it('leaves a subscriber that keeps up alone', async () => {
      const close = closeCounter();
      const buffer = boundedBuffer<number>(1, close.onClose);
      for (let n = 0; n < 100; n++) {
        buffer.push(n);
        await expect(buffer.iterator.next()).resolves.toEqual({ value: n, done: false });
      }
      expect(close.closed).toBe(0);
    });
  });

  describe('fail (the outage signal of a live subscriber)', () => {
    it('hands over what was buffered, then rejects with the error, then is done', async () => {
      const close = closeCounter();
      const buffer = boundedBuffer<number>(10, close.onClose);
      buffer.push(1);
      buffer.push(2);
      const outage = new Error('interrupted');
      buffer.fail(outage);
      buffer.push(3); // after the failure nothing more is taken
      expect(close.closed).toBe(1);
      await expect(buffer.iterator.next()).resolves.toEqual({ value: 1, done: false });
      await expect(buffer.iterator.next()).resolves.toEqual({ value: 2, done: false });
      await expect(buffer.iterator.next()).rejects.toBe(outage);
      await expect(buffer.iterator.next()).resolves.toEqual({ value: undefined, done: true });
    });

    it('rejects a subscriber already waiting for the next change', async () => {
      const buffer = boundedBuffer<number>(10, () => undefined);
      const waiting = buffer.iterator.next();
      const outage = new Error('interrupted');
      buffer.fail(outage);
      await expect(waiting).rejects.toBe(outage);
    });
  });

  describe('end (the producer is done)', () => {
    it('completes after what was buffered', async () => {
      const close = closeCounter();
      const buffer = boundedBuffer<string>(10, close.onClose);
      buffer.push('last');
      buffer.end();
      expect(close.closed).toBe(1);
      await expect(buffer.iterator.next()).resolves.toEqual({ value: 'last', done: false });
      await expect(buffer.iterator.next()).resolves.toEqual({ value: undefined, done: true });
    });

    it('completes a subscriber already waiting', async () => {
      const buffer = boundedBuffer<string>(10, () => undefined);
      const waiting = buffer.iterator.next();
      buffer.end();
      await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    });
  });

  describe('the subscriber leaving', () => {
    it('return() closes once, drops the buffer and completes a pending pull', async () => {
      const close = closeCounter();
      const buffer = boundedBuffer<number>(10, close.onClose);
      const pending = buffer.iterator.next();
      await buffer.iterator.return!();
      await expect(pending).resolves.toEqual({ value: undefined, done: true });
      buffer.push(1);
      await buffer.iterator.return!();
      expect(close.closed).toBe(1);
      await expect(buffer.iterator.next()).resolves.toEqual({ value: undefined, done: true });
    });

    it('a `for await` loop that breaks out closes the buffer', async () => {
      const close = closeCounter();
      const buffer = boundedBuffer<number>(10, close.onClose);
      buffer.push(1);
      buffer.push(2);
      for await (const value of buffer.iterator) {
        expect(value).toBe(1);
        break;
      }
      expect(close.closed).toBe(1);
    });

    it('throw() closes the buffer and rejects with what was thrown', async () => {
      const close = closeCounter();
      const buffer = boundedBuffer<number>(10, close.onClose);
      const reason = new Error('client gone');
      await expect(buffer.iterator.throw!(reason)).rejects.toBe(reason);
      expect(close.closed).toBe(1);
    });
  });
});
