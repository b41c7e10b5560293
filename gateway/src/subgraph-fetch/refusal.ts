import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { ErrorCode, isErrorCode, withoutStackTrace } from '@eventix/errors';

/**
 * A root fetch the subgraph refused as a whole — no data, one error with a contract code: a
 * seat taken, a booking not found — as the GraphQLError @apollo/gateway would make of it
 * (`downstreamServiceError`: the subgraph's message, its path, its extensions plus
 * `serviceName`), to be thrown from the data source, which @apollo/gateway puts into the
 * response's errors as it is.
 *
 * Why: built by @apollo/gateway it gets a stack trace, captured twice by graphql-js's
 * constructor, deep inside optimized code — ~40 µs of the gateway's CPU for every refusal, 7 %
 * of its busy time when 63 buyers of one seat were refused at once (profiled). A refusal is an
 * answer, not a fault anyone debugs from a stack, as the contract's own errors are built
 * (`appError`). Returns undefined for everything else, which @apollo/gateway handles as before:
 * partial data, several errors, a fetch below the root (its error paths are mapped into the
 * response by @apollo/gateway), no message, and INTERNAL_SERVER_ERROR or an uncoded error
 * (failures, which keep their stack). One visible difference, with tracing on: the refused
 * fetch's span is marked failed, as the operation's span around it always was.
 */
export function wholeFetchRefusal(response: GatewayGraphQLResponse, pathInIncomingRequest: ReadonlyArray<string | number> | undefined, serviceName: string): GraphQLError | undefined {
  // A root fetch starts at the response's root (path []): its error paths are the subgraph's own.
  if (response.data != null || pathInIncomingRequest?.length !== 0 || response.errors?.length !== 1) return undefined;
  const [refusal] = response.errors;
  const code = refusal.extensions?.code;
  if (typeof refusal.message !== 'string' || !refusal.message || !isErrorCode(code) || code === ErrorCode.INTERNAL_SERVER_ERROR) return undefined;
  return withoutStackTrace(
    () =>
      new GraphQLError(refusal.message, {
        // As @apollo/gateway passes it: the subgraph's error as it was parsed from the answer.
        originalError: refusal as unknown as Error,
        path: refusal.path ? [...refusal.path] : undefined,
        extensions: { ...refusal.extensions, serviceName },
      }),
  );
}
