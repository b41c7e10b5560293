import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  getNamedType,
  type GraphQLError,
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
import { appError, ErrorCode } from '@eventix/errors';
import type { GatewayMetrics } from './metrics';
import { actualCost, estimateCost, SlicingViolation, type CostModel } from './cost';
import { PassedChecks } from './passed-checks';

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
  /** Estimated cost after the IBM cost directives of the supergraph (see cost.ts). */
  maxCost: number;
  /** Assumed size of a list the supergraph gives no `@listSize` for. */
  defaultListSize: number;
  /** Largest value of a slicing argument (`first`), the subgraphs' page maximum. */
  maxSlice: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 8,
  maxAliases: 15,
  maxRootFields: 10,
  maxDirectives: 50,
  maxTokens: 2000,
  maxCost: 50_000,
  defaultListSize: 100,
  maxSlice: 100,
};

/** OPERATION_TOO_COMPLEX (HTTP 400), `extensions.limit` naming the exceeded limit. */
export function tooComplex(message: string, limit: string, details: Record<string, unknown> = {}): GraphQLError {
  return appError(ErrorCode.OPERATION_TOO_COMPLEX, message, { limit, ...details });
}

/**
 * The token limit is enforced by graphql-js's parser itself (`parse(..., { maxTokens })`), so
 * an oversized document is refused before an AST is built. Apollo reports that as a parse
 * failure; this turns it into the contract's OPERATION_TOO_COMPLEX. (graphql-js 16 spells its
 * message "more that N tokens"; both spellings are matched.)
 */
export const isTokenLimitMessage = (message: string) => /Document contains more tha[nt] \d+ tokens/.test(message);

export function tokenLimitError(formatted: GraphQLFormattedError, maxTokens: number): GraphQLFormattedError | undefined {
  if (formatted.extensions?.code !== ApolloServerErrorCode.GRAPHQL_PARSE_FAILED || !isTokenLimitMessage(formatted.message)) return undefined;
  return { message: `Operation has more than ${maxTokens} tokens`, extensions: { code: ErrorCode.OPERATION_TOO_COMPLEX, limit: 'tokens' } };
}

interface Measures {
  depth: number;
  aliases: number;
  directives: number;
}

/** Walks one operation (fragments inlined) measuring depth, aliases and directives. */
export function measureOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Measures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const measures: Measures = { depth: 0, aliases: 0, directives: operation.directives?.length ?? 0 };
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();

  const visit = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined | null, depth: number, seen: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      measures.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias && selection.name.value !== '__typename') measures.aliases += 1;
        if (selection.name.value.startsWith('__')) continue;
        const field: GraphQLField<unknown, unknown> | undefined =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[selection.name.value] : undefined;
        measures.depth = Math.max(measures.depth, depth);
        if (!selection.selectionSet) continue;
        const named = field ? getNamedType(field.type) : undefined;
        visit(selection.selectionSet, named && isCompositeType(named) ? named : undefined, depth + 1, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        visit(selection.selectionSet, typed && isCompositeType(typed) ? typed : parent, depth, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // cycles are refused by validation anyway
        const typed = schema.getType(fragment.typeCondition.name.value);
        visit(fragment.selectionSet, typed && isCompositeType(typed) ? typed : parent, depth, new Set([...seen, name]));
      }
    }
  };
  visit(operation.selectionSet, root, 1, new Set());
  return measures;
}

/** What the cost analysis needs besides the operation: the supergraph's directives and the variables. */
export interface CostInput {
  model: CostModel;
  variables: Record<string, unknown>;
}

export interface OperationCheck {
  /** The first exceeded limit, if any. */
  error?: GraphQLError;
  /** Estimated cost, once the structural limits passed and the slicing rules held. */
  estimated?: number;
}

