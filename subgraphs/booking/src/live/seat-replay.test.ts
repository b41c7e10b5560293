import { coversVersions } from './seat-replay';

const change = (v: number) => ({ eventId: 'e', seatMapVersion: v, seats: [] });

describe('coversVersions (can the change log resume a live map?)', () => {
  it('yes when every version after the client’s up to now is logged', () => {
    expect(coversVersions([change(4), change(5), change(6)], 3, 6)).toBe(true);
    expect(coversVersions([], 6, 6)).toBe(true);
  });
  it('no when the oldest wanted version was pruned', () => {
    expect(coversVersions([change(5), change(6)], 3, 6)).toBe(false);
  });
  it('no when a version in the middle is missing', () => {
    expect(coversVersions([change(4), change(6)], 3, 6)).toBe(false);
  });
  it('no for a version ahead of the event', () => {
    expect(coversVersions([], 9, 6)).toBe(false);
  });
  it('ignores logged versions past the bound', () => {
    expect(coversVersions([change(4), change(5), change(6)], 3, 5)).toBe(true);
  });
});
