import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { SingleFlightCache } from './single-flight-cache';

describe('SingleFlightCache', () => {
  it('lets the first reader of a missing key plan it and hands what it stores to everyone who asked meanwhile', async () => {
    const cache = new SingleFlightCache(new InMemoryLRUCache<string>());
    expect(await cache.get('map')).toBeUndefined(); // the first reader: plans it
    const waiting = Array.from({ length: 5 }, () => cache.get('map'));
    let settled = false;
    void Promise.all(waiting).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(cache.inFlight).toBe(1);
    await cache.set('map', 'answer');
    expect(await Promise.all(waiting)).toEqual(Array.from({ length: 5 }, () => 'answer'));
    expect(cache.inFlight).toBe(0);
    expect(await cache.get('map')).toBe('answer');
  });

  it('wakes the waiters empty-handed when the first reader stores nothing, and lets the next miss lead again', async () => {
    const cache = new SingleFlightCache(new InMemoryLRUCache<string>());
    expect(await cache.get('map')).toBeUndefined();
    const waiter = cache.get('map');
    await new Promise((resolve) => setImmediate(resolve)); // the waiter is waiting
    cache.land('map');
    expect(await waiter).toBeUndefined();
    expect(cache.inFlight).toBe(0);
    expect(await cache.get('map')).toBeUndefined(); // leads the next flight
    expect(cache.inFlight).toBe(1);
  });

  it('keeps flights of different keys apart', async () => {
    const cache = new SingleFlightCache(new InMemoryLRUCache<string>());
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeUndefined();
    const waitingForA = cache.get('a');
    await cache.set('b', 'B');
    expect(cache.inFlight).toBe(1);
    await cache.set('a', 'A');
    expect(await waitingForA).toBe('A');
  });
});