/** Checks an operation against the limits; returns the first exceeded limit as an error. */
export function checkOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, limits: OperationLimits, cost: CostInput): OperationCheck {
  const rootFields = operation.selectionSet.selections.filter((s) => s.kind !== Kind.FIELD || !s.name.value.startsWith('__')).length;
  if (rootFields > limits.maxRootFields) return { error: tooComplex(`Operation has ${rootFields} root fields; the limit is ${limits.maxRootFields}`, 'rootFields') };
  const m = measureOperation(schema, document, operation);
  if (m.depth > limits.maxDepth) return { error: tooComplex(`Operation depth ${m.depth} exceeds the limit of ${limits.maxDepth}`, 'depth') };
  if (m.aliases > limits.maxAliases) return { error: tooComplex(`Operation uses ${m.aliases} aliases; the limit is ${limits.maxAliases}`, 'aliases') };
  if (m.directives > limits.maxDirectives) return { error: tooComplex(`Operation uses ${m.directives} directives; the limit is ${limits.maxDirectives}`, 'directives') };
  let estimated: number;
  try {
    estimated = estimateCost(schema, cost.model, document, operation, cost.variables, limits);
  } catch (error) {
    if (error instanceof SlicingViolation) return { error: tooComplex(error.message, 'slicing') };
    throw error;
  }
  if (estimated > limits.maxCost) {
    return { estimated, error: tooComplex(`Operation's estimated cost ${estimated} exceeds the limit of ${limits.maxCost}`, 'cost', { estimatedCost: estimated, maxCost: limits.maxCost }) };
  }
  return { estimated };
}

/** `extensions.cost` of a response, after Apollo Router's demand control. */
export interface CostExtension {
  estimated: number;
  /** From the result's real list lengths; absent when the operation was refused. */
  actual?: number;
}

export interface OperationLimitsOptions {
  limits: OperationLimits;
  /** The cost directives of the supergraph being served (it may be reloaded). */
  costModel: () => CostModel;
  metrics?: GatewayMetrics;
}

/**
 * Apollo Server plugin: measures the operation once it is resolved — after validation, before
 * the gateway plans it — and reports `extensions.cost` { estimated, actual } on the response.
 * (Tokens are limited at parse time, see tokenLimitError.)
 */
export function useOperationLimits({ limits, costModel, metrics }: OperationLimitsOptions): ApolloServerPlugin<BaseContext> {
  const sharedActualCost = new SharedAnswerCosts();
  const passedChecks = new PassedChecks();
  return {
    async requestDidStart() {
      let estimated: number | undefined;
      let model: CostModel | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const current = (model = costModel());
          const variables = request.variables ?? {};
          const check = passedChecks.verdict(schema, current, operation, variables, () => checkOperation(schema, document, operation, limits, { model: current, variables }));
          estimated = check.estimated;
          if (estimated !== undefined) metrics?.costEstimated.observe(estimated);
          if (check.error) throw check.error;
        },
        async willSendResponse({ response, schema, document, operation, request }) {
          if (estimated === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const cost: CostExtension = { estimated };
          // Only executed operations have an actual cost (a refused one never ran).
          const used = model;
          if (used && document && operation && result.data !== undefined) {
            const variables = request.variables ?? {};
            cost.actual = sharedActualCost.of(result.data, document, used, variables, () => actualCost(schema, used, document, operation, variables, result.data));
            metrics?.costActual.observe(cost.actual);
          }
          result.extensions = { ...result.extensions, cost };
        },
      };
    },
  };
}

/**
 * The actual cost of answers many requests share: the gateway's cached seat maps are one frozen
 * object served to every hit, and walking a 20,000-seat answer for its cost on each hit was a
 * tenth of the hit's time (#16 target 4). Remembered per shared object, for the document, cost
 * model and variables it was worked out with; any other answer is walked as before.
 */
export class SharedAnswerCosts {
  private readonly costs = new WeakMap<object, { document: DocumentNode; model: CostModel; variables: string; actual: number }>();

  of(data: unknown, document: DocumentNode, model: CostModel, variables: Record<string, unknown>, work: () => number): number {
    if (data === null || typeof data !== 'object' || !Object.isFrozen(data)) return work();
    const variablesKey = JSON.stringify(variables);
    const known = this.costs.get(data);
    if (known && known.document === document && known.model === model && known.variables === variablesKey) return known.actual;
    const actual = work();
    this.costs.set(data, { document, model, variables: variablesKey, actual });
    return actual;
  }
}
