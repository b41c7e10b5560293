import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayContext } from '../context';

/** The gateway's Prometheus metrics, on a registry of its own (one per gateway instance). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'eventix_gateway_requests_total',
    help: 'GraphQL operations by operation name and outcome (ok or the first error code)',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'eventix_gateway_request_duration_seconds',
    help: 'Time from request start to response, by operation name',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly subgraphFetch = new Histogram({
    name: 'eventix_gateway_subgraph_fetch_duration_seconds',
    help: 'Time of each fetch from the gateway to a subgraph',
    labelNames: ['subgraph'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly subgraphFetchShared = new Counter({
    name: 'eventix_gateway_subgraph_fetch_shared_total',
    help: 'Subgraph fetches answered by an identical in-flight fetch of the same caller identity instead of a request of their own',
    labelNames: ['subgraph'],
    registers: [this.registry],
  });
  readonly shed = new Counter({
    name: 'eventix_gateway_admission_shed_total',
    help: 'GraphQL requests refused with RATE_LIMITED (429) because the process was at capacity, by reason (queue_full, wait_timeout)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly seatMapCache = new Counter({
    name: 'eventix_gateway_seat_map_cache_total',
    help: 'Seat-map queries by what the seat-map cache did: hit (answered from memory), refresh (an earlier answer with booking\'s values read afresh, then kept), miss (planned, then kept) or uncacheable (a draft, an event booking does not know yet, or a subgraph that did not give its key)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'eventix_gateway_rate_limit_rejections_total',
    help: 'Operations refused with RATE_LIMITED, by budget',
    labelNames: ['bucket'],
    registers: [this.registry],
  });

  /** Cost after the supergraph's IBM cost directives (see cost.ts), before planning and from the result. */
  readonly costEstimated = new Histogram({
    name: 'eventix_gateway_operation_cost_estimated',
    help: 'Estimated cost of each operation (IBM cost directives), refused ones included',
    buckets: [1, 10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 1_000_000],
    registers: [this.registry],
  });
  readonly costActual = new Histogram({
    name: 'eventix_gateway_operation_cost_actual',
    help: 'Actual cost of each executed operation, from the lengths of the lists it returned',
    buckets: [1, 10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 1_000_000],
    registers: [this.registry],
  });

  readonly openSockets = new Gauge({ name: 'eventix_gateway_ws_open_sockets', help: 'Open graphql-ws sockets', registers: [this.registry] });
  readonly upstreamStreams = new Gauge({ name: 'eventix_gateway_subscription_upstreams', help: 'Upstream subscription streams open to subgraphs', registers: [this.registry] });
  readonly eventsDelivered = new Counter({ name: 'eventix_gateway_subscription_events_total', help: 'Subscription events resolved and handed to clients', registers: [this.registry] });
  readonly deliveryLatency = new Histogram({
    name: 'eventix_gateway_subscription_delivery_seconds',
    help: 'Time from an upstream event to its resolved result being handed to clients',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'eventix_gateway_' });
  }

  /** In-flight and queued requests, read from the limiter when scraped (nothing to update per request). */
  observeAdmission(state: { inFlight: number; queued: number }): void {
    new Gauge({ name: 'eventix_gateway_in_flight_requests', help: 'GraphQL requests running in this process', registers: [this.registry], collect() { this.set(state.inFlight); } });
    new Gauge({ name: 'eventix_gateway_queued_requests', help: 'GraphQL requests waiting for a slot in this process', registers: [this.registry], collect() { this.set(state.queued); } });
  }
}

/** Operation names are client-chosen: keep label values short and tame. */
const label = (name: string | null | undefined) => (name && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? name : 'anonymous');

export function useMetrics(metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      const stop = metrics.latency.startTimer();
      return {
        async willSendResponse({ response, operationName }) {
          const name = label(operationName ?? request.operationName);
          stop({ operation: name });
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const outcome = errors?.length ? String(errors[0].extensions?.code ?? 'ERROR') : 'ok';
          metrics.requests.inc({ operation: name, outcome });
        },
      };
    },
  };
}
