import { LeasedUnits, leaseFor } from './rate-limit-lease';

describe('LeasedUnits', () => {
  it('spends units it holds, never more, and says no once they are gone', () => {
    const units = new LeasedUnits();
    units.add('k', 2, 1_000, 0);
    expect(units.take('k', 1, 10)).toBe(true);
    expect(units.take('k', 2, 10)).toBe(false); // one left: a spend of two needs the store
    expect(units.take('k', 1, 10)).toBe(true);
    expect(units.take('k', 1, 10)).toBe(false);
    expect(units.take('other', 1, 10)).toBe(false);
  });

  it('lets units lapse with their window, and a later grant does not revive them', () => {
    const units = new LeasedUnits();
    units.add('k', 5, 1_000, 0);
    expect(units.take('k', 1, 1_000)).toBe(false);
    units.add('k', 1, 2_000, 1_000);
    expect(units.held('k', 1_000)).toBe(1);
  });

  it('adds grants to units still held and takes back what a refused spend gave up', () => {
    const units = new LeasedUnits();
    units.add('k', 1, 1_000, 0);
    units.add('k', 2, 1_000, 0);
    expect(units.take('k', 3, 0)).toBe(true);
    units.giveBack('k', 1, 0);
    expect(units.held('k', 0)).toBe(1);
  });

  it('keeps at most 50,000 keys: the least recently used go first, the newest stays usable', () => {
    const units = new LeasedUnits();
    units.add('oldest', 1, 1_000_000, 0);
    units.add('used-lately', 1, 1_000_000, 0);
    for (let i = 0; i < 49_998; i++) units.add(`caller-${i}`, 1, 1_000_000, 2_000);
    expect(units.held('used-lately', 2_000)).toBe(1); // 50,000 keys: none dropped yet; this one touched
    units.add('newest', 1, 1_000_000, 2_000);
    expect(units.held('oldest', 2_000)).toBe(0);
    expect(units.held('used-lately', 2_000)).toBe(1);
    expect(units.held('newest', 2_000)).toBe(1);
    expect((units as unknown as { byKey: { size: number } }).byKey.size).toBe(50_000);
  });
});

describe('leaseFor', () => {
  it('takes 2 % of a budget ahead, at most 100 units, and none of a budget under 50 (kept exact per request)', () => {
    expect(leaseFor(600)).toBe(12);
    expect(leaseFor(49)).toBe(0);
    expect(leaseFor(30)).toBe(0);
    expect(leaseFor(1_000_000_000)).toBe(100);
  });

  it('takes the configured share instead; 0 % leases nothing', () => {
    expect(leaseFor(600, 5)).toBe(30);
    expect(leaseFor(30, 10)).toBe(3);
    expect(leaseFor(1_000_000_000, 0)).toBe(0);
  });
});
