import type { Caller } from '@eventix/subgraph-kit';

/** Per-request state of the gateway. */
export interface GatewayContext {
  caller: Caller;
  /** Client address, for anonymous rate limits. */
  clientIp: string;
  /** Correlates this request's log lines across the gateway and the subgraphs it calls. */
  requestId: string;
}
