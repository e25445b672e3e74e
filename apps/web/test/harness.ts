// What the browser tests of the admin UI share (apps/*/test/**/*.browser.spec.ts, Vitest project
// `browser`): the whole system as processes (services/task-api/test/system.ts, with the sandbox's
// simulators and SMTP sink), whose projection serves the built UI (apps/web/dist of this checkout:
// `npm run build` first) on its one origin; a headless Chromium (playwright-core; scripts/browser.js
// makes sure one exists); signing in through the URL fragment; an axe scan; screenshots that land in
// docs/screenshots/ only when UPDATE_SCREENSHOTS=1, so that a normal run leaves the tree clean.

import { AxeBuilder } from '@axe-core/playwright';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Permission, TaskScope } from '@vle/auth';
import { testToken } from '@vle/testing';
export { launchBrowser } from '@vle/testing/browser';
import type { Page } from 'playwright-core';
import { System } from '../../../services/task-api/test/system.js';

/** The checkout's root, found from this file (apps/web/test/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The built UI the projection serves in these tests. */
export const UI_DIR = join(ROOT, 'apps', 'web', 'dist');

export interface Stack {
  readonly system: System;
  /** The projection's base URL: the one origin, serving the UI and the API. */
  readonly baseUrl: string;
  /** A token as the services verify (default: every permission, subject `ui-admin`, six hours). */
  token(options?: { readonly permissions?: readonly Permission[]; readonly scope?: TaskScope; readonly subject?: string; readonly expiresInSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Boots task-api, integration-worker, projection and the sandbox as processes (a NATS namespace and a
 * database of their own), the projection serving UI_DIR. Fails when the UI is not built.
 */
export async function startStack(): Promise<Stack> {
  if (!existsSync(join(UI_DIR, 'index.html'))) throw new Error(`the web UI is not built (no ${join('apps', 'web', 'dist', 'index.html')}): run npm run build`);
  // The services are child processes of this one and inherit its environment (@vle/testing's startService).
  process.env.PROJECTION_UI_DIR = UI_DIR;
  const system = new System();
  try {
    await system.start({ integrations: {} });
  } catch (error) {
    await system.stop();
    throw error;
  }
  return {
    system,
    baseUrl: system.projection.url,
    token: (options = {}) => testToken({ subject: 'ui-admin', expiresInSeconds: 6 * 3600, ...options }),
    stop: () => system.stop(),
  };
}

/**
 * Opens the UI signed in: `${baseUrl}/#token=<JWT>`. The app reads the token from the fragment (never
 * sent to a server), keeps it in sessionStorage and strips it from the address.
 */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/#token=${encodeURIComponent(token)}`, { waitUntil: 'load' });
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly helpUrl: string;
  readonly targets: readonly string[];
}

export interface AxeReport {
  /** The serious and critical violations only. */
  readonly violations: readonly AxeViolation[];
  /** One line per violation and its elements: for an assertion's message. */
  readonly summary: string;
}

/**
 * axe-core over the page as it is now (WCAG 2.x A/AA rules): its serious and critical violations. The
 * page must come from `browser.newContext()` (AxeBuilder refuses `browser.newPage()`'s).
 */
export async function axeScan(page: Page): Promise<AxeReport> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const violations = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, helpUrl: v.helpUrl, targets: v.nodes.map((n) => n.target.join(' ')) }));
  const summary = violations.length === 0 ? 'no serious or critical violation' : violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.helpUrl}) at ${v.targets.join(', ')}`).join('\n');
  return { violations, summary };
}

let screenshotDir: string | undefined;

/**
 * A full-page screenshot: docs/screenshots/<name>.png when UPDATE_SCREENSHOTS=1 (to commit), else in
 * a temporary directory (the run leaves the tree as it was). Returns the file's path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: lower-case letters, digits and '-' only`);
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : (screenshotDir ??= mkdtempSync(join(tmpdir(), 'vle-web-screenshots-')));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
