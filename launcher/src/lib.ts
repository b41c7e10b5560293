// What the launcher offers other workspaces (its package `exports`): assembling every service of
// the platform in one process, as `npm start` does — the test harness in @eventix/testing starts
// the platform through this, so tests run exactly what users run.
export { startPlatform, type Platform } from './platform';
export { loadLauncherConfig, type LauncherConfig } from './env';
export type { Infrastructure } from './infrastructure';
