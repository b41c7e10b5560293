import { Connection } from '../src/apollo';
import { fixtureSeats, SeatMapModel } from '../src/seatmap/model';
import { watchSeats, type SeatChange, type Snapshot } from '../src/seatmap/live';

/** The seat map's logic without a browser: names, keyboard moves, hit testing, live versions. */
describe('SeatMapModel', () => {
  const model = new SeatMapModel(
    fixtureSeats([
      { name: 'Floor', rows: 3, seatsPerRow: 12, price: '89.00' },
      { name: 'Balcony', rows: 2, seatsPerRow: 5, price: '39.50' },
    ]),
    'EUR',
  );
  const at = (section: number, row: number, n: number) => model.indexOf(`s${section}-${row}-${n}`)!;

  it('names a seat as a screen reader should read it', () => {
    expect(model.label(at(0, 2, 12))).toBe('Section Floor, row C, seat 12, €89.00, available');
    model.setAvailability(at(1, 0, 1), 'HELD');
    expect(model.label(at(1, 0, 1))).toBe('Section Balcony, row A, seat 1, €39.50, held by someone else');
    expect(model.label(at(1, 0, 2), { selected: true })).toBe('Section Balcony, row A, seat 2, €39.50, selected');
  });

  it('moves along rows, between rows to the nearest seat, and between sections', () => {
    expect(model.move(at(0, 0, 1), 'ArrowRight')).toBe(at(0, 0, 2));
    expect(model.move(at(0, 0, 1), 'ArrowLeft')).toBe(at(0, 0, 1));
    expect(model.move(at(0, 0, 5), 'End')).toBe(at(0, 0, 12));
    expect(model.move(at(0, 2, 12), 'ArrowDown')).toBe(at(1, 0, 5)); // the balcony's row is shorter
    expect(model.move(at(0, 1, 3), 'PageDown')).toBe(at(1, 0, 3));
    expect(model.move(at(1, 1, 3), 'PageUp')).toBe(at(0, 0, 3));
    expect(model.move(at(1, 1, 3), 'ArrowDown')).toBe(at(1, 1, 3));
  });

  it('finds the seat under a point and records changed seats for a partial repaint', () => {
    const i = at(0, 1, 4);
    expect(model.seatAt(model.x[i] + 0.3, model.y[i] - 0.2)).toBe(i);
    expect(model.seatAt(model.x[i] + 0.5, model.y[i] + 0.5)).toBeUndefined();
    model.takeDirty();
    expect(model.setAvailability(i, 'SOLD')).toBe(true);
    expect(model.setAvailability(i, 'SOLD')).toBe(false);
    expect(model.takeDirty()).toEqual([i]);
  });
});

describe('watchSeats (live versions)', () => {
  type Sink = { next(r: { data: unknown }): void; error(e: unknown): void };
  const setup = () => {
    let sink: Sink | undefined;
    const client = { subscribe: () => ({ subscribe: (s: Sink) => ((sink = s), { unsubscribe: () => undefined }) }) };
    const connection = new Connection();
    const loads: Array<(s: Snapshot<string>) => void> = [];
    const snapshots: Array<[number | null, string]> = [];
    const applied: Array<[number, SeatChange[]]> = [];
    const stop = watchSeats<string>(client as never, connection, 'e1', () => new Promise((resolve) => loads.push(resolve)), {
      snapshot: (s, reason) => snapshots.push([s.version, reason]),
      changes: (c, v) => applied.push([v, c]),
    });
    const push = (version: number, id = 'a', availability = 'HELD') => sink!.next({ data: { seatAvailabilityChanged: { eventId: 'e1', seatMapVersion: version, seats: [{ availability, seat: { id } }] } } });
    const settle = () => new Promise((r) => setTimeout(r, 0));
    return { connection, loads, snapshots, applied, push, settle, stop };
  };

  it('buffers changes until the snapshot, drops what it already has, applies the next ones in order', async () => {
    const t = setup();
    t.push(5);
    t.push(6, 'b');
    t.loads[0]({ version: 5, data: 'map' });
    await t.settle();
    expect(t.snapshots).toEqual([[5, 'initial']]);
    expect(t.applied.map(([v]) => v)).toEqual([6]);
    t.push(6);
    t.push(7, 'c');
    expect(t.applied.map(([v]) => v)).toEqual([6, 7]);
    t.stop();
  });

  it('refetches on a version gap and after a reconnect', async () => {
    const t = setup();
    t.loads[0]({ version: 1, data: 'map' });
    await t.settle();
    t.push(3); // 2 was missed
    expect(t.loads).toHaveLength(2);
    t.loads[1]({ version: 3, data: 'map' });
    await t.settle();
    expect(t.snapshots.map(([, reason]) => reason)).toEqual(['initial', 'gap']);
    expect(t.applied).toEqual([]); // version 3 is in the refetched map
    t.connection.set('connected');
    t.connection.set('reconnecting');
    t.connection.set('connected');
    expect(t.loads).toHaveLength(3);
    t.loads[2]({ version: 9, data: 'map' });
    await t.settle();
    expect(t.snapshots.at(-1)).toEqual([9, 'reconnect']);
    t.stop();
  });
});
