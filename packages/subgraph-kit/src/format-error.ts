import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, hasContractCode } from '@eventix/errors';
import { classifyDeliveryError } from '@eventix/events';

/**
 * Apollo Server's own codes a client may see: GraphQL's validation and parse errors and
 * persisted-query refusals. (BAD_REQUEST and PERSISTED_QUERY_NOT_FOUND are in the registry.)
 */
const APOLLO_CODES_SHOWN = new Set<unknown>([
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

/**
 * Keeps contract errors (they carry an `extensions.code` from the registry) and GraphQL's own
 * validation errors, and replaces anything else — a driver error, an SQL message, a bug — by a
 * generic message, after logging the original. Users never see SQL or stack traces.
 */
export function formatError(log: (message: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (hasContractCode(formatted) || APOLLO_CODES_SHOWN.has(formatted.extensions?.code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = (error as { originalError?: Error }).originalError ?? error;
    // Backstop behind the resolvers' own checks: a value PostgreSQL refuses as data (SQLSTATE
    // class 22: bad uuid, NUL byte, out of range, too long) is the caller's input, not our bug.
    const sqlState = (original as { code?: unknown }).code;
    if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) {
      log(`input refused by the database (${sqlState}): ${original instanceof Error ? original.message : String(original)}`);
      return { message: 'An input value is not valid', path: formatted.path, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    // A dependency that is down (database refusing connections, pool exhausted, connection
    // reset, serialization failure) is "try again later", not a bug: the same classification
    // the event consumers use to wait an outage out instead of dead-lettering.
    if (classifyDeliveryError(original).kind === 'transient') {
      log(`dependency unavailable: ${original instanceof Error ? original.message : String(original)}`);
      return { message: 'This service is briefly unavailable; please try again in a moment', path: formatted.path, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryable: true } };
    }
    log(`unexpected error: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`);
    return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
