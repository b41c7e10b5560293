import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { buildSchema, getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { actualCost, CostModel, estimateCost, SlicingViolation } from './cost';
import { DEFAULT_LIMITS } from './operation-limits';

/** The committed supergraph: the cost directives are the subgraphs' own, as composed. */
const sdl = fs.readFileSync(path.resolve(__dirname, '../../../schema/supergraph.graphql'), 'utf8');
const api: GraphQLSchema = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
const model = CostModel.fromSupergraph(sdl);

const estimate = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  return estimateCost(api, model, document, getOperationAST(document)!, variables, DEFAULT_LIMITS);
};
const actual = (query: string, data: unknown) => {
  const document = parse(query);
  return actualCost(api, model, document, getOperationAST(document)!, {}, data);
};

describe('cost directives in the supergraph', () => {
  it('are composed from the subgraphs: connections sized by `first`, seat maps and booking lists assumed', () => {
    expect(model.listSizes.get('Query.events')).toEqual({ slicingArguments: ['first'], sizedFields: ['edges'], requireOneSlicingArgument: true, assumedSize: undefined });
    expect(model.listSizes.get('Query.myBookings')).toEqual({ slicingArguments: ['first'], sizedFields: ['edges'], requireOneSlicingArgument: true, assumedSize: undefined });
    expect(model.listSizes.get('Event.seats')?.assumedSize).toBe(5000);
    expect(model.listSizes.get('Venue.sections')?.assumedSize).toBe(100);
    expect(model.listSizes.get('Booking.items')?.assumedSize).toBe(10);
    expect(model.listSizes.get('Booking.tickets')?.assumedSize).toBe(10);
  });
});

describe('estimated cost (IBM cost directives, Apollo Router scoring)', () => {
  it('five events with their seats: 1 + 5 × (1 edge + 1 event + 5000 seats × 1)', () => {
    // events: object 1 + edges; edges: 5 (sized by first) × (edge 1 + node); node: event 1 + seats;
    // seats: 5000 (assumedSize) × seat 1; id and title are scalars (0).
    expect(estimate(`{ events(first: 5) { edges { node { id title seats { id } } } } }`)).toBe(1 + 5 * (1 + 1 + 5000));
  });

  it('sizes edges from a variable and from the argument default (20)', () => {
    expect(estimate(`query ($n: Int) { events(first: $n) { edges { cursor } } }`, { n: 7 })).toBe(1 + 7);
    expect(estimate(`{ events { edges { cursor } pageInfo { hasNextPage } } }`)).toBe(1 + 20 + 1);
    expect(estimate(`{ myBookings(first: 3) { edges { node { id items { price } tickets { id } } } } }`)).toBe(1 + 3 * (1 + 1 + 10 + 10));
  });

  it('counts aliases and fragments as written, skips @skip(if: true), adds 10 for a mutation', () => {
    const seatMap = `seats { id section { name } }`; // 5000 × (1 + 1)
    expect(estimate(`{ a: event(id: "1") { ${seatMap} } b: event(id: "2") { ...S } } fragment S on Event { ${seatMap} }`)).toBe(2 * (1 + 10_000));
    expect(estimate(`{ event(id: "1") { seats @skip(if: true) { id } venue { name } } }`)).toBe(1 + 1);
    expect(estimate(`mutation { cancelBooking(id: "1") { id status } }`)).toBe(10 + 1);
  });

  it('enforces the slicing rules: one slicing argument, at most the page maximum', () => {
    expect(() => estimate(`{ events(first: 101) { edges { cursor } } }`)).toThrow(SlicingViolation);
    expect(() => estimate(`{ events(first: null) { edges { cursor } } }`)).toThrow('Query.events needs exactly one of first');
    expect(() => estimate(`{ events(first: -1) { edges { cursor } } }`)).toThrow(SlicingViolation);
    expect(estimate(`{ events(first: 100) { edges { cursor } } }`)).toBe(101);
  });
});

describe('actual cost', () => {
  it('counts each list at the length it came back with', () => {
    const query = `{ events(first: 5) { edges { node { id seats { id } } } } }`;
    const seats = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i) }));
    const data = { events: { edges: [{ node: { id: 'a', seats: seats(600) } }, { node: { id: 'b', seats: seats(20) } }] } };
    expect(actual(query, data)).toBe(1 + (1 + 1 + 600) + (1 + 1 + 20));
    expect(actual(`{ event(id: "x") { id } }`, { event: null })).toBe(0);
  });
});

