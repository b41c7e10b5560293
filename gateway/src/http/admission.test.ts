import { AdmissionLimiter, type ShedReason } from './admission';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('AdmissionLimiter', () => {
  const limiter = (maxInFlight: number, maxQueued: number, maxWaitMs = 100) => {
    const shed: ShedReason[] = [];
    return { shed, limiter: new AdmissionLimiter({ maxInFlight, maxQueued, maxWaitMs }, (reason) => shed.push(reason)) };
  };

  it('admits up to maxInFlight at once, then queues, then sheds beyond the queue', async () => {
    const { limiter: l, shed } = limiter(2, 1);
    expect([l.acquire(), l.acquire()]).toEqual([true, true]);
    const queued = l.acquire();
    expect(queued).toBeInstanceOf(Promise);
    expect(await l.acquire()).toBe(false);
    expect(shed).toEqual(['queue_full']);
    expect({ inFlight: l.inFlight, queued: l.queued }).toEqual({ inFlight: 2, queued: 1 });
    l.release(); // the slot passes to the waiter
    expect(await queued).toBe(true);
    expect({ inFlight: l.inFlight, queued: l.queued }).toEqual({ inFlight: 2, queued: 0 });
    l.release();
    l.release();
    expect(l.inFlight).toBe(0);
    expect(l.acquire()).toBe(true);
  });

  it('serves waiters first come, first served', async () => {
    const { limiter: l } = limiter(1, 3);
    l.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => (l.acquire() as Promise<boolean>).then(() => order.push(n)));
    for (let i = 0; i < 3; i++) {
      l.release();
      await Promise.resolve();
    }
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });

  it('serves the newest waiter first once the queue stands (adaptive LIFO), and first come, first served again once it drains', async () => {
    const { limiter: l, shed } = limiter(1, 5, 100);
    l.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => (l.acquire() as Promise<boolean>).then((ok) => ok && order.push(n)));
    jest.advanceTimersByTime(10); // the oldest has waited a tenth of maxWaitMs: standing
    const late = (l.acquire() as Promise<boolean>).then((ok) => ok && order.push(4));
    for (let i = 0; i < 4; i++) {
      l.release();
      await Promise.resolve();
    }
    await Promise.all([...waiters, late]);
    expect(order).toEqual([4, 3, 2, 1]);
    expect(shed).toEqual([]);
    // Drained: a burst is served in arrival order again.
    const burst = [5, 6].map((n) => (l.acquire() as Promise<boolean>).then(() => order.push(n)));
    for (let i = 0; i < 2; i++) {
      l.release();
      await Promise.resolve();
    }
    await Promise.all(burst);
    expect(order.slice(4)).toEqual([5, 6]);
  });

  it('sheds a waiter that got no slot within maxWaitMs, and the queue goes on without it', async () => {
    const { limiter: l, shed } = limiter(1, 2, 50);
    l.acquire();
    const first = l.acquire() as Promise<boolean>;
    jest.advanceTimersByTime(30);
    const second = l.acquire() as Promise<boolean>;
    jest.advanceTimersByTime(20);
    expect(await first).toBe(false);
    expect(shed).toEqual(['wait_timeout']);
    expect(l.queued).toBe(1);
    l.release();
    expect(await second).toBe(true);
    expect(l.inFlight).toBe(1);
  });
});
