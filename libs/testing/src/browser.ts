// A headless Chromium for the browser tests (apps/*/test/**/*.browser.spec.ts) and the `ui` bench:
// Debian's chromium package (scripts/browser.js checks for it or installs it), driven by playwright-core,
// which downloads nothing. The flags keep it from reaching for Google's services: on a closed network
// those are refused connections by the hundred.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Chromium's flags here: no sandbox (containers, CI), no GPU, and nothing it fetches by itself. */
export const CHROMIUM_ARGS: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** CHROMIUM_PATH, or Debian's /usr/bin/chromium (what scripts/browser.js checks or installs). */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** A headless Chromium; throws (never skips) when there is none or it does not start. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: run node scripts/browser.js (it installs Debian's chromium package), or set CHROMIUM_PATH`);
  }
  try {
    return await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  } catch (error) {
    throw new Error(`Chromium at ${executablePath} did not start: ${(error as Error).message}`, { cause: error });
  }
}
