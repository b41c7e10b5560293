import { money } from '../format';

export type Availability = 'AVAILABLE' | 'HELD' | 'SOLD' | 'NOT_ON_SALE' | 'UNKNOWN';
export const AVAILABILITIES: Availability[] = ['AVAILABLE', 'HELD', 'SOLD', 'NOT_ON_SALE', 'UNKNOWN'];
const CODE: Record<string, number> = { AVAILABLE: 0, HELD: 1, SOLD: 2, NOT_ON_SALE: 3, UNKNOWN: 4 };

export interface SeatInput {
  id: string;
  row: string;
  number: number;
  x: number;
  y: number;
  price: string;
  availability?: string | null;
  section: { id: string; name: string };
}

export interface SectionBox {
  id: string;
  name: string;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * The seats of one map in flat arrays (20,000 seats are 20,000 indices, not 20,000 objects in
 * React state): positions, states, and the row lines that keyboard navigation walks.
 */
export class SeatMapModel {
  readonly n: number;
  readonly ids: string[];
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly row: string[];
  readonly number: Int32Array;
  readonly price: string[];
  readonly section: Int32Array;
  readonly state: Uint8Array;
  readonly sections: SectionBox[] = [];
  /** Seat indices per row line, lines ordered top to bottom (then left to right), seats by x. */
  readonly lines: number[][] = [];
  readonly lineOf: Int32Array;
  readonly posInLine: Int32Array;
  readonly bounds = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  private readonly index = new Map<string, number>();
  private readonly grid = new Map<number, number[]>();

  constructor(
    seats: readonly SeatInput[],
    readonly currency: string,
  ) {
    const n = (this.n = seats.length);
    this.ids = new Array(n);
    this.x = new Float32Array(n);
    this.y = new Float32Array(n);
    this.row = new Array(n);
    this.number = new Int32Array(n);
    this.price = new Array(n);
    this.section = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.lineOf = new Int32Array(n);
    this.posInLine = new Int32Array(n);
    const sectionIndex = new Map<string, number>();
    const lineKeys = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const s = seats[i];
      this.ids[i] = s.id;
      this.index.set(s.id, i);
      this.x[i] = s.x;
      this.y[i] = s.y;
      this.row[i] = s.row;
      this.number[i] = s.number;
      this.price[i] = s.price;
      this.state[i] = CODE[s.availability ?? 'UNKNOWN'] ?? 4;
      let si = sectionIndex.get(s.section.id);
      if (si === undefined) {
        si = this.sections.length;
        sectionIndex.set(s.section.id, si);
        this.sections.push({ id: s.section.id, name: s.section.name, minX: s.x, minY: s.y, maxX: s.x, maxY: s.y });
      }
      const box = this.sections[si];
      box.minX = Math.min(box.minX, s.x);
      box.minY = Math.min(box.minY, s.y);
      box.maxX = Math.max(box.maxX, s.x);
      box.maxY = Math.max(box.maxY, s.y);
      this.section[i] = si;
      const key = `${si}\u0000${s.row}\u0000${s.y}`;
      const line = lineKeys.get(key);
      if (line) line.push(i);
      else lineKeys.set(key, [i]);
      const cell = this.cellKey(Math.round(s.x), Math.round(s.y));
      const bucket = this.grid.get(cell);
      if (bucket) bucket.push(i);
      else this.grid.set(cell, [i]);
    }
    for (const box of this.sections) {
      this.bounds.minX = Math.min(this.bounds.minX, box.minX);
      this.bounds.minY = Math.min(this.bounds.minY, box.minY);
      this.bounds.maxX = Math.max(this.bounds.maxX, box.maxX);
      this.bounds.maxY = Math.max(this.bounds.maxY, box.maxY);
    }
    if (!n) Object.assign(this.bounds, { minX: 0, minY: 0, maxX: 1, maxY: 1 });
    const lines = [...lineKeys.values()];
    for (const line of lines) line.sort((a, b) => this.x[a] - this.x[b]);
    lines.sort((a, b) => this.y[a[0]] - this.y[b[0]] || this.x[a[0]] - this.x[b[0]]);
    lines.forEach((line, li) => {
      this.lines.push(line);
      line.forEach((seat, p) => {
        this.lineOf[seat] = li;
        this.posInLine[seat] = p;
      });
    });
  }

  private cellKey(cx: number, cy: number): number {
    return (cy + 100_000) * 1_000_000 + (cx + 100_000);
  }

  indexOf(id: string): number | undefined {
    return this.index.get(id);
  }

  availability(i: number): Availability {
    return AVAILABILITIES[this.state[i]];
  }

