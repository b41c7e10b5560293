import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { subgraphSdl, type SubgraphName } from './subgraph-sdl';

export class CompositionError extends Error {
  constructor(readonly problems: string[]) {
    super(`composition failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

/** Placeholder routing URLs; the gateway overrides them from its configuration at start-up. */
export const defaultSubgraphUrls: Record<SubgraphName, string> = {
  catalog: 'http://127.0.0.1:4001/graphql',
  booking: 'http://127.0.0.1:4002/graphql',
  payment: 'http://127.0.0.1:4003/graphql',
};

/** Composes the supergraph from the subgraphs' SDL with @apollo/composition. */
export async function composeSupergraph(): Promise<string> {
  const sdl = await subgraphSdl();
  const result = composeServices(
    Object.entries(sdl).map(([name, typeDefs]) => ({ name, url: defaultSubgraphUrls[name as SubgraphName], typeDefs: parse(typeDefs) })),
  );
  if (result.errors?.length) throw new CompositionError(result.errors.map((e) => e.message));
  if (!result.supergraphSdl) throw new CompositionError(['no supergraph produced']);
  return result.supergraphSdl;
}
