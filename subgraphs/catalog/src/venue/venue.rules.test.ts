import { planSeats, rowLabel, validateSections } from './venue.rules';

describe('venue layout rules', () => {
  it('labels rows like tickets do', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(rowLabel)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('plans every seat with a position, a label and the section price', () => {
    const seats = planSeats([
      { name: 'Stalls', rows: 2, seatsPerRow: 3, price: '49.90' },
      { name: 'Balcony', rows: 1, seatsPerRow: 2, price: '19.00' },
    ]);
    expect(seats).toHaveLength(8);
    expect(seats.map((s) => `${s.row}${s.number}@${s.x},${s.y}`)).toEqual(['A1@0,0', 'A2@1,0', 'A3@2,0', 'B1@0,1', 'B2@1,1', 'B3@2,1', 'A1@0,4', 'A2@1,4']);
    expect(seats[0].priceMinor).toBe(4990);
    expect(seats[7].priceMinor).toBe(1900);
    expect(new Set(seats.map((s) => s.id)).size).toBe(8);
    expect(seats.map((s) => s.ordinal)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it.each([
    [[], 'sections'],
    [[{ name: ' ', rows: 1, seatsPerRow: 1, price: '1.00' }], 'sections[0].name'],
    [[{ name: 'A', rows: 0, seatsPerRow: 1, price: '1.00' }], 'sections[0].rows'],
    [[{ name: 'A', rows: 1, seatsPerRow: -4, price: '1.00' }], 'sections[0].seatsPerRow'],
    [[{ name: 'A', rows: 1, seatsPerRow: 1_000_000, price: '1.00' }], 'sections[0].seatsPerRow'],
    [[{ name: 'A', rows: 1, seatsPerRow: 1, price: '-1.00' }], 'sections[0].price'],
    [[{ name: 'Stalls', rows: 1, seatsPerRow: 1, price: '1.00' }, { name: 'Balcony', rows: 1, seatsPerRow: 1, price: '1.00' }, { name: ' stalls ', rows: 1, seatsPerRow: 1, price: '1.00' }], 'sections[2].name'],
  ])('refuses bad sections %#, naming %s', (sections, field) => {
    expect(() => validateSections(sections)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) }));
  });
});
