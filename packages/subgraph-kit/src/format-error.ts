import type { GraphQLFormattedError } from 'graphql';
import { hasContractCode } from '@eventix/errors';

/**
 * Keeps contract errors (they carry an `extensions.code` from the registry) and GraphQL's own
 * validation errors, and replaces anything else — a driver error, an SQL message, a bug — by a
 * generic message, after logging the original. Users never see SQL or stack traces.
 */
export function formatError(log: (message: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (hasContractCode(formatted) || code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_REQUEST' || code === 'PERSISTED_QUERY_NOT_FOUND' || code === 'PERSISTED_QUERY_NOT_SUPPORTED' || code === 'OPERATION_RESOLUTION_FAILURE') {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = (error as { originalError?: Error }).originalError ?? error;
    log(`unexpected error: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`);
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
