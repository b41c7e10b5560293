import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { randomUUID } from 'node:crypto';
import { GraphQLError, Kind, print, type DocumentNode, type GraphQLFormattedError, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { appError, ErrorCode } from '@eventix/errors';
import { boundedBuffer, INTERNAL_CREDENTIAL_HEADER, signInternalCredential, SlowConsumerError, type BoundedBuffer } from '@eventix/subgraph-kit';
import type { GatewayContext } from '../context';
import { sendFrame, serializePayload, type FrameSink } from './direct-frames';

/** The payload passed for a client without a frame sink (it takes the result itself). */
const NO_FRAME = Buffer.alloc(0);

export interface FederatedSubscriptionsOptions {
  supergraphSdl: string;
  /** The data sources the gateway fetches subgraphs with (entity fetches of each event). */
  dataSources: ServiceMap;
  /** graphql-ws URL of a subgraph. */
  wsUrl: (subgraph: string) => string;
  internalSecret: string;
  log: (message: string) => void;
  /** Events a slow client may fall behind before its stream ends with SlowConsumerError. */
  clientBuffer?: number;
  onDelivered?: (latencyMs: number) => void;
}

/**
 * One client of a shared stream. With a sink, events are written straight to its socket
 * (serialised once for all); the buffer then only carries the end of the stream (completion,
 * SlowConsumerError) to graphql-ws. Without one (tests, other transports) events go through it.
 */
interface StreamClient {
  stream: BoundedBuffer<ExecutionResult>;
  sink?: FrameSink;
}

/** One upstream stream shared by every client with the same operation and variables. */
interface SharedStream {
  /**
   * The key it is kept under. Clients refer to this string rather than to the one each built to
   * find the stream: the key holds the printed document and variables (~600 bytes), and
   * thousands of subscribers of one seat map would each keep a copy of it.
   */
  key: string;
  clients: Set<StreamClient>;
  client: Client;
  dispose: () => void;
  /**
   * Everything delivered so far, kept only for a resumable subscription (an `afterVersion`
   * argument): a client joining it late asked for every change after that version too. Dropped
   * once longer than RESUMABLE_HISTORY; later joiners then get an upstream of their own.
   */
  history?: ExecutionResult[];
}

/** Below the client buffer (256), so a late joiner's catch-up cannot overflow it. */
/**
 * Subscriptions about the caller's own data (issue #15's holdExpiring): their upstream runs with
 * the caller's user id, and only the same user's identical subscriptions share it.
 */
const PER_USER_FIELDS = new Set(['holdExpiring']);
const isPerUser = (operation: OperationDefinitionNode) => operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && PER_USER_FIELDS.has(s.name.value));

const RESUMABLE_HISTORY = 200;

/** Printed text of a document, computed once per (shared, cached) document rather than per subscriber. */
const printedDocuments = new WeakMap<DocumentNode, string>();
function printed(document: DocumentNode): string {
  let text = printedDocuments.get(document);
  if (text === undefined) printedDocuments.set(document, (text = print(document)));
  return text;
}

/** True when the subscription resumes after a version (issue #15): late joiners need its history. */
function isResumable(operation: OperationDefinitionNode, variables: Record<string, unknown>): boolean {
  return operation.selectionSet.selections.some(
    (s) =>
      s.kind === Kind.FIELD &&
      s.arguments?.some((a) => a.name.value === 'afterVersion' && (a.value.kind === Kind.VARIABLE ? variables[a.value.name.value] != null : a.value.kind !== Kind.NULL)),
  );
}

/**
 * Federated subscriptions on @apollo/gateway, the way a federation router runs them (see
 * shared/STACK.md): the query planner plans the subscription into a `primary` fetch on the
 * owning subgraph and the `rest`; the primary is opened upstream over graphql-ws with the
 * internal credential, and every event it pushes is completed by running the rest of the plan
 * (entity fetches, e.g. seat row and price from catalog) with executeQueryPlan, whose data
 * source for the primary answers with the pushed event instead of fetching.
 *
 * Identical subscriptions (same document, operation name and variables) share one upstream
 * stream per gateway instance, and each event is resolved once for all of them. That is only
 * right for operations without per-user fields — true of the public seat map; upstream
 * streams run with an anonymous credential, so nothing private can leak into them.
 *
 * This leans on internal shapes of executeQueryPlan's request context: the federation
 * packages are pinned and this module is the only place that knows them.
 */
export class FederatedSubscriptions {
  private readonly supergraph: Supergraph;
  private readonly apiSchema: Schema;
  readonly apiGraphQLSchema: GraphQLSchema;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly streams = new Map<string, SharedStream>();

