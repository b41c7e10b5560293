import { fromMinorUnits, toMinorUnits } from './money';

describe('money', () => {
  it('converts decimal strings to minor units without floating point', () => {
    expect(toMinorUnits('49.90')).toBe(4990);
    expect(toMinorUnits('0.10') + toMinorUnits('0.20')).toBe(30);
    expect(fromMinorUnits(toMinorUnits('0.10') + toMinorUnits('0.20'))).toBe('0.30');
  });

  it('formats minor units with two places', () => {
    expect(fromMinorUnits(5)).toBe('0.05');
    expect(fromMinorUnits('123456')).toBe('1234.56');
    expect(fromMinorUnits(-250)).toBe('-2.50');
  });

  it('refuses malformed amounts with the field named', () => {
    expect(() => toMinorUnits('49.9', 'price')).toThrow(/price: must be a decimal string/);
    expect(() => toMinorUnits('-1.00', 'price')).toThrow(/price/);
    expect(() => toMinorUnits('1e3', 'price')).toThrow(/price/);
  });
});
