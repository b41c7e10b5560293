import type { ApolloGateway } from '@apollo/gateway';
import { CostModel } from '../plugins/cost';

/**
 * The cost directives of the supergraph being served: read from the initial SDL, rebuilt
 * whenever the gateway loads another one (a hot reload in development). The limits read it
 * per operation through the returned getter.
 */
export function liveCostModel(gateway: ApolloGateway, initialSdl: string): () => CostModel {
  let current = CostModel.fromSupergraph(initialSdl);
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    current = CostModel.fromSupergraph(coreSupergraphSdl);
  });
  return () => current;
}
