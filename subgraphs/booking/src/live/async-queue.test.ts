import { boundedQueue } from './async-queue';

describe('boundedQueue.fail (the outage signal of a live subscriber)', () => {
  it('hands over what was buffered, then rejects with the error, then is done', async () => {
    let closed = 0;
    const queue = boundedQueue<number>(10, () => closed++);
    queue.push(1);
    queue.push(2);
    const outage = new Error('interrupted');
    queue.fail(outage);
    queue.push(3); // after the failure nothing more is taken
    expect(closed).toBe(1);
    await expect(queue.iterator.next()).resolves.toEqual({ value: 1, done: false });
    await expect(queue.iterator.next()).resolves.toEqual({ value: 2, done: false });
    await expect(queue.iterator.next()).rejects.toBe(outage);
    await expect(queue.iterator.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('rejects a subscriber already waiting for the next change', async () => {
    const queue = boundedQueue<number>(10, () => undefined);
    const waiting = queue.iterator.next();
    const outage = new Error('interrupted');
    queue.fail(outage);
    await expect(waiting).rejects.toBe(outage);
  });
});
