import type { GraphQLFormattedError } from 'graphql';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { CostModel } from './cost';
import { checkOperation, DEFAULT_LIMITS, measureOperation, SharedAnswerCosts, tokenLimitError, useOperationLimits, type OperationLimits } from './operation-limits';

// A small supergraph-like schema with the cost directives as composition writes them.
const sdl = `
  schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]) { query: Query mutation: Mutation }
  directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
  directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  type Query { event(id: ID!): Event events(first: Int): [Event!]! @listSize(slicingArguments: ["first"]) }
  type Mutation { cancel(id: ID!): Event }
  type Event { id: ID! title: String venue: Venue seats: [Seat!]! @listSize(assumedSize: 200) }
  type Venue { name: String sections: [Section!]! }
  type Section { name: String }
  type Seat { id: ID! section: Section }
`;
const schema = buildSchema(sdl);
const model = CostModel.fromSupergraph(sdl);
const limits: OperationLimits = { ...DEFAULT_LIMITS, maxCost: 10_000 };

const check = (query: string, variables: Record<string, unknown> = {}, overrides: Partial<OperationLimits> = {}) => {
  const document = parse(query);
  return checkOperation(schema, document, getOperationAST(document)!, { ...limits, ...overrides }, { model, variables });
};
const measure = (query: string) => {
  const document = parse(query);
  return measureOperation(schema, document, getOperationAST(document)!);
};
const refusal = (query: string, variables: Record<string, unknown> = {}, overrides: Partial<OperationLimits> = {}) => {
  const { error } = check(query, variables, overrides);
  return error && { message: error.message, ...error.extensions };
};

describe('measureOperation', () => {
  it('counts depth by field nesting, leaves included', () => {
    // event 1 > venue 2 > sections 3 > name 4
    expect(measure(`{ event(id: "1") { venue { sections { name } } } }`).depth).toBe(4);
    expect(measure(`{ event(id: "1") { id } }`).depth).toBe(2);
  });

  it('inlines fragments without adding depth, and follows their type condition', () => {
    expect(measure(`{ event(id: "1") { ...F } } fragment F on Event { venue { name } }`).depth).toBe(3);
    expect(measure(`{ event(id: "1") { ... on Event { seats { section { name } } } } }`).depth).toBe(4);
  });

  it('stops at a fragment cycle instead of recursing forever', () => {
    expect(measure(`{ event(id: "1") { ...A } } fragment A on Event { venue { name } ...A }`).depth).toBe(3);
  });

  it('counts aliases except on __typename, and every directive including the operation’s', () => {
    const m = measure(`query Q @a { x: event(id: "1") @include(if: true) { t: title n: __typename venue { name @skip(if: false) } } }`);
    expect(m.aliases).toBe(2);
    expect(m.directives).toBe(3);
  });
});

describe('checkOperation', () => {
  it('passes an operation within every limit and returns its estimated cost', () => {
    // events: 5 (first) × (Event 1 + seats 200 × Seat 1) = 1005
    expect(check(`{ events(first: 5) { title seats { id } } }`)).toEqual({ estimated: 5 * (1 + 200) });
  });

  it('refuses more root fields than allowed, __typename not counted', () => {
    const two = `{ a: event(id: "1") { id } b: event(id: "2") { id } __typename }`;
    expect(check(two, {}, { maxRootFields: 2 }).error).toBeUndefined();
    expect(refusal(two, {}, { maxRootFields: 1 })).toEqual({
      message: 'Operation has 2 root fields; the limit is 1',
      code: 'OPERATION_TOO_COMPLEX',
      limit: 'rootFields',
      http: { status: 400 },
    });
  });

  it('refuses depth, aliases and directives over their limits, naming the limit', () => {
    expect(refusal(`{ event(id: "1") { venue { sections { name } } } }`, {}, { maxDepth: 3 })).toMatchObject({ limit: 'depth', message: 'Operation depth 4 exceeds the limit of 3' });
    expect(check(`{ event(id: "1") { venue { sections { name } } } }`, {}, { maxDepth: 4 }).error).toBeUndefined();
    expect(refusal(`{ a: event(id: "1") { t: title } }`, {}, { maxAliases: 1 })).toMatchObject({ limit: 'aliases', message: 'Operation uses 2 aliases; the limit is 1' });
    expect(refusal(`{ event(id: "1") @include(if: true) { title @include(if: true) } }`, {}, { maxDirectives: 1 })).toMatchObject({ limit: 'directives' });
  });

  it('reports the first exceeded limit: root fields before depth', () => {
    expect(refusal(`{ a: event(id: "1") { venue { name } } b: event(id: "2") { id } }`, {}, { maxRootFields: 1, maxDepth: 1 })).toMatchObject({ limit: 'rootFields' });
  });

  it('refuses a slicing argument over the page maximum or missing, before estimating', () => {
    expect(refusal(`{ events(first: 101) { id } }`)).toMatchObject({ limit: 'slicing', message: 'Query.events(first:) must be between 0 and 100' });
    expect(refusal(`query ($n: Int) { events(first: $n) { id } }`, { n: 500 })).toMatchObject({ limit: 'slicing' });
    expect(refusal(`{ events { id } }`)).toMatchObject({ limit: 'slicing', message: 'Query.events needs exactly one of first' });
  });

  it('refuses an estimated cost over the limit, reporting estimate and limit', () => {
    // 50 × (1 + 200) = 10,050 > 10,000; 49 × 201 = 9,849 passes.
    const query = `query ($n: Int) { events(first: $n) { seats { id } } }`;
    const { error, estimated } = check(query, { n: 50 });
    expect(estimated).toBe(10_050);
    expect(error?.extensions).toEqual({ code: 'OPERATION_TOO_COMPLEX', limit: 'cost', estimatedCost: 10_050, maxCost: 10_000, http: { status: 400 } });
    expect(check(query, { n: 49 })).toEqual({ estimated: 9_849 });
  });
});

