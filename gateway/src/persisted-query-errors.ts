import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '@eventix/errors';

/**
 * Apollo Server refuses two malformed automatic-persisted-query requests with an HTTP 400 but no
 * code of their own (requestPipeline.ts); it labels them INTERNAL_SERVER_ERROR on the way to
 * formatError, which masks and logs them as unexpected. Both are the client's mistake:
 * BAD_REQUEST, saying what to send instead.
 */
const APQ_REFUSALS: Record<string, string> = {
  'provided sha does not match query': 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query text sent with it',
  'Unsupported persisted query version': 'extensions.persistedQuery.version must be 1',
};

/** The contract's wording of one of those refusals (`error` as Apollo Server threw it), or undefined for any other error. */
export function persistedQueryError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | undefined {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return undefined;
  const message = APQ_REFUSALS[error.message];
  return message && formatted.message === error.message ? { message, extensions: { code: ErrorCode.BAD_REQUEST } } : undefined;
}
