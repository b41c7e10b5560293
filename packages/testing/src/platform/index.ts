// `@eventix/testing/platform`: the whole platform for tests, as `npm start` assembles it (kept out
// of the package's main entry so that tests of the libraries do not load every service).
export { onSaleEvent, startTestPlatform, type OnSaleEventOptions, type PlatformHarness } from './platform-harness';
