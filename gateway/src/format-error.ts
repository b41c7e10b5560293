import type { GraphQLFormattedError } from 'graphql';
import { formatError } from '@eventix/subgraph-kit';
import { withLiteralInputErrors } from './plugins/input-validation';
import { tokenLimitError } from './plugins/operation-limits';
import { persistedQueryError } from './persisted-query-errors';
import { withoutSubgraphNames } from './subgraph-data-source';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** In production, validation messages must not suggest field names ("Did you mean ...?"). */
function withoutSuggestions(format: FormatError): FormatError {
  return (formatted, error) => {
    const result = format(formatted, error);
    return { ...result, message: result.message.replace(/ Did you mean .+\?$/, '') };
  };
}

/** Parse-time token limit errors are reported as the contract's OPERATION_TOO_COMPLEX. */
function withTokenLimit(format: FormatError, maxTokens: number): FormatError {
  return (formatted, error) => tokenLimitError(formatted, maxTokens) ?? format(formatted, error);
}

/** Apollo Server's uncoded refusals of a malformed persisted query are the client's BAD_REQUEST. */
function withPersistedQueryErrors(format: FormatError): FormatError {
  return (formatted, error) => persistedQueryError(formatted, error) ?? format(formatted, error);
}

export interface GatewayFormatErrorOptions {
  production: boolean;
  maxTokens: number;
  log: (message: string) => void;
}

/**
 * What a client sees of an error: contract codes kept and everything else masked (the shared
 * formatError), then the gateway's own rewrites — token limit, malformed persisted queries and
 * bad literals in contract terms, no field-name suggestions in production, no subgraph names.
 */
export function gatewayFormatError({ production, maxTokens, log }: GatewayFormatErrorOptions): FormatError {
  const masked = production ? withoutSuggestions(formatError(log)) : formatError(log);
  return withoutSubgraphNames(withLiteralInputErrors(withTokenLimit(withPersistedQueryErrors(masked), maxTokens)));
}
