// GraphQL Code Generator: typed documents for the operations in schema/operations/ against the
// composed supergraph, for tests and clients. Run with `npm run codegen`.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/supergraph.graphql',
  documents: ['schema/operations/**/*.graphql'],
  generates: {
    'packages/testing/src/generated/': {
      preset: 'client',
      config: { scalars: { DateTime: 'string', Money: 'string' }, enumsAsTypes: true },
    },
  },
  ignoreNoDocuments: true,
};

export default config;
