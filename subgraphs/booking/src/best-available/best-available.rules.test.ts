import fc from 'fast-check';
import { chooseBestAvailable, groupRows, loneSeats, strandedBy, strandedSeats, windowsInRow, type MapSeat, type SeatRow } from './best-available.rules';

/** A row from a picture: '.' free, 'X' taken; seat ids `${row}${number}`. */
function row(label: string, picture: string, y = label.charCodeAt(0) - 65, section = 's1', price = 1000): MapSeat[] {
  return [...picture].map((c, i) => ({ seatId: `${label}${i + 1}`, sectionId: section, row: label, number: i + 1, x: i, y, priceMinor: price, free: c === '.' }));
}
const map = (...rows: MapSeat[][]) => groupRows(rows.flat());
const picture = (r: SeatRow) => r.seats.map((s) => (s.free ? '.' : 'X')).join('');

describe('lone seats', () => {
  it('a free seat between taken seats or a row end is lone', () => {
    expect(loneSeats([false, true, false])).toEqual([1]);
    expect(loneSeats([true, false, true, true])).toEqual([0]);
    expect(loneSeats([true, true, false, true])).toEqual([3]);
    expect(loneSeats([true, true])).toEqual([]);
  });
  it('a selection strands only the lone seats it creates', () => {
    expect(strandedBy([true, true, true, true], new Set([1, 2]))).toEqual([0, 3]);
    expect(strandedBy([true, false, true, true], new Set([2, 3]))).toEqual([]); // seat 0 was lone already
    expect(strandedBy([true, true, true, true], new Set([0, 1]))).toEqual([]);
  });
});

describe('best available', () => {
  it('front is the smallest y: the party sits in row A when row A has room', () => {
    const placed = chooseBestAvailable(map(row('B', '......'), row('A', '......')), 2);
    expect(placed).toEqual({ adjacent: true, parts: [{ rowKey: 's1/A', seatIds: ['A1', 'A2'] }] });
  });
  it('prefers a block flush with the edge of its free run, then the centre', () => {
    const [r] = map(row('A', 'XX......XX'));
    expect(windowsInRow(r, 2)[0]).toEqual({ start: 2, quantity: 2 });
    const [r2] = map(row('A', '..........'));
    expect(windowsInRow(r2, 10)).toEqual([{ start: 0, quantity: 10 }]);
  });
  it('never leaves a lone seat: a party of 2 skips a run of 3 in the front row', () => {
    const placed = chooseBestAvailable(map(row('A', 'XX...XX'), row('B', '....')), 2);
    expect(placed?.parts).toEqual([{ rowKey: 's1/B', seatIds: ['B1', 'B2'] }]);
    expect(chooseBestAvailable(map(row('A', 'XX...XX')), 3)?.parts).toEqual([{ rowKey: 's1/A', seatIds: ['A3', 'A4', 'A5'] }]);
  });
  it('answers nothing rather than split, unless allowSplit', () => {
    const rows = map(row('A', 'XXX...'), row('B', '....XX'), row('C', 'XXXXXX'));
    expect(chooseBestAvailable(rows, 5)).toBeUndefined();
    const split = chooseBestAvailable(rows, 5, { allowSplit: true });
    expect(split?.adjacent).toBe(false);
    expect(split?.parts.map((p) => p.seatIds.length).reduce((a, b) => a + b, 0)).toBe(5);
    expect(split?.parts.map((p) => p.rowKey)).toEqual(['s1/A', 's1/B']);
  });
  it('takes the split over the fewest rows', () => {
    const rows = map(row('A', 'XXXX..'), row('B', 'XXXX..'), row('C', 'XX....'), row('D', 'XX....'));
    expect(chooseBestAvailable(rows, 8, { allowSplit: true })?.parts.map((p) => p.rowKey)).toEqual(['s1/C', 's1/D']);
  });
  it('respects a filter (section, price ceiling)', () => {
    const rows = map(row('A', '....', 0, 's1', 5000), row('B', '....', 1, 's1', 1000));
    expect(chooseBestAvailable(rows, 2, { eligible: (s) => s.priceMinor <= 2000 })?.parts[0].rowKey).toBe('s1/B');
  });
  it('property: whatever it picks is free, adjacent, in one row and strands nobody', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5 }), (pictures, q) => {
        const rows = map(...pictures.map((p, i) => row(String.fromCharCode(65 + i), p.map((f) => (f ? '.' : 'X')).join(''))));
        const placed = chooseBestAvailable(rows, q);
        const together = rows.some((r) => windowsInRow(r, q).length > 0);
        expect(placed !== undefined).toBe(together);
        if (!placed) return;
        const r = rows.find((x) => x.key === placed.parts[0].rowKey)!;
        const idx = placed.parts[0].seatIds.map((id) => r.seats.findIndex((s) => s.seatId === id));
        expect(idx.every((i, k) => i === idx[0] + k && r.seats[i].free)).toBe(true);
        expect(strandedBy(r.seats.map((s) => s.free), new Set(idx))).toEqual([]);
      }),
    );
  });
  it('property: parties of 2–4 packed best-available one after another sell out a row set with no lone seat', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 2, max: 14 }), (parties, width) => {
        const seats = [row('A', '.'.repeat(width)), row('B', '.'.repeat(width)), row('C', '.'.repeat(width))].flat();
        const book = (q: number) => {
          const placed = chooseBestAvailable(groupRows(seats), q);
          for (const id of placed?.parts.flatMap((p) => p.seatIds) ?? []) seats.find((s) => s.seatId === id)!.free = false;
          return placed;
        };
        for (const q of parties) book(q);
        // Then sweep with 2s and 3s: any run of two or more seats can be filled by them.
        while (book(2) || book(3));
        for (const r of groupRows(seats)) expect(picture(r)).toBe('X'.repeat(width));
      }),
    );
  });
});

describe('the lone-seat rule for a chosen selection', () => {
  it('refuses a selection that strands a seat between taken seats, naming it', () => {
    expect(strandedSeats(map(row('A', 'X.....')), new Set(['A3', 'A4']))).toEqual(['A2']);
  });
  it('refuses one that strands a seat at the row end', () => {
    expect(strandedSeats(map(row('A', '......')), new Set(['A2', 'A3']))).toEqual(['A1']);
  });
  it('allows it when the row leaves no other choice', () => {
    // Three free seats, a party of two: any pair strands the third.
    expect(strandedSeats(map(row('A', 'XX...X')), new Set(['A3', 'A4']))).toEqual([]);
  });
  it('allows a selection that strands nobody, and ignores seats lone before', () => {
    expect(strandedSeats(map(row('A', '......')), new Set(['A1', 'A2']))).toEqual([]);
    expect(strandedSeats(map(row('A', '.X....')), new Set(['A3', 'A4']))).toEqual([]);
  });
});
