/**
 * Seat selection rules (issue #15), pure: best available and the lone-seat rule. The service
 * reads the rows and their holds under lock and asks these functions what to do; nothing here
 * touches a database or a clock, so every rule is unit-tested on plain arrays.
 *
 * Geometry. A *row* is every seat of one section sharing a row label, ordered by x (seats
 * next to each other in that order are adjacent). The *front* is the stage side of the map:
 * the smallest y (catalog draws row A of the first section at y = 0 and each further row
 * below it), ties broken by section id and row label. Rows are tried front first.
 *
 * A *lone seat* is a free seat whose neighbours on both sides are taken or the row's end — a
 * free run of exactly one seat. A selection *strands* the lone seats it creates (a seat that
 * was already lone before is not its doing).
 */

export interface MapSeat {
  seatId: string;
  sectionId: string;
  row: string;
  number: number;
  x: number;
  y: number;
  priceMinor: number;
  /** Not held (live hold) or sold. */
  free: boolean;
}

export interface SeatRow {
  /** `${sectionId}/${row}` */
  key: string;
  sectionId: string;
  row: string;
  /** The row's distance from the stage: its smallest y. */
  front: number;
  /** In x order: neighbours in this list are adjacent seats. */
  seats: MapSeat[];
}

export const rowKey = (seat: Pick<MapSeat, 'sectionId' | 'row'>) => `${seat.sectionId}/${seat.row}`;

/** Groups seats into rows, front first; seats of a row in x order (then number). */
export function groupRows(seats: readonly MapSeat[]): SeatRow[] {
  const rows = new Map<string, SeatRow>();
  for (const seat of seats) {
    const key = rowKey(seat);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { key, sectionId: seat.sectionId, row: seat.row, front: seat.y, seats: [] }));
    row.seats.push(seat);
    row.front = Math.min(row.front, seat.y);
  }
  for (const row of rows.values()) row.seats.sort((a, b) => a.x - b.x || a.number - b.number || a.seatId.localeCompare(b.seatId));
  return [...rows.values()].sort(frontFirst);
}

export function frontFirst(a: SeatRow, b: SeatRow): number {
  return a.front - b.front || a.sectionId.localeCompare(b.sectionId) || a.row.localeCompare(b.row, undefined, { numeric: true });
}

/** Indices of the lone seats of a row given its free flags. */
export function loneSeats(free: readonly boolean[]): number[] {
  const lone: number[] = [];
  for (let i = 0; i < free.length; i++) {
    if (free[i] && !free[i - 1] && !free[i + 1]) lone.push(i);
  }
  return lone;
}

/** Indices that taking `take` (indices of free seats) would leave lone and that were not lone before. */
export function strandedBy(free: readonly boolean[], take: ReadonlySet<number>): number[] {
  const before = new Set(loneSeats(free));
  const after = free.map((f, i) => f && !take.has(i));
  return loneSeats(after).filter((i) => !before.has(i));
}

/** A block of `quantity` adjacent seats of a row: its first index. */
export interface Window {
  start: number;
  quantity: number;
}

const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);

/**
 * Every block of `quantity` adjacent free seats of the row that `eligible` accepts and that
 * strands no seat, best first: a block flush with the edge of its free run first (it keeps
 * the rest of the run in one piece, which is what lets a section sell out), then the block
 * nearest the row's centre.
 */
export function windowsInRow(row: SeatRow, quantity: number, eligible: (seat: MapSeat) => boolean = () => true): Window[] {
  const free = row.seats.map((s) => s.free);
  const found: Array<Window & { flush: boolean; centre: number }> = [];
  const mid = (row.seats.length - 1) / 2;
  for (let start = 0; start + quantity <= row.seats.length; start++) {
    const idx = range(start, quantity);
    if (!idx.every((i) => free[i] && eligible(row.seats[i]))) continue;
    if (strandedBy(free, new Set(idx)).length) continue;
    const flush = !free[start - 1] || !free[start + quantity];
    found.push({ start, quantity, flush, centre: Math.abs(start + (quantity - 1) / 2 - mid) });
  }
  found.sort((a, b) => Number(b.flush) - Number(a.flush) || a.centre - b.centre || a.start - b.start);
  return found.map(({ start, quantity: q }) => ({ start, quantity: q }));
}

