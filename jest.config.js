// One root command runs every workspace's tests; the real PostgreSQL, Redis and Kafka they share
// are started once by the global setup (or taken from DATABASE_URL, REDIS_URL, KAFKA_BROKERS).
module.exports = {
  projects: ['<rootDir>/packages/*/jest.config.js', '<rootDir>/gateway/jest.config.js', '<rootDir>/subgraphs/*/jest.config.js'],
  globalSetup: '<rootDir>/packages/testing/dist/global-setup.js',
  globalTeardown: '<rootDir>/packages/testing/dist/global-teardown.js',
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/packages/testing/summary-reporter.js'],
};
