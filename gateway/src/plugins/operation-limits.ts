import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  Kind,
  type DocumentNode,
  type GraphQLFormattedError,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLCompositeType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
} from 'graphql';
import { ErrorCode } from '@eventix/errors';

/**
 * Limits checked on every operation before it is planned or executed, in the spirit of
 * graphql-armor's defaults. The seat map (event → seats → section) is 4 levels deep; the
 * default depth leaves room for booking details with payment and tickets.
 */
export interface OperationLimits {
  maxDepth: number;
  /** Aliases per operation; `__typename` aliases are free. */
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  maxTokens: number;
  /** Estimated cost: every field costs 1, times the size of each list it sits in. */
  maxCost: number;
  /** Assumed size of a list without a `first` argument. */
  defaultListSize: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 8,
  maxAliases: 15,
  maxRootFields: 10,
  maxDirectives: 50,
  maxTokens: 2000,
  maxCost: 50_000,
  defaultListSize: 100,
};

export function tooComplex(message: string, limit: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.OPERATION_TOO_COMPLEX, limit, http: { status: 400 } } });
}

/**
 * The token limit is enforced by graphql-js's parser itself (`parse(..., { maxTokens })`), so
 * an oversized document is refused before an AST is built. Apollo reports that as a parse
 * failure; this turns it into the contract's OPERATION_TOO_COMPLEX. (graphql-js 16 spells its
 * message "more that N tokens"; both spellings are matched.)
 */
export const isTokenLimitMessage = (message: string) => /Document contains more tha[nt] \d+ tokens/.test(message);

export function tokenLimitError(formatted: GraphQLFormattedError, maxTokens: number): GraphQLFormattedError | undefined {
  if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED' || !isTokenLimitMessage(formatted.message)) return undefined;
  return { message: `Operation has more than ${maxTokens} tokens`, extensions: { code: ErrorCode.OPERATION_TOO_COMPLEX, limit: 'tokens' } };
}

interface Measures {
  depth: number;
  aliases: number;
  directives: number;
  cost: number;
}

/** Walks one operation (fragments inlined) measuring depth, aliases, directives and cost. */
export function measureOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, defaultListSize: number): Measures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const measures: Measures = { depth: 0, aliases: 0, directives: operation.directives?.length ?? 0, cost: 0 };
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();

  const visit = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined | null, depth: number, multiplier: number, seen: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      measures.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias && selection.name.value !== '__typename') measures.aliases += 1;
        if (selection.name.value.startsWith('__')) continue;
        const field: GraphQLField<unknown, unknown> | undefined =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[selection.name.value] : undefined;
        measures.depth = Math.max(measures.depth, depth);
        measures.cost += multiplier;
        if (!selection.selectionSet) continue;
        // A `first` argument sizes the list below (connections too); other lists get the default.
        const first = selection.arguments?.find((a) => a.name.value === 'first')?.value;
        const isList = field !== undefined && isListType(getNullableType(field.type));
        const size = first?.kind === Kind.INT ? Number(first.value) : isList ? defaultListSize : 1;
        const named = field ? getNamedType(field.type) : undefined;
        visit(selection.selectionSet, named && isCompositeType(named) ? named : undefined, depth + 1, multiplier * Math.max(size, 1), seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        visit(selection.selectionSet, typed && isCompositeType(typed) ? typed : parent, depth, multiplier, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // cycles are refused by validation anyway
        const typed = schema.getType(fragment.typeCondition.name.value);
        visit(fragment.selectionSet, typed && isCompositeType(typed) ? typed : parent, depth, multiplier, new Set([...seen, name]));
      }
    }
  };
  visit(operation.selectionSet, root, 1, 1, new Set());
  return measures;
}

/** Checks an operation against the limits; returns the first exceeded limit as an error. */
export function checkOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, limits: OperationLimits): GraphQLError | undefined {
  const rootFields = operation.selectionSet.selections.filter((s) => s.kind !== Kind.FIELD || !s.name.value.startsWith('__')).length;
  if (rootFields > limits.maxRootFields) return tooComplex(`Operation has ${rootFields} root fields; the limit is ${limits.maxRootFields}`, 'rootFields');
  const m = measureOperation(schema, document, operation, limits.defaultListSize);
  if (m.depth > limits.maxDepth) return tooComplex(`Operation depth ${m.depth} exceeds the limit of ${limits.maxDepth}`, 'depth');
  if (m.aliases > limits.maxAliases) return tooComplex(`Operation uses ${m.aliases} aliases; the limit is ${limits.maxAliases}`, 'aliases');
  if (m.directives > limits.maxDirectives) return tooComplex(`Operation uses ${m.directives} directives; the limit is ${limits.maxDirectives}`, 'directives');
  if (m.cost > limits.maxCost) return tooComplex(`Operation's estimated cost ${m.cost} exceeds the limit of ${limits.maxCost}`, 'cost');
  return undefined;
}

/**
 * Apollo Server plugin: measures the operation once it is resolved — after validation, before
 * the gateway plans it. (Tokens are limited at parse time, see tokenLimitError.)
 */
export function useOperationLimits(limits: OperationLimits): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation }) {
          if (!operation) return;
          const error = checkOperation(schema, document, operation, limits);
          if (error) throw error;
        },
      };
    },
  };
}