  constructor(private readonly options: FederatedSubscriptionsOptions) {
    this.supergraph = Supergraph.build(options.supergraphSdl);
    this.apiSchema = this.supergraph.apiSchema();
    this.apiGraphQLSchema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(this.supergraph);
  }

  /** Upstream streams open right now (metrics and tests). */
  get upstreamCount(): number {
    return this.streams.size;
  }

  /** Clients across all upstream streams (metrics and tests). */
  get clientCount(): number {
    return [...this.streams.values()].reduce((n, s) => n + s.clients.size, 0);
  }

  /**
   * Subscribes a client; the iterable ends when the client leaves or the upstream ends. With a
   * `sink`, events are written to the client's socket directly and the iterable yields none.
   */
  subscribe(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, context: GatewayContext, sink?: FrameSink): AsyncIterable<ExecutionResult> {
    const operationName = operation.name?.value;
    const resumable = isResumable(operation, variables);
    const userId = isPerUser(operation) ? context.caller.userId : undefined;
    let key = JSON.stringify([printed(document), operationName ?? null, variables, ...(userId ? [userId] : [])]);
    let shared = this.streams.get(key);
    if (shared && resumable && !shared.history) [key, shared] = [`${key}#${randomUUID()}`, undefined];
    if (!shared) shared = this.open(key, document, operationName, variables, context, resumable, userId);
    const streamKey = shared.key;
    const client: StreamClient = { stream: boundedBuffer<ExecutionResult>(this.capacity, () => void this.leave(streamKey, client)), sink };
    // A late joiner of a resumable stream first gets what the others already had, in order.
    for (const result of shared.history ?? []) this.deliver(client, result, sink ? serializePayload(result) : NO_FRAME);
    shared.clients.add(client);
    return client.stream.iterator;
  }

  async close(): Promise<void> {
    for (const [key, shared] of this.streams) {
      this.streams.delete(key);
      shared.clients.forEach((c) => c.stream.end());
      shared.dispose();
      await shared.client.dispose();
    }
  }

  /** Events a client may fall behind before its stream ends with SlowConsumerError. */
  private get capacity(): number {
    return this.options.clientBuffer ?? 256;
  }

  /** Every client gets the event; it is serialised once, when a client needs it as bytes. */
  private broadcast(shared: SharedStream, result: ExecutionResult): void {
    shared.history?.push(result);
    if ((shared.history?.length ?? 0) > RESUMABLE_HISTORY) shared.history = undefined;
    let payload: Buffer | undefined;
    for (const client of shared.clients) this.deliver(client, result, client.sink ? (payload ??= serializePayload(result)) : NO_FRAME);
  }

  private deliver(client: StreamClient, result: ExecutionResult, payload: Buffer): void {
    if (!client.sink) return client.stream.push(result);
    if (!sendFrame(client.sink, payload, this.capacity)) client.stream.fail(new SlowConsumerError(this.capacity));
  }

  private open(key: string, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>, context: GatewayContext, resumable = false, userId?: string): SharedStream {
    const plan = this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
    if (plan.node?.kind !== 'Subscription') throw new Error('not a subscription plan');
    const { primary, rest } = plan.node;
    const client = createClient({
      url: this.options.wsUrl(primary.serviceName),
      webSocketImpl: WebSocket,
      lazy: true,
      keepAlive: 10_000,
      // No reconnect: graphql-ws would resubscribe silently after a dropped socket, and the
      // changes pushed while it was down would be a gap no client hears about (and retries
      // with backoff are a 30-second stall). Instead each client gets SERVICE_UNAVAILABLE at
      // once, refetches and resubscribes (docs/live-updates-during-outages.md).
      retryAttempts: 0,
      connectionParams: async () => ({ [INTERNAL_CREDENTIAL_HEADER]: await signInternalCredential(this.options.internalSecret, { userId, permissions: [] }, primary.serviceName) }),
    });
    const shared: SharedStream = { key, clients: new Set(), client, dispose: () => undefined, history: resumable ? [] : undefined };
    const broadcast = (result: ExecutionResult) => this.broadcast(shared, result);
    const end = (error?: unknown) => {
      if (this.streams.get(key) !== shared) return;
      this.streams.delete(key);
      // The subgraph's own refusal (e.g. NOT_FOUND for an unknown event) is passed on as is;
      // a lost connection becomes SERVICE_UNAVAILABLE so the client knows to resubscribe.
      if (Array.isArray(error)) broadcast({ errors: (error as GraphQLFormattedError[]).map(toGraphQLError) });
      else if (error) broadcast({ errors: [liveStreamInterrupted()] });
      shared.clients.forEach((c) => c.stream.end());
      void client.dispose();
    };
    // Events are resolved one after another so clients see them in upstream order.
    let chain = Promise.resolve();
    shared.dispose = client.subscribe<Record<string, unknown>>(
      { query: primary.operation, operationName: primary.operationName, variables: pick(variables, primary.variableUsages) },
      {
        next: (event) => {
          const received = Date.now();
          chain = chain
            .then(async () => {
              const result =
                event.data && !event.errors?.length
                  ? await this.resolveRest(document, operationName, variables, context, primary, rest, event.data)
                  : { errors: (event.errors ?? []).map(toGraphQLError), data: null };
              broadcast(result as ExecutionResult);
              this.options.onDelivered?.(Date.now() - received);
            })
            .catch((error: Error) => this.options.log(`subscription: resolving an event failed: ${error.message}`));
        },
        error: (error) => {
          if (!Array.isArray(error)) this.options.log(`subscription: upstream ${primary.serviceName} failed: ${describeUpstreamError(error)}`);
          end(error ?? new Error('upstream error'));
        },
        // After the events still being resolved: a stream that ends right after its last event
        // (holdExpiring's final message) must deliver that event first.
        complete: () => void chain.then(() => end()),
      },
    );
    this.streams.set(key, shared);
    return shared;
  }

