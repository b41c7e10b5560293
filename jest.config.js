// One root command runs every workspace's tests; the real PostgreSQL, Redis and Kafka they share
// are started once by the global setup (or taken from DATABASE_URL, REDIS_URL, KAFKA_BROKERS).
// The setup is named in jest.preset.js, so `npx jest` inside one workspace folder has them too.
module.exports = {
  projects: ['<rootDir>/packages/*/jest.config.js', '<rootDir>/gateway/jest.config.js', '<rootDir>/subgraphs/*/jest.config.js', '<rootDir>/launcher/jest.config.js', '<rootDir>/web/jest.config.js'],
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/packages/testing/summary-reporter.js'],
};
