import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { checkInputs } from './input-validation';

const schema = buildSchema(`
  input Range { from: Int!, to: Int! }
  type Query { seats(first: Int, range: Range): [String] }
`);
const operationOf = (document: ReturnType<typeof parse>) => document.definitions[0] as OperationDefinitionNode;

describe('checkInputs on a document sent again and again', () => {
  it('refuses a bad literal on every request that sends it, each with an error of its own', () => {
    const document = parse('{ seats(range: { from: 1, to: "ten" }) }');
    const [first, second] = [checkInputs(schema, document, operationOf(document), {}), checkInputs(schema, document, operationOf(document), {})];
    expect(first?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'range.to' });
    expect(second?.message).toBe(first?.message);
    expect(second).not.toBe(first);
  });

  it("checks each request's own variables against the same document", () => {
    const document = parse('query($n: Int, $r: Range) { seats(first: $n, range: $r) }');
    const check = (variables: Record<string, unknown>) => checkInputs(schema, document, operationOf(document), variables)?.extensions.field;
    expect(check({ n: 5 })).toBeUndefined();
    expect(check({ n: 'five' })).toBe('first');
    expect(check({ n: 5, r: { from: 1 } })).toBe('range');
    expect(check({ n: 5, r: { from: 1, to: 'x' } })).toBe('range.to');
    expect(check({ n: 6 })).toBeUndefined();
  });
});
