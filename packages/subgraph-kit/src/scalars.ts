import { GraphQLScalarType, Kind } from 'graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { badUserInput } from '@eventix/errors';

/** ISO-8601 date-time, named `DateTime` as in the contract. */
export const DateTimeScalar = new GraphQLScalarType({ ...DateTimeISOResolver.toConfig(), name: 'DateTime' });

const MONEY = /^(0|[1-9]\d{0,11})\.\d{2}$/;

/**
 * Money as a decimal string with exactly two places ("49.90"), never a float. Values travel as
 * strings end to end; arithmetic happens in integer minor units (see money.ts of each service).
 */
export const MoneyScalar = new GraphQLScalarType<string, string>({
  name: 'Money',
  description: 'A non-negative amount as a decimal string with two places, e.g. "49.90"',
  serialize: (value) => String(value),
  parseValue: (value) => parseMoney(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badUserInput('price', 'Money must be a string such as "49.90"');
    return parseMoney(ast.value);
  },
});

function parseMoney(value: unknown): string {
  if (typeof value !== 'string' || !MONEY.test(value)) throw badUserInput('price', 'Money must be a non-negative decimal string with two places, e.g. "49.90"');
  return value;
}
