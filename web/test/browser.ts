import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Whether browser tests can run here. In CI (CI=true) a missing Chromium is a failure, never a
 * skip: the caller's test fails with this message.
 */
export function chromiumStatus(): { ok: true } | { ok: false; message: string; mustFail: boolean } {
  if (fs.existsSync(CHROMIUM_PATH)) return { ok: true };
  return { ok: false, message: `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)`, mustFail: process.env.CI === 'true' };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
