import type { RunningGateway } from '../src/lib';

/** A metric's value from the gateway's own registry, summed over the label sets that match `labels`. */
export async function metricValue(gateway: RunningGateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await gateway.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const matches = (values: Record<string, unknown>) => Object.entries(labels).every(([k, v]) => values[k] === v);
  return (metric?.values ?? []).filter((v) => matches(v.labels)).reduce((sum, v) => sum + Number(v.value), 0);
}
