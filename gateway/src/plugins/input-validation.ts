import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  coerceInputValue,
  GraphQLError,
  isNonNullType,
  Kind,
  parse,
  typeFromAST,
  validate,
  ValuesOfCorrectTypeRule,
  visit,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { appError, ErrorCode } from '@eventix/errors';
import { withContractScalars } from '@eventix/subgraph-kit';

/**
 * Checks every input value of an operation at the gateway, before it is planned: literals in the
 * document and the request's variables, against the API schema with the contract's real scalars
 * (Money, DateTime). Without this, a bad Money literal passes the gateway (the supergraph's
 * scalars accept anything) and the subgraph refuses the whole fetch with HTTP 400, which
 * @apollo/gateway reports as an internal error; and graphql-js's own coercion errors name the
 * variable, not the argument. Refusals are BAD_USER_INPUT (HTTP 400, nothing executed) with
 * `extensions.field` naming where the value sits: the argument (`price`), or its path inside an
 * input object (`input.sections[0].price`); a variable used only in a directive is named itself.
 */
export function useInputValidation(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const error = checkInputs(strictFor(schema), document, operation, request.variables ?? {});
          if (error) throw error;
        },
      };
    },
  };
}

const strict = new WeakMap<GraphQLSchema, GraphQLSchema>();

/** The API schema with the contract's real scalars, built once per (re)loaded schema. */
export function strictFor(schema: GraphQLSchema): GraphQLSchema {
  const cached = strict.get(schema);
  if (cached) return cached;
  const copy = withContractScalars(schema);
  strict.set(schema, copy);
  return copy;
}

// HTTP 400: refused before anything was planned or executed.
const badInput = (field: string, message: string) => appError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field }, { status: 400 });

/** `price: Money must be …` from a contract scalar: keep the reason, the caller names the field. */
const reason = (error: GraphQLError | Error): string => {
  if (!(error instanceof GraphQLError) && error.cause instanceof Error) return reason(error.cause);
  const own = (error as GraphQLError).extensions?.field;
  return typeof own === 'string' && error.message.startsWith(`${own}: `) ? error.message.slice(own.length + 2) : error.message;
};

/** What the literals of a document say, the same for every request that sends it. */
interface DocumentInputs {
  /** The first literal its type refuses: the field it sits at and why. */
  badLiteral?: { field: string; message: string };
  /** Where each variable is first used as a field argument. */
  variableUses: Map<string, string>;
}

/**
 * Per schema and document: Apollo Server hands every request with the same query text the same
 * parsed DocumentNode (its document store), so the literal check and the walk for input paths —
 * a full pass over the document each, ~8% of a busy gateway's CPU in #16's profile — run once
 * per document, not per request. Variables still are checked on every request.
 */
const documentInputs = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, DocumentInputs>>();

function inputsOf(schema: GraphQLSchema, document: DocumentNode): DocumentInputs {
  let bySchema = documentInputs.get(schema);
  if (!bySchema) documentInputs.set(schema, (bySchema = new WeakMap()));
  const known = bySchema.get(document);
  if (known) return known;
  const { literals, variableUses } = inputPaths(document);
  const [literal] = validate(schema, document, [ValuesOfCorrectTypeRule]);
  const inputs: DocumentInputs = { variableUses };
  if (literal) {
    const node = literal.nodes?.[0] as ValueNode | undefined;
    const original = literal.originalError;
    inputs.badLiteral = { field: (node && literals.get(node)) ?? 'input', message: original ? `${reason(original)}` : literal.message };
  }
  bySchema.set(document, inputs);
  return inputs;
}

/** The first bad input value of an operation, as BAD_USER_INPUT naming its field. */
export function checkInputs(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): GraphQLError | undefined {
  const { badLiteral, variableUses } = inputsOf(schema, document);
  if (badLiteral) return badInput(badLiteral.field, badLiteral.message);
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) continue; // unknown types are refused by validation
    const at = variableUses.get(name) ?? name;
    if (!(name in variables) || variables[name] === undefined) {
      if (!definition.defaultValue && isNonNullType(type)) return badInput(at, `a value of type ${String(type)} is required (variable $${name})`);
      continue;
    }
    if (variables[name] === null && isNonNullType(type)) return badInput(at, `must not be null (variable $${name})`);
    let found: GraphQLError | undefined;
    coerceInputValue(variables[name], type, (path, _invalid, error) => {
      if (found) return;
      const suffix = path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
      found = badInput(`${at}${suffix}`, `${reason(error.originalError ?? error)} (variable $${name})`);
    });
    if (found) return found;
  }
  return undefined;
}

/**
 * Where each value sits: every literal value node and the first field-argument use of each
 * variable, as `argument.inputField[index]` paths.
 */
function inputPaths(document: DocumentNode) {
  const literals = new Map<ValueNode, string>();
  const variableUses = new Map<string, string>();
  const walk = (value: ValueNode, path: string) => {
    literals.set(value, path);
    if (value.kind === Kind.VARIABLE) {
      if (!variableUses.has(value.name.value)) variableUses.set(value.name.value, path);
    } else if (value.kind === Kind.OBJECT) {
      for (const field of value.fields) walk(field.value, `${path}.${field.name.value}`);
    } else if (value.kind === Kind.LIST) {
      value.values.forEach((item, i) => walk(item, `${path}[${i}]`));
    }
  };
  visit(document, {
    Field(node) {
      for (const argument of node.arguments ?? []) walk(argument.value, argument.name.value);
    },
  });
  return { literals, variableUses };
}

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * graphql-js 16's ValuesOfCorrectTypeRule wording: a literal its type refused (the built-in
 * scalars' own messages included), a missing or unknown input field.
 */
const LITERAL_VALUE_ERROR =
  /^(Expected value of type |Field "[\w.]+" of required type .+ was not provided|Field "\w+" is not defined by type |(Int|Float|String|Boolean|ID) cannot represent |Enum "\w+" cannot represent |Value "\w+" does not exist in )/;

/**
 * Apollo Server validates the document against the API schema before any plugin runs, so a bad
 * literal of a built-in type (`event(id: 1.5)`, an unknown input field) comes back as
 * GRAPHQL_VALIDATION_FAILED. This reports it like the plugin's own refusals: BAD_USER_INPUT
 * with `extensions.field`, found by parsing the document again (formatError only has the error).
 * Apollo has already chosen HTTP 400 for a validation failure.
 */
export function withLiteralInputErrors(format: FormatError): FormatError {
  return (formatted, error) => {
    const result = format(formatted, error);
    if (result.extensions?.code !== ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED || !LITERAL_VALUE_ERROR.test(result.message)) return result;
    const field = literalFieldOf(error as GraphQLError) ?? 'input';
    return { ...result, message: `${field}: ${result.message}`, extensions: { ...result.extensions, code: ErrorCode.BAD_USER_INPUT, field } };
  };
}

function literalFieldOf(error: GraphQLError): string | undefined {
  const loc = error.nodes?.[0]?.loc;
  if (!loc) return undefined;
  try {
    // Walk order puts a value before the values inside it: the first one within the error's
    // node is the node itself, or for an input field node, its value.
    for (const [value, path] of inputPaths(parse(loc.source.body)).literals) {
      if (value.loc && value.loc.start >= loc.start && value.loc.end <= loc.end) return path;
    }
  } catch {
    // an unparsable source cannot have reached validation; keep the generic name
  }
  return undefined;
}