  private async leave(key: string, client: StreamClient): Promise<void> {
    const shared = this.streams.get(key);
    if (!shared) return;
    shared.clients.delete(client);
    if (shared.clients.size) return;
    // The last client left: close the upstream stream.
    this.streams.delete(key);
    shared.dispose();
    await shared.client.dispose();
  }

  /** Runs `primary` (answered by the pushed event) then `rest` through executeQueryPlan. */
  private async resolveRest(
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown>,
    context: GatewayContext,
    primary: FetchNode,
    rest: PlanNode | undefined,
    pushed: Record<string, unknown>,
  ): Promise<ExecutionResult> {
    const plan: QueryPlan = { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] } : primary };
    const real = this.options.dataSources[primary.serviceName];
    const pushedSource: GraphQLDataSource = {
      process: async (request) => (request.request.query === primary.operation ? { data: pushed } : real.process(request)),
    };
    const serviceMap: ServiceMap = { ...this.options.dataSources, [primary.serviceName]: pushedSource };
    const operationContext = buildOperationContext({ schema: this.apiGraphQLSchema, operationDocument: document, operationName });
    const requestContext = {
      request: { query: printed(document), operationName, variables },
      document,
      source: printed(document),
      operationName: operationName ?? null,
      operation: operationContext.operation,
      context,
      schema: this.apiGraphQLSchema,
      logger: { debug: () => undefined, info: () => undefined, warn: this.options.log, error: this.options.log },
      metrics: {},
      cache: undefined,
      queryHash: '',
      schemaHash: '',
      overallCachePolicy: undefined,
    } as unknown as GatewayGraphQLRequestContext<GatewayContext>;
    return executeQueryPlan(plan, serviceMap, requestContext as GatewayGraphQLRequestContext, operationContext, this.supergraphSchema, this.apiSchema);
  }
}

/**
 * What every client of an upstream stream that broke gets: SERVICE_UNAVAILABLE, so it refetches
 * and subscribes again. No `http` extension: it travels over graphql-ws, where an HTTP status
 * means nothing (booking's liveUpdatesInterrupted, the same signal one hop upstream).
 */
const liveStreamInterrupted = () =>
  appError(ErrorCode.SERVICE_UNAVAILABLE, 'The live update stream was interrupted; refetch and subscribe again', {}, { status: false });

/** A lost socket arrives as a CloseEvent, not an Error: log its code and reason. */
function describeUpstreamError(error: unknown): string {
  if (error instanceof Error) return error.message;
  const close = error as { code?: number; reason?: string };
  return typeof close?.code === 'number' ? `socket closed (${close.code}${close.reason ? ` ${close.reason}` : ''})` : String(error);
}

/** graphql-ws serialises errors it sends with toJSON: upstream errors arrive as plain objects. */
function toGraphQLError(error: GraphQLFormattedError): GraphQLError {
  return new GraphQLError(error.message, { path: error.path, extensions: error.extensions });
}

function pick(variables: Record<string, unknown>, names: string[] | undefined): Record<string, unknown> {
  return Object.fromEntries((names ?? []).filter((n) => n in variables).map((n) => [n, variables[n]]));
}
