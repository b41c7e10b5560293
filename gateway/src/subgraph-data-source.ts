import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { appError, ErrorCode, isErrorCode } from '@eventix/errors';
import { INTERNAL_CREDENTIAL_HEADER, REQUEST_ID_HEADER, signInternalCredential, type Caller, type Logger } from '@eventix/subgraph-kit';
import type { GatewayContext } from './context';
import type { GatewayMetrics } from './plugins/metrics';

/** A subgraph that has not answered in this long is treated as unavailable. */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 15_000;

export interface SubgraphDataSourceOptions {
  subgraph: string;
  url: string;
  internalSecret: string;
  metrics: GatewayMetrics;
  log: (message: string) => void;
  logger?: Logger;
  timeoutMs?: number;
}

/** Marks a 5xx answer so didEncounterError reports it like a refused connection. */
class UnavailableAnswer extends GraphQLError {}

/**
 * What a client sees when a subgraph cannot be reached or fails: retryable, and naming no
 * subgraph, URL, host or port (those go to the log with the request id). No `http.status`:
 * the other subgraphs' data may still be in the same response, and a 503 would make HTTP
 * clients drop it; the gateway's status rules apply as for any other error.
 */
export function subgraphUnavailable(): GraphQLError {
  return appError(ErrorCode.SERVICE_UNAVAILABLE, 'A service needed for this request is temporarily unavailable; please retry shortly', {}, { status: false });
}

/**
 * A subgraph's error the client may see as the subgraph worded it: a contract code about the
 * caller's request. Not INTERNAL_SERVER_ERROR (a failure, reported as unavailable or masked),
 * nor BAD_REQUEST (the subgraph refusing the HTTP request the gateway made is the gateway's bug).
 */
function forwardableCode(error: GraphQLFormattedError | undefined): ErrorCode | undefined {
  const code = error?.extensions?.code;
  return isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR && code !== ErrorCode.BAD_REQUEST ? code : undefined;
}

/**
 * Forwards each request to a subgraph with a credential only the gateway can mint, and turns
 * the ways a subgraph can be down — connection refused or reset, no answer within
 * `timeoutMs`, an HTTP 5xx without a contract error — into SERVICE_UNAVAILABLE instead of
 * @apollo/gateway's raw fetch error (which the gateway would mask as INTERNAL_SERVER_ERROR,
 * leaving a client unable to tell "retry later" from a bug). Done here rather than in
 * formatError because only the data source still knows which subgraph failed and whether any
 * answer came back; @apollo/gateway puts whatever `process` throws into the response's
 * errors and keeps the other fetches' data.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly options: SubgraphDataSourceOptions;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.options = options;
    const fetcher = this.fetcher;
    const timeoutMs = options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS;
    this.fetcher = (url, init) => fetcher(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const caller: Caller = 'caller' in context && context.caller ? context.caller : { permissions: [] };
    request.http?.headers.set(INTERNAL_CREDENTIAL_HEADER, await signInternalCredential(this.options.internalSecret, caller, this.options.subgraph));
    if ('requestId' in context && context.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const stop = this.options.metrics.subgraphFetch.startTimer({ subgraph: this.options.subgraph });
    try {
      return await super.process(options);
    } finally {
      stop();
    }
  }

  /**
   * A non-2xx answer. A subgraph's own contract error (e.g. its SERVICE_UNAVAILABLE for busy
   * seats, sent with HTTP 503) is passed on as the subgraph worded it; any other 5xx means the
   * subgraph (or a proxy in front of it) is failing. The default would copy the subgraph's URL
   * into the response's extensions.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const body: unknown = await response.text().then(
      (text) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      },
      () => undefined,
    );
    const first = (body as { errors?: GraphQLFormattedError[] } | undefined)?.errors?.[0];
    const code = forwardableCode(first);
    if (first && code) {
      // The subgraph's HTTP status was for the gateway; the gateway's own rules set the client's.
      const { http: _http, stacktrace: _stacktrace, code: _code, ...extensions } = first.extensions ?? {};
      return appError(code, first.message, extensions, { status: false });
    }
    if (response.status >= 500) return new UnavailableAnswer(`HTTP ${response.status} ${response.statusText}`);
    // A value the subgraph's own scalar or type refused (the gateway's input validation checks
    // values first, so this is a backstop): the caller's input error, worded by the subgraph.
    if (response.status === 400 && first && isValueRejection(first.message)) {
      return appError(ErrorCode.BAD_USER_INPUT, first.message);
    }
    // Anything else is the gateway's bug (it sent what the subgraph refused): deliberately no
    // contract code, so the gateway's formatError logs it and answers INTERNAL_SERVER_ERROR.
    return new GraphQLError(`subgraph ${this.options.subgraph} answered HTTP ${response.status} ${response.statusText}`);
  }

  /** Called by sendRequest with every failure; `fetchResponse` is unset when no answer came. */
  override didEncounterError(error: Error, _fetchRequest: unknown, fetchResponse?: FetcherResponse, context?: GatewayContext): void {
    if (fetchResponse && !(error instanceof UnavailableAnswer)) throw error;
    const requestId = context?.requestId;
    const cause = describe(error);
    if (this.options.logger) this.options.logger.warn({ subgraph: this.options.subgraph, requestId, cause }, 'subgraph unavailable');
    else this.options.log(`subgraph ${this.options.subgraph} unavailable (request ${requestId ?? '-'}): ${cause}`);
    throw subgraphUnavailable();
  }
}

/** graphql-js's wording for a literal or variable value its type refused. */
const isValueRejection = (message: string) => /^(Expected value of type|Variable "\$\w+" got invalid value)/.test(message);

/** The fetch error with its system code (ECONNREFUSED, ECONNRESET, ...) or abort reason. */
function describe(error: Error): string {
  const code = (error as { code?: string }).code;
  return `${error.name}: ${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`;
}

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * @apollo/gateway adds `extensions.serviceName` to every error a subgraph returns. Clients
 * branch on `code`; which subgraph answered is topology, kept for the logs.
 */
export function withoutSubgraphNames(format: FormatError): FormatError {
  return (formatted, error) => {
    const result = format(formatted, error);
    if (!result.extensions || !('serviceName' in result.extensions)) return result;
    const { serviceName: _serviceName, ...extensions } = result.extensions;
    return { ...result, extensions };
  };
}
