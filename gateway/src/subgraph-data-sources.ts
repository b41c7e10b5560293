import type { ServiceEndpointDefinition } from '@apollo/gateway';
import { SubgraphDataSource, type SubgraphDataSourceOptions } from './subgraph-data-source';

export interface SubgraphDataSourcesOptions extends Omit<SubgraphDataSourceOptions, 'subgraph' | 'url'> {
  /** Routing URL of each subgraph, from configuration (the supergraph's are overridden). */
  urls: Record<string, string>;
}

export interface SubgraphDataSources {
  /** One per configured subgraph, shared by queries and the subscription executor. */
  byName: Record<string, SubgraphDataSource>;
  /** @apollo/gateway's `buildService`: the configured data source, or one for a subgraph the configuration does not name. */
  buildService: (service: ServiceEndpointDefinition) => SubgraphDataSource;
  /** Closes every data source's connections. */
  close(): Promise<void>;
}

export function subgraphDataSources({ urls, ...options }: SubgraphDataSourcesOptions): SubgraphDataSources {
  const created: SubgraphDataSource[] = [];
  const create = (subgraph: string, url: string) => {
    const source = new SubgraphDataSource({ ...options, subgraph, url });
    created.push(source);
    return source;
  };
  const byName = Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, create(name, url)]));
  return {
    byName,
    buildService: ({ name, url }) => byName[name] ?? create(name, String(url)),
    close: async () => void (await Promise.all(created.map((source) => source.close()))),
  };
}
