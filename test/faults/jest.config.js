// The fault suite (npm run test:faults) and the soak (npm run test:soak): real processes from
// the builds, on their own Redis and Kafka; not part of `npm test`.
const preset = require('../../jest.preset.js');

const config = preset(__dirname);
module.exports = {
  ...config,
  displayName: 'faults',
  rootDir: __dirname,
  testMatch: ['<rootDir>/faults.test.ts'],
  testTimeout: 180000,
};
