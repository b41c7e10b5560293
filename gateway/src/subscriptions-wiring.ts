import type { GatewayConfig } from './env';
import type { GatewayMetrics } from './plugins/metrics';
import type { SubgraphDataSource } from './subgraph-data-source';
import { FederatedSubscriptions } from './subscriptions/federated-subscriptions';

export interface GatewaySubscriptionsOptions {
  config: GatewayConfig;
  log: (message: string) => void;
  metrics: GatewayMetrics;
  /** The supergraph the gateway started with (subscriptions are planned against it). */
  supergraphSdl: string;
  dataSources: Record<string, SubgraphDataSource>;
}

/** The federated subscription executor on the gateway's data sources, reporting to its metrics. */
export function gatewaySubscriptions({ config, log, metrics, supergraphSdl, dataSources }: GatewaySubscriptionsOptions): FederatedSubscriptions {
  const urls: Record<string, string> = config.subgraphUrls;
  const subscriptions: FederatedSubscriptions = new FederatedSubscriptions({
    supergraphSdl,
    dataSources,
    wsUrl: (name) => urls[name].replace(/^http/, 'ws'),
    internalSecret: config.internalSecret,
    log,
    onDelivered: (ms) => {
      metrics.eventsDelivered.inc();
      metrics.deliveryLatency.observe(ms / 1000);
      metrics.upstreamStreams.set(subscriptions.upstreamCount);
    },
  });
  return subscriptions;
}
