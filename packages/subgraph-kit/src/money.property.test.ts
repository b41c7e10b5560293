import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { fromMinorUnits, toMinorUnits } from './money';
import { MoneyScalar } from './scalars';

const MAX_MINOR = 99_999_999_999_999; // "999999999999.99": twelve digits before the point
const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).extensions.code;
  }
};
/** Amount-like strings: well-formed ones and the near misses clients send. */
const amountLike = fc.oneof(
  fc.integer({ min: 0, max: MAX_MINOR }).map((n) => fromMinorUnits(n)),
  fc.constantFrom('', '1', '1.5', '1.234', '-1.00', '01.00', '00.00', ' 1.00', '1.00 ', '1e3', '1,00', '١٢.٠٠', '1000000000000.00', 'NaN', '0x10.00', '+1.00'),
  fc.string({ maxLength: 16 }),
  fc.tuple(fc.stringMatching(/^\d{1,14}$/), fc.stringMatching(/^\d{0,3}$/)).map(([a, b]) => `${a}.${b}`),
);

/** Pure properties of money: decimal strings at the edge, integer minor units inside. */
describe('money (properties)', () => {
  it('toMinorUnits and fromMinorUnits are inverse over every amount the API accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MINOR }), (minor) => {
        expect(toMinorUnits(fromMinorUnits(minor))).toBe(minor);
        expect(fromMinorUnits(String(minor))).toBe(fromMinorUnits(BigInt(minor)));
      }),
      { numRuns: 1000 },
    );
  });

  it('the Money scalar accepts exactly canonical two-place amounts, each of which toMinorUnits can convert; anything else is BAD_USER_INPUT', () => {
    fc.assert(
      fc.property(fc.oneof(amountLike, fc.constantFrom<unknown>(25, -1, 1.5, null, true, {}, [])), (value) => {
        const canonical = typeof value === 'string' && /^(0|[1-9]\d{0,11})\.\d{2}$/.test(value);
        expect({ value, code: codeOf(() => MoneyScalar.parseValue(value)) }).toEqual({ value, code: canonical ? undefined : 'BAD_USER_INPUT' });
        if (canonical) {
          expect(codeOf(() => toMinorUnits(value as string))).toBeUndefined();
          expect(fromMinorUnits(toMinorUnits(value as string))).toBe(value);
        }
        if (typeof value === 'string') expect([undefined, 'BAD_USER_INPUT']).toContain(codeOf(() => toMinorUnits(value)));
      }),
      { numRuns: 1000 },
    );
  });
});
