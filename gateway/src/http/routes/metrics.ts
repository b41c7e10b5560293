import type { Registry } from 'prom-client';
import type { Route } from '@eventix/subgraph-kit';

/** GET /metrics: the gateway's Prometheus registry in the text exposition format. */
export function metricsRoute(registry: Registry): Record<string, Route> {
  return {
    'GET /metrics': async (_req, _body, res) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
    },
  };
}