  /** Seats changed since the last paint (the map repaints just those when it can). */
  private dirty: number[] = [];

  /** Sets a seat's state; true when it changed. */
  setAvailability(i: number, availability: string): boolean {
    const code = CODE[availability] ?? 4;
    if (this.state[i] === code) return false;
    this.state[i] = code;
    if (this.dirty.length <= 1000) this.dirty.push(i);
    return true;
  }

  /** The seats changed since the last call (undefined: too many, paint everything). */
  takeDirty(): number[] | undefined {
    const dirty = this.dirty;
    this.dirty = [];
    return dirty.length > 1000 ? undefined : dirty;
  }

  /** Whether a seat sits in the first row line of its section (its label is just above it). */
  firstLineOfSection(i: number): boolean {
    const li = this.lineOf[i];
    return li === 0 || this.section[this.lines[li - 1][0]] !== this.section[i];
  }

  /** The seat whose centre is within half a unit of a map point. */
  seatAt(mx: number, my: number): number | undefined {
    let best: number | undefined;
    let bestD = 0.5 * 0.5;
    const cx = Math.round(mx);
    const cy = Math.round(my);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const i of this.grid.get(this.cellKey(cx + dx, cy + dy)) ?? []) {
          const d = (this.x[i] - mx) ** 2 + (this.y[i] - my) ** 2;
          if (d <= bestD) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }

  /** "Section Floor, row C, seat 12, €89.00, available" */
  label(i: number, extra?: { selected?: boolean; mine?: boolean }): string {
    const state = extra?.mine ? 'held by you' : extra?.selected ? 'selected' : STATE_WORDS[this.availability(i)];
    return `Section ${this.sections[this.section[i]].name}, row ${this.row[i]}, seat ${this.number[i]}, ${money(this.price[i], this.currency)}, ${state}`;
  }

  /** Keyboard navigation: the neighbouring seat in a direction (or the same seat at an edge). */
  move(i: number, key: string): number {
    const li = this.lineOf[i];
    const line = this.lines[li];
    const p = this.posInLine[i];
    switch (key) {
      case 'ArrowLeft':
        return line[Math.max(0, p - 1)];
      case 'ArrowRight':
        return line[Math.min(line.length - 1, p + 1)];
      case 'Home':
        return line[0];
      case 'End':
        return line[line.length - 1];
      case 'ArrowUp':
        return li > 0 ? this.nearestIn(this.lines[li - 1], this.x[i]) : i;
      case 'ArrowDown':
        return li < this.lines.length - 1 ? this.nearestIn(this.lines[li + 1], this.x[i]) : i;
      case 'PageUp':
      case 'PageDown': {
        const section = this.section[i];
        const step = key === 'PageUp' ? -1 : 1;
        for (let l = li + step; l >= 0 && l < this.lines.length; l += step) {
          if (this.section[this.lines[l][0]] !== section) {
            // The first row of the neighbouring section
            const target = this.section[this.lines[l][0]];
            let first = l;
            while (first - 1 >= 0 && this.section[this.lines[first - 1][0]] === target) first--;
            return this.nearestIn(this.lines[first], this.x[i]);
          }
        }
        return i;
      }
      default:
        return i;
    }
  }

  private nearestIn(line: number[], x: number): number {
    let best = line[0];
    for (const s of line) if (Math.abs(this.x[s] - x) < Math.abs(this.x[best] - x)) best = s;
    return best;
  }
}

export const STATE_WORDS: Record<Availability, string> = {
  AVAILABLE: 'available',
  HELD: 'held by someone else',
  SOLD: 'sold',
  NOT_ON_SALE: 'not on sale',
  UNKNOWN: 'availability unknown',
};

/** A layout like catalog's: sections stacked, a two-row gap between them (for fixtures and benches). */
export function fixtureSeats(sections: Array<{ name: string; rows: number; seatsPerRow: number; price: string }>): SeatInput[] {
  const seats: SeatInput[] = [];
  let y = 0;
  sections.forEach((section, si) => {
    for (let r = 0; r < section.rows; r++) {
      const row = rowLabel(r);
      for (let n = 1; n <= section.seatsPerRow; n++) {
        seats.push({ id: `s${si}-${r}-${n}`, row, number: n, x: n - 1, y, price: section.price, availability: 'AVAILABLE', section: { id: `sec${si}`, name: section.name } });
      }
      y++;
    }
    y += 2;
  });
  return seats;
}

export function rowLabel(index: number): string {
  let label = '';
  let n = index;
  do {
    label = String.fromCharCode(65 + (n % 26)) + label;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return label;
}
