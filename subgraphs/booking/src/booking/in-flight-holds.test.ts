import { InFlightHolds, seenByEarlier, type Observation } from './in-flight-holds';

const EVENT = 'event-1';

/** A request's outcome the test settles by hand. */
function pending() {
  let settle!: (o: Observation) => void;
  let fail!: (e: Error) => void;
  const outcome = new Promise<Observation>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  return { outcome, settle, fail };
}

const seen = (seats: string[], since: number): Observation => ({ seats: new Set(seats), since });
const tick = () => new Promise((r) => setImmediate(r));

describe('InFlightHolds', () => {
  it('finds a request in flight on any seat it asked for, of the same event only', () => {
    const holds = new InFlightHolds();
    holds.track(EVENT, ['a', 'b'], 'u1', undefined).settle(pending().outcome);
    expect(holds.overlapping(EVENT, ['b', 'c'], 'u2', undefined)).toHaveLength(1);
    expect(holds.overlapping(EVENT, ['c'], 'u2', undefined)).toHaveLength(0);
    expect(holds.overlapping('event-2', ['a'], 'u2', undefined)).toHaveLength(0);
  });

  it('lists a request once however many seats it shares', () => {
    const holds = new InFlightHolds();
    holds.track(EVENT, ['a', 'b'], 'u1', undefined).settle(pending().outcome);
    expect(holds.overlapping(EVENT, ['a', 'b'], 'u2', undefined)).toHaveLength(1);
  });

  it("does not make a duplicate of the caller's own keyed request wait (it must replay the booking), but does the same user without the key", () => {
    const holds = new InFlightHolds();
    holds.track(EVENT, ['a'], 'u1', 'key-1').settle(pending().outcome);
    expect(holds.overlapping(EVENT, ['a'], 'u1', 'key-1')).toHaveLength(0);
    expect(holds.overlapping(EVENT, ['a'], 'u1', 'key-2')).toHaveLength(1);
    expect(holds.overlapping(EVENT, ['a'], 'u1', undefined)).toHaveLength(1);
    expect(holds.overlapping(EVENT, ['a'], 'u2', 'key-1')).toHaveLength(1);
  });

  it('forgets a request once it has ended, whether it succeeded or failed', async () => {
    const holds = new InFlightHolds();
    const ok = pending();
    const bad = pending();
    holds.track(EVENT, ['a'], 'u1', undefined).settle(ok.outcome);
    holds.track(EVENT, ['b'], 'u2', undefined).settle(bad.outcome);
    ok.settle(seen(['a'], 1));
    bad.fail(new Error('lost connection'));
    await tick();
    expect(holds.size).toBe(0);
  });

  it('keeps a later request for the same seats when an earlier one ends', async () => {
    const holds = new InFlightHolds();
    const earlier = pending();
    holds.track(EVENT, ['a'], 'u1', undefined).settle(earlier.outcome);
    holds.track(EVENT, ['a'], 'u2', undefined).settle(pending().outcome);
    earlier.settle(seen([], -Infinity));
    await tick();
    expect(holds.overlapping(EVENT, ['a'], 'u3', undefined)).toHaveLength(1);
  });

  it('lets later requests past a request while it has withdrawn (waiting on seats others hold), and stops them again when it rejoins', async () => {
    const holds = new InFlightHolds();
    const waiting = holds.track(EVENT, ['a', 'b'], 'u1', undefined);
    waiting.settle(pending().outcome);
    waiting.withdraw();
    expect(holds.overlapping(EVENT, ['a'], 'u2', undefined)).toHaveLength(0);
    waiting.rejoin();
    expect(holds.overlapping(EVENT, ['a'], 'u2', undefined)).toHaveLength(1);
  });

  it('on rejoining, leaves a seat another request went for meanwhile to that one', () => {
    const holds = new InFlightHolds();
    const waiting = holds.track(EVENT, ['a', 'b'], 'u1', undefined);
    waiting.withdraw();
    const meanwhile = pending();
    holds.track(EVENT, ['a'], 'u2', undefined).settle(meanwhile.outcome);
    waiting.rejoin();
    const [onA] = holds.overlapping(EVENT, ['a'], 'u3', undefined);
    const [onB] = holds.overlapping(EVENT, ['b'], 'u3', undefined);
    expect(onA).not.toBe(onB);
  });

  it('does not rejoin once it has ended', async () => {
    const holds = new InFlightHolds();
    const request = pending();
    const tracked = holds.track(EVENT, ['a'], 'u1', undefined);
    tracked.settle(request.outcome);
    tracked.withdraw();
    request.settle(seen(['a'], 1));
    await tick();
    tracked.rejoin();
    expect(holds.size).toBe(0);
  });

  it('turns a failed request into "saw nothing" for those waiting on it', async () => {
    const holds = new InFlightHolds();
    const failing = pending();
    holds.track(EVENT, ['a'], 'u1', undefined).settle(failing.outcome);
    const waiting = seenByEarlier(holds.overlapping(EVENT, ['a'], 'u2', undefined), ['a'], 0, Date.now() + 1_000);
    failing.fail(new Error('database down'));
    await expect(waiting).resolves.toBe('unknown');
  });
});

describe('seenByEarlier', () => {
  const later = Date.now() + 5_000;

  it('is "taken" when the requests saw every seat taken after the waiter arrived', async () => {
    await expect(seenByEarlier([Promise.resolve(seen(['a', 'b'], 10))], ['a', 'b'], 5, later)).resolves.toBe('taken');
    await expect(seenByEarlier([Promise.resolve(seen(['a'], 10)), Promise.resolve(seen(['b'], 12))], ['a', 'b'], 5, later)).resolves.toBe('taken');
  });

  it('is "unknown" when a look came before the waiter arrived: a seat freed in between must not be refused', async () => {
    await expect(seenByEarlier([Promise.resolve(seen(['a'], 4))], ['a'], 5, later)).resolves.toBe('unknown');
    await expect(seenByEarlier([Promise.resolve(seen(['a'], 10)), Promise.resolve(seen(['b'], 4))], ['a', 'b'], 5, later)).resolves.toBe('unknown');
  });

  it('is "unknown" when only some of the seats were seen taken', async () => {
    await expect(seenByEarlier([Promise.resolve(seen(['a'], 10))], ['a', 'b'], 5, later)).resolves.toBe('unknown');
    await expect(seenByEarlier([Promise.resolve(seen([], 10))], ['a'], 5, later)).resolves.toBe('unknown');
  });

  it('is "timeout" when the requests outlast the deadline', async () => {
    const never = new Promise<Observation>(() => undefined);
    await expect(seenByEarlier([never], ['a'], 0, Date.now() + 20)).resolves.toBe('timeout');
  });
});