export interface Placement {
  /** The seats chosen per row, front row first. */
  parts: Array<{ rowKey: string; seatIds: string[] }>;
  /** True when the whole party sits together in one row. */
  adjacent: boolean;
}

export interface BestAvailableOptions {
  allowSplit?: boolean;
  eligible?: (seat: MapSeat) => boolean;
}

/** The best block of the party in one row, front row first; undefined if no row can take it. */
export function bestTogether(rows: readonly SeatRow[], quantity: number, eligible: (seat: MapSeat) => boolean = () => true): Placement | undefined {
  for (const row of [...rows].sort(frontFirst)) {
    const [best] = windowsInRow(row, quantity, eligible);
    if (best) return { parts: [{ rowKey: row.key, seatIds: row.seats.slice(best.start, best.start + best.quantity).map((s) => s.seatId) }], adjacent: true };
  }
  return undefined;
}

/**
 * The closest split when no row can take the party together: the party spread over the
 * fewest consecutive rows of one section (front first), each row's part a block of adjacent
 * seats that strands no seat. Undefined if impossible.
 */
export function bestSplit(rows: readonly SeatRow[], quantity: number, eligible: (seat: MapSeat) => boolean = () => true): Placement | undefined {
  const sorted = [...rows].sort(frontFirst);
  // Fewest parts covering `left` seats from row r on, every part in the next row (memoised).
  const memo = new Map<string, Placement['parts'] | null>();
  const solve = (r: number, left: number, sectionId: string): Placement['parts'] | null => {
    if (left === 0) return [];
    if (r >= sorted.length || sorted[r].sectionId !== sectionId) return null;
    const key = `${r}/${left}`;
    if (memo.has(key)) return memo.get(key)!;
    const row = sorted[r];
    let best: Placement['parts'] | null = null;
    for (let size = Math.min(left, row.seats.length); size >= 1; size--) {
      const [w] = windowsInRow(row, size, eligible);
      if (!w) continue;
      const rest = solve(r + 1, left - size, sectionId);
      if (rest && (!best || rest.length + 1 < best.length)) {
        best = [{ rowKey: row.key, seatIds: row.seats.slice(w.start, w.start + size).map((s) => s.seatId) }, ...rest];
      }
    }
    memo.set(key, best);
    return best;
  };
  let best: Placement | undefined;
  for (let first = 0; first < sorted.length; first++) {
    const parts = solve(first, quantity, sorted[first].sectionId);
    if (parts && (!best || parts.length < best.parts.length)) best = { parts, adjacent: false };
  }
  return best;
}

/** Best available: together if any row can; otherwise, only with allowSplit, the closest split. */
export function chooseBestAvailable(rows: readonly SeatRow[], quantity: number, options: BestAvailableOptions = {}): Placement | undefined {
  const together = bestTogether(rows, quantity, options.eligible);
  if (together) return together;
  return options.allowSplit && quantity > 1 ? bestSplit(rows, quantity, options.eligible) : undefined;
}

/**
 * The lone-seat rule for a chosen selection (createBooking under PREVENT): the seats it would
 * strand, row by row — except in a row where no block of as many adjacent free seats would
 * strand none (then the row leaves no other choice and the selection stands). Seats of the
 * selection must be free in `rows`. Empty: the selection is allowed.
 */
export function strandedSeats(rows: readonly SeatRow[], selected: ReadonlySet<string>): string[] {
  const stranded: string[] = [];
  for (const row of rows) {
    const take = new Set(row.seats.flatMap((s, i) => (selected.has(s.seatId) ? [i] : [])));
    if (!take.size) continue;
    const lone = strandedBy(row.seats.map((s) => s.free), take);
    if (!lone.length) continue;
    if (!windowsInRow(row, take.size).length) continue;
    stranded.push(...lone.map((i) => row.seats[i].seatId));
  }
  return stranded.sort();
}