describe('@cost weights', () => {
  // A supergraph fragment as composition writes it: @cost by its spec name, @listSize imported.
  const sdl = `
    schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]) { query: Query }
    directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
    directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
    directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    type Query { report(deep: Boolean @cost(weight: 7)): Report @cost(weight: 20) heavy: [Heavy!]! @listSize(assumedSize: 3) }
    type Report { score: Int @cost(weight: 2) }
    type Heavy @cost(weight: 4) { id: ID! }
  `;
  const schema = buildSchema(sdl);
  const costModel = CostModel.fromSupergraph(sdl);
  const cost = (query: string) => {
    const document = parse(query);
    return estimateCost(schema, costModel, document, getOperationAST(document)!, {}, DEFAULT_LIMITS);
  };

  it('takes field, type and argument weights from the supergraph', () => {
    expect(cost(`{ report { score } }`)).toBe(20 + 2);
    expect(cost(`{ report(deep: true) { score } }`)).toBe(20 + 2 + 7);
    expect(cost(`{ heavy { id } }`)).toBe(3 * 4);
    expect(actualCost(schema, costModel, parse(`{ heavy { id } }`), getOperationAST(parse(`{ heavy { id } }`))!, {}, { heavy: [{ id: '1' }] })).toBe(4);
  });
});

describe('cost directives under other names', () => {
  const directives = `
    directive @link(url: String, as: String, import: [link__Import]) repeatable on SCHEMA
    scalar link__Import
    directive @price(weight: Int!) on FIELD_DEFINITION | OBJECT
    directive @price__listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    directive @size(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  `;

  it('follows the spec link\'s `as:` prefix', () => {
    const sdl = `schema @link(url: "https://specs.apollo.dev/cost/v0.1", as: "price") { query: Query }
      ${directives}
      type Query { items: [Item!]! @price__listSize(assumedSize: 4) total: Int @price(weight: 9) }
      type Item @price(weight: 3) { id: ID! }`;
    const m = CostModel.fromSupergraph(sdl);
    expect(m.listSizes.get('Query.items')?.assumedSize).toBe(4);
    expect(m.fieldWeights.get('Query.total')).toBe(9);
    expect(m.typeWeights.get('Item')).toBe(3);
  });

  it('follows an import renamed with {name, as}', () => {
    const sdl = `schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@listSize", as: "@size" }]) { query: Query }
      ${directives}
      type Query { items: [Item!]! @size(assumedSize: 6) }
      type Item { id: ID! }`;
    expect(CostModel.fromSupergraph(sdl).listSizes.get('Query.items')?.assumedSize).toBe(6);
  });
});

describe('list sizes and selections', () => {
  const sdl = `
    schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]) { query: Query mutation: Mutation }
    directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
    directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
    directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    type Query {
      page(first: Int, last: Int): Page @listSize(slicingArguments: ["first", "last"], sizedFields: ["nodes"], requireOneSlicingArgument: false, assumedSize: 7)
      tags: [String!]!
      things: [Thing!]!
      node: Node
    }
    type Mutation { touch: Thing }
    type Page { nodes: [Thing!]! total: Int }
    interface Node { id: ID! }
    type Thing implements Node { id: ID! parts: [Part] }
    type Part { id: ID! }
  `;
  const schema = buildSchema(sdl);
  const costModel = CostModel.fromSupergraph(sdl);
  const options = { ...DEFAULT_LIMITS, defaultListSize: 10 };
  const cost = (query: string, variables: Record<string, unknown> = {}) => {
    const document = parse(query);
    return estimateCost(schema, costModel, document, getOperationAST(document)!, variables, options);
  };
  const actualOf = (query: string, data: unknown) => {
    const document = parse(query);
    return actualCost(schema, costModel, document, getOperationAST(document)!, {}, data);
  };

  it('sizes a parent\'s sizedFields by its largest slicing argument, or its assumedSize when none is required and none given', () => {
    // page 1 + nodes (3 and 8 given: 8) × Thing 1; total is a scalar.
    expect(cost(`{ page(first: 3, last: 8) { nodes { id } total } }`)).toBe(1 + 8);
    expect(cost(`{ page { nodes { id } } }`)).toBe(1 + 7);
  });

  it('uses the default list size for lists without @listSize, nested lists multiplying', () => {
    // things 10 × (Thing 1 + parts 10 × Part 1); a list of scalars costs nothing.
    expect(cost(`{ things { parts { id } } tags }`)).toBe(10 * (1 + 10));
  });

  it('honours @include with a variable and counts an interface\'s inline fragments', () => {
    expect(cost(`query ($with: Boolean!) { node { id } things @include(if: $with) { id } }`, { with: false })).toBe(1);
    expect(cost(`query ($with: Boolean!) { node { id } things @include(if: $with) { id } }`, { with: true })).toBe(1 + 10);
    expect(cost(`{ node { ... on Thing { parts { id } } } }`)).toBe(1 + 10);
  });

  it('adds 10 to a mutation, estimated and actual', () => {
    expect(cost(`mutation { touch { id } }`)).toBe(10 + 1);
    expect(actualOf(`mutation { touch { id } }`, { touch: { id: '1' } })).toBe(10 + 1);
  });

  it('counts the actual cost once per response key, each alias apart, null list items free', () => {
    // things merged from two selections: 2 items × (1 + parts); parts [p, null] = 1, [] = 0.
    const data = { things: [{ id: 'a', parts: [{ id: 'p' }, null] }, { id: 'b', parts: [] }], more: [{ id: 'c' }] };
    expect(actualOf(`{ things { id } things { parts { id } } more: things { id } }`, data)).toBe(2 + 1 + 1);
  });
});
