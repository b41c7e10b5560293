import { ApolloServerErrorCode } from '@apollo/server/errors';
import { getOperationAST, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { appError, ErrorCode } from '@eventix/errors';
import type { CostModel } from '../plugins/cost';
import { checkInputs, strictFor } from '../plugins/input-validation';
import { checkOperation, isTokenLimitMessage, tooComplex, type OperationLimits } from '../plugins/operation-limits';
import { unresolvableMessage } from '../plugins/operation-resolution';

export interface SubscribeCheckOptions {
  /** The API schema subscriptions are validated against. */
  schema: GraphQLSchema;
  limits: OperationLimits;
  /** The supergraph's cost directives; a subscription is estimated per event it delivers. */
  costModel: CostModel;
}

/** A subscription that passed every check, ready to execute. */
export interface CheckedSubscription {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
}

/**
 * Parses with the token limit, as Apollo Server does over HTTP: an oversized document is the
 * contract's OPERATION_TOO_COMPLEX, any other syntax error Apollo's GRAPHQL_PARSE_FAILED.
 */
function parseDocument(query: string, maxTokens: number): DocumentNode | GraphQLError {
  try {
    return parse(query, { maxTokens });
  } catch (error) {
    const message = (error as Error).message;
    if (isTokenLimitMessage(message)) return tooComplex(`Operation has more than ${maxTokens} tokens`, 'tokens');
    return new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.GRAPHQL_PARSE_FAILED } });
  }
}

/** Documents kept per schema: far more than the distinct subscriptions a fan app sends. */
const VALIDATED_DOCUMENTS = 500;
const validatedDocuments = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();

/**
 * The parsed and validated document of a query text, from a small cache when seen before: a
 * crowd watching one seat map sends the same text thousands of times, and each subscription
 * would otherwise hold an AST of its own for its lifetime (and parse and validate it again).
 * Only documents that passed are cached; graphql-js never mutates a document, so sharing is safe.
 */
function validatedDocument(schema: GraphQLSchema, query: string, maxTokens: number): DocumentNode | readonly GraphQLError[] {
  let cache = validatedDocuments.get(schema);
  if (!cache) validatedDocuments.set(schema, (cache = new Map()));
  const cached = cache.get(query);
  if (cached) {
    // Least recently used goes first: a hit moves to the back.
    cache.delete(query);
    cache.set(query, cached);
    return cached;
  }
  const document = parseDocument(query, maxTokens);
  if (document instanceof GraphQLError) return [document];
  const errors = validate(schema, document);
  // Coded as Apollo Server codes them over HTTP.
  if (errors.length) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED } }));
  if (cache.size >= VALIDATED_DOCUMENTS) cache.delete(cache.keys().next().value!);
  cache.set(query, document);
  return document;
}

/** The operation to run, which must be a subscription: the socket carries nothing else. */
function subscriptionOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | GraphQLError {
  const operation = getOperationAST(document, operationName);
  // Coded as over HTTP (operation-resolution.ts); no HTTP status on a socket.
  if (!operation) return new GraphQLError(unresolvableMessage(document, operationName ?? undefined), { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE } });
  // Sent to the wrong transport, like a subscription POSTed over HTTP.
  if (operation.operation !== 'subscription') return appError(ErrorCode.BAD_REQUEST, 'Send queries and mutations over HTTP; this socket carries subscriptions', {}, { status: false });
  return operation;
}

/**
 * The checks a subscribe message goes through before it is executed — the same as an HTTP
 * operation's, since graphql-ws does not run Apollo Server's plugins: parse (token limit),
 * validation, a subscription operation, input validation, then depth/alias/cost limits.
 * Returns the errors to answer with instead when one fails.
 */
export function checkSubscription(payload: SubscribePayload, { schema, limits, costModel }: SubscribeCheckOptions): CheckedSubscription | readonly GraphQLError[] {
  const document = validatedDocument(schema, payload.query, limits.maxTokens);
  if (!('kind' in document)) return document;
  const operation = subscriptionOperation(document, payload.operationName);
  if (operation instanceof GraphQLError) return [operation];
  const variables = payload.variables ?? {};
  const badInput = checkInputs(strictFor(schema), document, operation, variables);
  if (badInput) return [badInput];
  const { error: tooBig } = checkOperation(schema, document, operation, limits, { model: costModel, variables });
  if (tooBig) return [tooBig];
  return { document, operation, variables };
}
