import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';

/**
 * Federation 2 directives a subgraph may use in `@Directive(...)`. v2.9 brings the IBM cost
 * directives (`@cost`, `@listSize`), which composition copies into the supergraph for the
 * gateway's cost analysis.
 */
const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@cost", "@listSize"])`;

export type ReferenceResolvers = Record<string, { __resolveReference: (reference: never, context: never) => unknown }>;

export interface FederatedSchemaOptions extends Omit<BuildSchemaOptions, 'skipCheck' | 'validate'> {
  /** `__resolveReference` per entity type name; each should batch through a DataLoader-like loader. */
  references?: ReferenceResolvers;
}

/**
 * Builds a subgraph schema from type-graphql classes the way type-graphql's federation-2 example
 * does: build, print with directives, prefix the federation `@link`, and hand SDL plus resolvers
 * to `buildSubgraphSchema`. One helper for every subgraph keeps them identical.
 */
export async function buildFederatedSchema(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  const { references, ...buildOptions } = options;
  // skipCheck: a subgraph may have no Query of its own; validation is done by our own rules.
  const schema = await buildSchema({ ...buildOptions, skipCheck: true, validate: false });
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, reference] of Object.entries(references ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...reference } as GraphQLResolverMap<unknown>[string];
  }
  return buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
    resolvers,
  });
}
