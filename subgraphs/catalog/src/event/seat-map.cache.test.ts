import { SeatMapCache } from './seat-map.cache';
import type { SeatView } from './seat.view';

const section = { id: 's1', name: 'Stalls', rows: 1, seatsPerRow: 3 };
const map = (n: number, price = '10.00'): SeatView[] => Array.from({ length: n }, (_, i) => ({ id: `seat-${i}`, row: 'A', number: i + 1, x: i, y: 0, price, section }));

describe('SeatMapCache', () => {
  it('reads a map once per event and price version', async () => {
    const cache = new SeatMapCache(1_000);
    const read = jest.fn(async () => map(3));
    await cache.get({ eventId: 'e1', priceVersion: 1 }, read);
    await cache.get({ eventId: 'e1', priceVersion: 1 }, read);
    expect(read).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(3);
  });

  it('reads again, and keeps the new map, once the event is repriced (a newer version)', async () => {
    const cache = new SeatMapCache(1_000);
    await cache.get({ eventId: 'e1', priceVersion: 1 }, async () => map(3, '10.00'));
    const repriced = await cache.get({ eventId: 'e1', priceVersion: 2 }, async () => map(3, '12.00'));
    expect(repriced[0].price).toBe('12.00');
    const again = await cache.get({ eventId: 'e1', priceVersion: 2 }, async () => map(3, 'never read'));
    expect(again[0].price).toBe('12.00');
    expect(cache.size).toBe(3);
  });

  it('serves an older version than the one held uncached, without evicting the newer map', async () => {
    const cache = new SeatMapCache(1_000);
    await cache.get({ eventId: 'e1', priceVersion: 2 }, async () => map(3, '12.00'));
    const stale = await cache.get({ eventId: 'e1', priceVersion: 1 }, async () => map(3, '10.00'));
    expect(stale[0].price).toBe('10.00');
    const current = await cache.get({ eventId: 'e1', priceVersion: 2 }, async () => map(3, 'never read'));
    expect(current[0].price).toBe('12.00');
  });

  it('shares one read between concurrent misses', async () => {
    const cache = new SeatMapCache(1_000);
    let release = () => undefined as void;
    const read = jest.fn(() => new Promise<SeatView[]>((resolve) => (release = () => resolve(map(2)))));
    const both = Promise.all([cache.get({ eventId: 'e1', priceVersion: 1 }, read), cache.get({ eventId: 'e1', priceVersion: 1 }, read)]);
    release();
    const [a, b] = await both;
    expect(read).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
  });

  it('forgets a failed read, so the next request reads again', async () => {
    const cache = new SeatMapCache(1_000);
    await expect(cache.get({ eventId: 'e1', priceVersion: 1 }, async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    await new Promise((resolve) => setImmediate(resolve));
    const read = jest.fn(async () => map(1));
    await cache.get({ eventId: 'e1', priceVersion: 1 }, read);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('holds at most its seat budget, dropping the least recently used maps first', async () => {
    const cache = new SeatMapCache(10);
    await cache.get({ eventId: 'a', priceVersion: 1 }, async () => map(4));
    await cache.get({ eventId: 'b', priceVersion: 1 }, async () => map(4));
    await cache.get({ eventId: 'a', priceVersion: 1 }, async () => map(4)); // a is now the most recent
    await cache.get({ eventId: 'c', priceVersion: 1 }, async () => map(4));
    expect(cache.size).toBe(8);
    const readA = jest.fn(async () => map(4));
    const readB = jest.fn(async () => map(4));
    await cache.get({ eventId: 'a', priceVersion: 1 }, readA);
    await cache.get({ eventId: 'b', priceVersion: 1 }, readB);
    expect(readA).not.toHaveBeenCalled();
    expect(readB).toHaveBeenCalledTimes(1);
  });
});
