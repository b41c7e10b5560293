import { buildSchema, getOperationAST, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { CostModel } from './cost';
import { checkOperation, DEFAULT_LIMITS, type OperationCheck } from './operation-limits';
import { MAX_REMEMBERED_VARIABLES_VALUES, PassedChecks } from './passed-checks';

const sdl = `
  schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]) { query: Query }
  directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  type Query { events(first: Int, ids: [ID!]): [Event!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) }
  type Event { id: ID! seats: [Seat!]! @listSize(assumedSize: 100) }
  type Seat { id: ID! }
`;
const schema = buildSchema(sdl);
const model = CostModel.fromSupergraph(sdl);
const limits = { ...DEFAULT_LIMITS, maxCost: 1_000 };
const EVENTS = 'query Events($first: Int, $ids: [ID!]) { events(first: $first, ids: $ids) { id seats { id } } }';

/** PassedChecks over the real check, counting how often the check itself runs. */
function checked(passed = new PassedChecks(), document: DocumentNode = parse(EVENTS)) {
  const runs = { n: 0 };
  const verdict = (variables: Record<string, unknown>, on = { schema, model, document }): OperationCheck => {
    const operation = getOperationAST(on.document)!;
    return passed.verdict(on.schema, on.model, operation, variables, () => {
      runs.n += 1;
      return checkOperation(on.schema, on.document, operation, limits, { model: on.model, variables });
    });
  };
  return { runs, verdict, document };
}

describe('PassedChecks', () => {
  it('checks a document once per set of variables and answers later requests with the same estimate', () => {
    const { runs, verdict } = checked();
    expect(verdict({ first: 5 })).toEqual({ estimated: 505 });
    expect(verdict({ first: 5 })).toEqual({ estimated: 505 });
    expect(runs.n).toBe(1);
    // Other variables, another estimate: each is its own.
    expect(verdict({ first: 2 })).toEqual({ estimated: 202 });
    expect(verdict({ first: 5 })).toEqual({ estimated: 505 });
    expect(runs.n).toBe(2);
  });

  it('checks a refused operation every time, each with an error of its own', () => {
    const { runs, verdict } = checked();
    const first = verdict({ first: 50 });
    const second = verdict({ first: 50 });
    expect(first.error?.extensions).toMatchObject({ code: 'OPERATION_TOO_COMPLEX', limit: 'cost' });
    expect(second.error).not.toBe(first.error);
    expect(runs.n).toBe(2);
  });

  it('starts over for a new schema or cost model (a reloaded supergraph) and for another parsed document', () => {
    const passed = new PassedChecks();
    const { runs, verdict, document } = checked(passed);
    verdict({ first: 1 });
    verdict({ first: 1 }, { schema: buildSchema(sdl), model, document });
    verdict({ first: 1 }, { schema, model: CostModel.fromSupergraph(sdl), document });
    verdict({ first: 1 }, { schema, model, document: parse(EVENTS) });
    expect(runs.n).toBe(4);
  });

  it('keeps each operation of a document with several apart', () => {
    const passed = new PassedChecks();
    const document = parse(`${EVENTS} query Few { events(first: 1) { id } }`);
    const few = document.definitions[1] as OperationDefinitionNode;
    const runs = { n: 0 };
    const verdict = (operation: OperationDefinitionNode, variables: Record<string, unknown>) =>
      passed.verdict(schema, model, operation, variables, () => {
        runs.n += 1;
        return checkOperation(schema, document, operation, limits, { model, variables });
      });
    const events = document.definitions[0] as OperationDefinitionNode;
    for (let i = 0; i < 3; i++) {
      expect(verdict(events, { first: 5 })).toEqual({ estimated: 505 });
      expect(verdict(few, {})).toEqual({ estimated: 1 });
    }
    expect(runs.n).toBe(2);
  });

  it('keeps a bounded number of variable sets per document, dropping the oldest', () => {
    const { runs, verdict } = checked(new PassedChecks(3));
    for (const first of [1, 2, 3, 4]) verdict({ first });
    expect(runs.n).toBe(4);
    verdict({ first: 4 });
    verdict({ first: 2 });
    expect(runs.n).toBe(4);
    expect(verdict({ first: 1 })).toEqual({ estimated: 101 });
    expect(runs.n).toBe(5);
  });

  it('does not keep variables too big to remember: checked on every request', () => {
    const { runs, verdict } = checked();
    const many = { first: 1, ids: Array.from({ length: MAX_REMEMBERED_VARIABLES_VALUES }, (_, i) => `e${i}`) };
    const long = { first: 1, ids: ['x'.repeat(2_000)] };
    for (const variables of [many, many, long, long]) expect(verdict(variables)).toEqual({ estimated: 101 });
    expect(runs.n).toBe(4);
  });
});
