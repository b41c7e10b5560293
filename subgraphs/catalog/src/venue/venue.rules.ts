import { randomUUID } from 'node:crypto';
import { badUserInput } from '@eventix/errors';
import { MAX_SEATS_PER_VENUE, storableText, toMinorUnits } from '@eventix/subgraph-kit';

/** Limits that keep one venue drawable and one createVenue call bounded. */
// maxSeats is the platform's MAX_SEATS_PER_VENUE: subgraphs size their request body limit for a whole map of it.
export const LAYOUT_LIMITS = { maxRows: 200, maxSeatsPerRow: 500, maxSections: 100, maxSeats: MAX_SEATS_PER_VENUE, maxNameLength: 200 } as const;

export interface SectionPlan {
  name: string;
  rows: number;
  seatsPerRow: number;
  price: string;
}

export interface PlannedSeat {
  id: string;
  sectionIndex: number;
  row: string;
  number: number;
  x: number;
  y: number;
  ordinal: number;
  priceMinor: number;
}

/** Spacing of the seat map: one unit per seat, a gap of two rows between sections. */
const SECTION_GAP = 2;

/** Row labels as on tickets: A..Z, then AA, AB, ... */
export function rowLabel(index: number): string {
  let label = '';
  let n = index;
  do {
    label = String.fromCharCode(65 + (n % 26)) + label;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return label;
}

export function requireName(field: string, value: string): string {
  const trimmed = storableText(field, value).trim();
  if (!trimmed) throw badUserInput(field, 'must not be empty');
  if (trimmed.length > LAYOUT_LIMITS.maxNameLength) throw badUserInput(field, `must be at most ${LAYOUT_LIMITS.maxNameLength} characters`);
  return trimmed;
}

/** Validates sections, naming the first offending field (e.g. `sections[1].rows`). */
export function validateSections(sections: readonly SectionPlan[]): void {
  if (!sections.length) throw badUserInput('sections', 'a venue needs at least one section');
  if (sections.length > LAYOUT_LIMITS.maxSections) throw badUserInput('sections', `at most ${LAYOUT_LIMITS.maxSections} sections`);
  let total = 0;
  // A seat is named on its ticket and at the door by section, row and number: two sections of
  // one venue called alike would give two seats one name.
  const namesSeen = new Map<string, number>();
  sections.forEach((section, i) => {
    const at = `sections[${i}]`;
    const name = requireName(`${at}.name`, section.name);
    const sameName = namesSeen.get(name.toLowerCase());
    if (sameName !== undefined) throw badUserInput(`${at}.name`, `sections[${sameName}] is already called "${name}"; section names must differ`);
    namesSeen.set(name.toLowerCase(), i);
    if (!Number.isInteger(section.rows) || section.rows <= 0 || section.rows > LAYOUT_LIMITS.maxRows) {
      throw badUserInput(`${at}.rows`, `must be between 1 and ${LAYOUT_LIMITS.maxRows}`);
    }
    if (!Number.isInteger(section.seatsPerRow) || section.seatsPerRow <= 0 || section.seatsPerRow > LAYOUT_LIMITS.maxSeatsPerRow) {
      throw badUserInput(`${at}.seatsPerRow`, `must be between 1 and ${LAYOUT_LIMITS.maxSeatsPerRow}`);
    }
    toMinorUnits(section.price, `${at}.price`);
    total += section.rows * section.seatsPerRow;
  });
  if (total > LAYOUT_LIMITS.maxSeats) throw badUserInput('sections', `a venue has at most ${LAYOUT_LIMITS.maxSeats} seats`);
}

/**
 * Generates every seat of a layout: sections stacked top to bottom, rows labelled A.., seats
 * numbered from 1, with x/y so a client can draw the map from the seat list alone.
 */
export function planSeats(sections: readonly SectionPlan[]): PlannedSeat[] {
  const seats: PlannedSeat[] = [];
  let y = 0;
  let ordinal = 0;
  sections.forEach((section, sectionIndex) => {
    const priceMinor = toMinorUnits(section.price, `sections[${sectionIndex}].price`);
    for (let r = 0; r < section.rows; r++) {
      for (let n = 1; n <= section.seatsPerRow; n++) {
        seats.push({ id: randomUUID(), sectionIndex, row: rowLabel(r), number: n, x: n - 1, y, ordinal: ordinal++, priceMinor });
      }
      y += 1;
    }
    y += SECTION_GAP;
  });
  return seats;
}
