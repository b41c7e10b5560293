// Browser tests: the real platform, the built app served by web/server, Debian's Chromium.
const preset = require('../jest.preset.js')(__dirname);
module.exports = { ...preset, testMatch: ['<rootDir>/test/**/*.test.ts'], testTimeout: 180000 };