describe('tokenLimitError', () => {
  const parseFailure = (message: string): GraphQLFormattedError => ({ message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });

  it("turns graphql-js's token limit parse failure (either spelling) into OPERATION_TOO_COMPLEX", () => {
    const expected = { message: 'Operation has more than 2000 tokens', extensions: { code: 'OPERATION_TOO_COMPLEX', limit: 'tokens' } };
    expect(tokenLimitError(parseFailure('Syntax Error: Document contains more that 2000 tokens. Parsing aborted.'), 2000)).toEqual(expected);
    expect(tokenLimitError(parseFailure('Syntax Error: Document contains more than 2000 tokens. Parsing aborted.'), 2000)).toEqual(expected);
  });

  it('leaves other parse failures and other codes alone', () => {
    expect(tokenLimitError(parseFailure('Syntax Error: Unexpected "}".'), 2000)).toBeUndefined();
    expect(tokenLimitError({ message: 'Document contains more than 2000 tokens', extensions: { code: 'BAD_USER_INPUT' } }, 2000)).toBeUndefined();
  });
});

describe('useOperationLimits', () => {
  type Listener = {
    didResolveOperation(context: unknown): Promise<void>;
    willSendResponse(context: unknown): Promise<void>;
  };
  const run = async (query: string, data: unknown, overrides: Partial<OperationLimits> = {}) => {
    const plugin = useOperationLimits({ limits: { ...limits, ...overrides }, costModel: () => model });
    const listener = (await plugin.requestDidStart!({} as never)) as unknown as Listener;
    const document = parse(query);
    const request = { variables: {} };
    const context = { schema, document, operation: getOperationAST(document)!, request };
    const thrown = await listener.didResolveOperation(context).then(
      () => undefined,
      (error: Error) => error,
    );
    const singleResult: { data?: unknown; extensions?: Record<string, unknown> } = data === undefined ? {} : { data };
    await listener.willSendResponse({ ...context, response: { body: { kind: 'single', singleResult } } });
    return { thrown, extensions: singleResult.extensions };
  };

  it('reports the estimate and the actual cost from the lengths of the lists that came back', async () => {
    // estimate: 3 × (1 + 200) = 603; actual: 2 events, one with 4 seats: 2 + 4 = 6
    const { thrown, extensions } = await run(`{ events(first: 3) { id seats { id } } }`, { events: [{ id: 'a', seats: [{ id: '1' }, { id: '2' }, { id: '3' }, { id: '4' }] }, { id: 'b', seats: [] }] });
    expect(thrown).toBeUndefined();
    expect(extensions).toEqual({ cost: { estimated: 603, actual: 6 } });
  });

  it('throws the refusal and reports only the estimate of an operation that never ran', async () => {
    const { thrown, extensions } = await run(`{ events(first: 3) { id seats { id } } }`, undefined, { maxCost: 600 });
    expect((thrown as { extensions?: { code?: string } }).extensions?.code).toBe('OPERATION_TOO_COMPLEX');
    expect(extensions).toEqual({ cost: { estimated: 603 } });
  });
});

describe('SharedAnswerCosts', () => {
  const document = parse('query Map($id: ID!) { event(id: $id) { seats { id } } }');
  const counting = () => {
    const calls = { n: 0 };
    return { calls, work: () => (calls.n += 1, 42) };
  };

  it('walks a shared (frozen) answer once for the same document, model and variables', () => {
    const costs = new SharedAnswerCosts();
    const data = Object.freeze({ event: Object.freeze({ seats: Object.freeze([]) }) });
    const { calls, work } = counting();
    expect(costs.of(data, document, model, { id: 'e1' }, work)).toBe(42);
    expect(costs.of(data, document, model, { id: 'e1' }, work)).toBe(42);
    expect(calls.n).toBe(1);
    // Anything else it was not worked out with: walked again.
    costs.of(data, document, model, { id: 'e2' }, work);
    costs.of(data, parse('query Map($id: ID!) { event(id: $id) { seats { id } } }'), model, { id: 'e2' }, work);
    costs.of(data, document, CostModel.fromSupergraph(sdl), { id: 'e2' }, work);
    expect(calls.n).toBe(4);
  });

  it('walks every answer of its own (not frozen) each time', () => {
    const costs = new SharedAnswerCosts();
    const data = { event: { seats: [] } };
    const { calls, work } = counting();
    costs.of(data, document, model, {}, work);
    costs.of(data, document, model, {}, work);
    expect(calls.n).toBe(2);
  });
});
