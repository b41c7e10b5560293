import { boundedBuffer, SlowConsumerError } from './bounded-buffer';

const closeCounter = () => {
  const counter = { closed: 0, onClose: () => void counter.closed++ };
  return counter;
};

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
