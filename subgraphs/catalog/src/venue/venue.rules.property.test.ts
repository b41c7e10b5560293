import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { toMinorUnits } from '@eventix/subgraph-kit';
import { LAYOUT_LIMITS, planSeats, rowLabel, validateSections, type SectionPlan } from './venue.rules';

const count = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 6 }) }, fc.constantFrom(0, -1, 1.5, 200, 201, 500, 501, Number.NaN, 2 ** 31));
const section: fc.Arbitrary<SectionPlan> = fc.record({
  name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('A', 'Floor', ' Balcony ') }, fc.constantFrom('', '   ', 'x'.repeat(201)), fc.string({ maxLength: 10 })),
  rows: count,
  seatsPerRow: count,
  price: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('0.00', '25.00', '999999999999.99') }, fc.constantFrom('-1.00', '1.5', '', 'abc')),
});

/** Pure properties of venue layouts: what createVenue validates and the seats it generates. */
describe('venue rules (properties)', () => {
  it('validateSections accepts a layout or throws BAD_USER_INPUT naming the field; an accepted layout plans exactly its seats, each once', () => {
    fc.assert(
      fc.property(fc.array(section, { maxLength: 4 }), (sections) => {
        try {
          validateSections(sections);
        } catch (error) {
          expect(error).toBeInstanceOf(GraphQLError);
          const { code, field } = (error as GraphQLError).extensions;
          expect({ code, sectionsField: String(field).startsWith('sections') }).toEqual({ code: 'BAD_USER_INPUT', sectionsField: true });
          return;
        }
        const expected = sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);
        expect(sections.length).toBeGreaterThan(0);
        expect(expected).toBeLessThanOrEqual(LAYOUT_LIMITS.maxSeats);
        if (expected > 5_000) return; // a planned 100,000-seat layout is the bench's job, not this property's
        const seats = planSeats(sections);
        expect(seats).toHaveLength(expected);
        expect(new Set(seats.map((s) => `${s.sectionIndex}/${s.row}/${s.number}`)).size).toBe(expected);
        // ...and each seat's printed name (section, row, number) is its own.
        expect(new Set(seats.map((s) => `${sections[s.sectionIndex].name.trim().toLowerCase()}/${s.row}/${s.number}`)).size).toBe(expected);
        expect(new Set(seats.map((s) => s.id)).size).toBe(expected);
        expect(seats.map((s) => s.ordinal)).toEqual(seats.map((_, i) => i));
        expect(seats.every((s) => s.priceMinor === toMinorUnits(sections[s.sectionIndex].price))).toBe(true);
        // Sections are drawn top to bottom and never overlap on the map.
        expect(new Set(seats.map((s) => `${s.x}/${s.y}`)).size).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('row labels are distinct and alphabetical for every row a section may have', () => {
    const labels = Array.from({ length: LAYOUT_LIMITS.maxRows }, (_, i) => rowLabel(i));
    expect(new Set(labels).size).toBe(labels.length);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LAYOUT_LIMITS.maxRows - 2 }), (i) => {
        const [a, b] = [rowLabel(i), rowLabel(i + 1)];
        expect(a).toMatch(/^[A-Z]+$/);
        expect(a.length < b.length || (a.length === b.length && a < b)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
