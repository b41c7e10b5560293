import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, extendSchema, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { SEAT_MAP_FIELDS, seatMapEventId } from './map-operation';

/** The public API schema clients are validated against (what requestContext.schema is). */
const apiSchema: GraphQLSchema = Supergraph.build(fs.readFileSync(path.resolve(__dirname, '../../../schema/supergraph.graphql'), 'utf8')).apiSchema().toGraphQLJSSchema();

const EVENT = '6f1c2a7e-9a51-4c1e-8d2a-3b4c5d6e7f80';

function eventIdOf(source: string, variables?: Record<string, unknown>, operationName?: string): string | null {
  const document = parse(source);
  expect(validate(apiSchema, document)).toEqual([]);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName)! : operations[0];
  return seatMapEventId(apiSchema, document, operation, variables);
}

describe('seatMapEventId: which operations the seat-map cache may answer', () => {
  it('names every field it allows after a field of the public schema (a renamed field cannot silently widen it)', () => {
    for (const coordinate of SEAT_MAP_FIELDS) {
      const [type, field] = coordinate.split('.');
      expect([coordinate, (apiSchema.getType(type) as { getFields?: () => Record<string, unknown> })?.getFields?.()[field] !== undefined]).toEqual([coordinate, true]);
    }
  });

  it("takes the fan app's and the bench's map queries, by variable or literal id, with fragments and aliases", () => {
    expect(eventIdOf('query ($id: ID!) { event(id: $id) { seats { id row number x y price availability section { name } } } }', { id: EVENT })).toBe(EVENT);
    expect(eventIdOf(`{ e: event(id: "${EVENT}") { __typename id title startsAt status currency seatMapVersion availableSeatCount venue { id name city sections { id name rows seatsPerRow } } seats(sectionId: "x") { ...S } } } fragment S on Seat { id availability section { id name } }`)).toBe(EVENT);
    expect(eventIdOf('query ($id: ID!, $more: Boolean!) { event(id: $id) { id ... on Event @include(if: $more) { title } seats { id } } }', { id: EVENT, more: true })).toBe(EVENT);
  });

  it('refuses anything that is not one event read with map fields only', () => {
    // Two root fields, another root field, a mutation.
    expect(eventIdOf(`{ event(id: "${EVENT}") { id } events(first: 1) { edges { cursor } } }`)).toBeNull();
    expect(eventIdOf('{ events(first: 1) { edges { node { id } } } }')).toBeNull();
    expect(eventIdOf(`mutation { cancelEvent(id: "${EVENT}") { id status } }`)).toBeNull();
    // A skipped or included root field depends on variables the key does not see as a structure: refused.
    expect(eventIdOf(`query ($x: Boolean!) { event(id: "${EVENT}") @include(if: $x) { id } }`, { x: true })).toBeNull();
  });

  it('refuses a field added to a map type later (say, who holds a seat) until it is listed, even deep in a fragment', () => {
    const grown = extendSchema(apiSchema, parse('extend type Seat { heldBy: String }'));
    const document = parse(`{ event(id: "${EVENT}") { seats { ...S } } } fragment S on Seat { id heldBy }`);
    expect(validate(grown, document)).toEqual([]);
    expect(seatMapEventId(grown, document, document.definitions[0] as OperationDefinitionNode, {})).toBeNull();
    const listedOnly = parse(`{ event(id: "${EVENT}") { seats { ...S } } } fragment S on Seat { id }`);
    expect(seatMapEventId(grown, listedOnly, listedOnly.definitions[0] as OperationDefinitionNode, {})).toBe(EVENT);
  });

  it('refuses a document whose other operation reads more, whichever operation is run', () => {
    const source = `query Map { event(id: "${EVENT}") { id } } query Mine { myBookings { edges { cursor } } }`;
    expect(eventIdOf(source, {}, 'Map')).toBeNull();
  });
});
