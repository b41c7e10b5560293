import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLScalarType, Kind, type GraphQLSchema } from 'graphql';
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

/** The contract's custom scalars by name. */
export const CONTRACT_SCALARS: Readonly<Record<string, GraphQLScalarType>> = { Money: MoneyScalar, DateTime: DateTimeScalar };

/**
 * A copy of `schema` whose custom scalars parse as the subgraphs parse them. A supergraph's API
 * schema knows only their names (any value passes), so the gateway checks inputs against this
 * copy to refuse a bad Money or DateTime itself rather than forwarding it.
 */
export function withContractScalars(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.SCALAR_TYPE]: (type) => {
      const scalar = CONTRACT_SCALARS[type.name];
      if (!scalar) return type;
      // graphql-js reports a GraphQLError thrown by parseLiteral as is, without the value's
      // node; a plain Error gets the node (and the error as originalError) attached.
      return new GraphQLScalarType({
        ...scalar.toConfig(),
        parseLiteral: (ast, variables) => {
          try {
            return scalar.parseLiteral(ast, variables);
          } catch (error) {
            throw new Error((error as Error).message, { cause: error });
          }
        },
      });
    },
  });
}
