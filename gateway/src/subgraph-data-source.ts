import http from 'node:http';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { appError, ErrorCode, isErrorCode } from '@eventix/errors';
import { INTERNAL_CREDENTIAL_HEADER, REQUEST_ID_HEADER, signInternalCredential, type Logger } from '@eventix/subgraph-kit';
import { context as otelContext, propagation } from '@eventix/telemetry';
import type { GatewayContext } from './context';
import type { GatewayMetrics } from './plugins/metrics';
import { restrictCachePolicy } from './subgraph-fetch/cache-policy';
import { dedupKey } from './subgraph-fetch/dedup-key';
import { DEFAULT_SUBGRAPH_CONNECTIONS, SubgraphHttpClient, type SubgraphAnswer } from './subgraph-fetch/http-client';
import { InFlight } from './subgraph-fetch/in-flight';
import { wholeFetchRefusal } from './subgraph-fetch/refusal';

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
  connections?: number;
  /** Concurrent identical query fetches of one caller identity share one request (default on). */
  dedup?: boolean;
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

const callerOf = (context: Partial<GatewayContext>) => context.caller ?? { permissions: [] };

/**
 * Forwards each request to a subgraph with a credential only the gateway can mint, and turns
 * the ways a subgraph can be down — connection refused or reset, no answer within
 * `timeoutMs`, an HTTP 5xx without a contract error — into SERVICE_UNAVAILABLE instead of
 * @apollo/gateway's raw fetch error (which the gateway would mask as INTERNAL_SERVER_ERROR,
 * leaving a client unable to tell "retry later" from a bug). Done here rather than in
 * formatError because only the data source still knows which subgraph failed and whether any
 * answer came back; @apollo/gateway puts whatever `process` throws into the response's
 * errors and keeps the other fetches' data.
 *
 * `process` replaces RemoteGraphQLDataSource's own (kept as the base class for its type): that
 * one builds node-fetch Headers and a Request per fetch and goes through make-fetch-happen;
 * this one posts with undici and shares concurrent identical query fetches (see dedup-key.ts).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly options: SubgraphDataSourceOptions;
  private readonly client: SubgraphHttpClient;
  private readonly timeoutMs: number;
  private readonly inFlight: InFlight<SubgraphAnswer>;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.options = options;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS;
    this.client = new SubgraphHttpClient({ url: options.url, connections: options.connections ?? DEFAULT_SUBGRAPH_CONNECTIONS });
    this.inFlight = new InFlight(() => options.metrics.subgraphFetchShared.inc({ subgraph: options.subgraph }));
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const stop = this.options.metrics.subgraphFetch.startTimer({ subgraph: this.options.subgraph });
    try {
      const { request } = options;
      const context: Partial<GatewayContext> = options.context;
      if (!request.query) throw new Error('Missing query');
      const caller = callerOf(context);
      const forwarded: Record<string, string> = {};
      if (request.http?.headers) for (const [name, value] of request.http.headers) forwarded[name] = value;
      const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
      const send = () => this.send(body, forwarded, caller, context.requestId);
      const key = this.options.dedup === false ? undefined : dedupKey(this.options.subgraph, options, caller, body, forwarded);
      const answer = await (key ? this.inFlight.run(key, send) : send()).catch((error: Error) => this.unavailable(error, context.requestId));
      const response = await this.toResponse(answer, context.requestId);
      if (options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION) {
        restrictCachePolicy(options.incomingRequestContext, answer.cacheControl);
        const refusal = wholeFetchRefusal(response, options.pathInIncomingRequest, this.options.subgraph);
        if (refusal) throw refusal;
      }
      return response;
    } finally {
      stop();
    }
  }

  /**
   * A read of the gateway's own for an incoming operation (the seat-map cache's keys): sent,
   * shared and failed like the plan's fetches, as the operation's caller.
   */
  readFor(requestContext: GatewayGraphQLRequestContext<GatewayContext>, context: GatewayContext, query: string, variables: Record<string, unknown>): Promise<GatewayGraphQLResponse> {
    return this.process({ kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION, request: { query, variables }, context, incomingRequestContext: requestContext });
  }

  /** Closes the connections to the subgraph (the gateway's stop). */
  close(): Promise<void> {
    return this.client.close();
  }

  private async send(body: string, forwarded: Record<string, string>, caller: GatewayContext['caller'], requestId: string | undefined): Promise<SubgraphAnswer> {
    const headers: Record<string, string> = { ...forwarded, 'content-type': 'application/json' };
    headers[INTERNAL_CREDENTIAL_HEADER] = await signInternalCredential(this.options.internalSecret, caller, this.options.subgraph);
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    // undici is not patched by OpenTelemetry's http instrumentation: carry the trace context
    // ourselves so the subgraph's spans join the gateway's trace (a no-op when tracing is off).
    propagation.inject(otelContext.active(), headers);
    return this.client.post(body, headers, this.timeoutMs);
  }

  /** The answer as a GraphQL response, parsed afresh for this request; failures mapped as the class says. */
  private async toResponse(answer: SubgraphAnswer, requestId: string | undefined): Promise<GatewayGraphQLResponse> {
    if (answer.status < 200 || answer.status > 299) {
      const error = this.errorFromAnswer(answer);
      if (error instanceof UnavailableAnswer) return this.unavailable(error, requestId);
      throw error;
    }
    const isJson = answer.contentType?.startsWith('application/json') || answer.contentType?.startsWith('application/graphql-response+json');
    const body: unknown = isJson ? JSON.parse(answer.text) : answer.text;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error(`Expected JSON response body, but received: ${answer.text.slice(0, 200)}`);
    return body as GatewayGraphQLResponse;
  }

  /**
   * A non-2xx answer. A subgraph's own contract error (e.g. its SERVICE_UNAVAILABLE for busy
   * seats, sent with HTTP 503) is passed on as the subgraph worded it; any other 5xx means the
   * subgraph (or a proxy in front of it) is failing. Apollo's default would copy the subgraph's
   * URL into the response's extensions.
   */
  private errorFromAnswer(answer: SubgraphAnswer): GraphQLError {
    const first = parseErrors(answer.text)?.[0];
    const code = forwardableCode(first);
    if (first && code) {
      // The subgraph's HTTP status was for the gateway; the gateway's own rules set the client's.
      const { http: _http, stacktrace: _stacktrace, code: _code, ...extensions } = first.extensions ?? {};
      return appError(code, first.message, extensions, { status: false });
    }
    if (answer.status >= 500) return new UnavailableAnswer(`HTTP ${answer.status} ${answer.statusText || http.STATUS_CODES[answer.status] || ''}`.trim());
    // A value the subgraph's own scalar or type refused (the gateway's input validation checks
    // values first, so this is a backstop): the caller's input error, worded by the subgraph.
    if (answer.status === 400 && first && isValueRejection(first.message)) {
      return appError(ErrorCode.BAD_USER_INPUT, first.message);
    }
    // Anything else is the gateway's bug (it sent what the subgraph refused): deliberately no
    // contract code, so the gateway's formatError logs it and answers INTERNAL_SERVER_ERROR.
    return new GraphQLError(`subgraph ${this.options.subgraph} answered HTTP ${answer.status} ${answer.statusText}`);
  }

  /** No usable answer (refused, reset, timed out, 5xx): logged with its cause, SERVICE_UNAVAILABLE to the client. */
  private unavailable(error: Error, requestId: string | undefined): never {
    const cause = describe(error);
    if (this.options.logger) this.options.logger.warn({ subgraph: this.options.subgraph, requestId, cause }, 'subgraph unavailable');
    else this.options.log(`subgraph ${this.options.subgraph} unavailable (request ${requestId ?? '-'}): ${cause}`);
    throw subgraphUnavailable();
  }
}

function parseErrors(text: string): GraphQLFormattedError[] | undefined {
  try {
    return (JSON.parse(text) as { errors?: GraphQLFormattedError[] } | undefined)?.errors;
  } catch {
    return undefined;
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
