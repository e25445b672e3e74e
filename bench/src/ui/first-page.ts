// The list's first page in the browser, over the big read model (issue 12: "first page of the list on
// the 1M-Task read model rendered in ≤ 1 s"): a navigation to a list address, timed from its start (the
// page's clock) to the frame after the one that painted the page's 50 rows. Each kind of list page is
// opened `samples` times cold (a new browser context: no cache, no session; signed in by the link's
// `#token=`, as the link `npm start` prints) and `samples` times warm (the same tab, its HTTP cache
// and session kept, through about:blank: a full load each time).

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LOAD_POOLS } from '../read-side/load-rows.js';
import { firstPaintOf, firstPaintProbe, type FirstPaint } from './page-probes.js';
import { spread95, type Spread95 } from './ui-figures.js';

/** The rows of the list's first page (apps/web/src/views/TaskList.vue, PAGE_SIZE). */
export const PAGE_ROWS = 50;
const NAVIGATION_TIMEOUT_MS = 30_000;

export interface ListPage {
  readonly name: string;
  /** The UI's address of sample `k` (every one matches more than PAGE_ROWS Tasks of the loaded read model). */
  readonly path: (rnd: () => number) => string;
}

const pick = <T>(values: readonly T[], rnd: () => number): T => values[Math.floor(rnd() * values.length)]!;
const user = (rnd: () => number) => `user${Math.floor(rnd() * LOAD_POOLS.users)}`;

/** The list's addresses an admin opens: the whole list, a status filter, a search, one event (a deep link). */
export const LIST_PAGES: readonly ListPage[] = [
  { name: 'the list', path: () => '/tasks' },
  { name: 'a status filter', path: (rnd) => `/tasks?status=${pick(['failed', 'running', 'success,warning'], rnd)}` },
  { name: 'a search', path: (rnd) => `/tasks?q=${encodeURIComponent(`user = ${user(rnd)} and status = failed`)}` },
  { name: "an event's list", path: (rnd) => `/tasks?eventId=${Math.floor(rnd() * LOAD_POOLS.events)}` },
];

export interface PageTimes {
  readonly page: string;
  readonly mode: 'cold' | 'warm';
  readonly paintedMs: Spread95;
  /** The 50th row in the document (before its paint). */
  readonly rowsMs: Spread95;
  readonly domContentLoadedMs: Spread95;
  /** The list request's end, from the navigation's start. */
  readonly listAnsweredMs: Spread95;
  readonly failures: readonly string[];
}

/**
 * One navigation to `url` in `page`, up to the paint of PAGE_ROWS rows; an error names the address
 * as `path` (never the link's token) and what the page showed.
 */
async function navigate(page: Page, url: string, path: string): Promise<FirstPaint> {
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: NAVIGATION_TIMEOUT_MS });
    const handle = await page.waitForFunction(firstPaintOf, undefined, { timeout: NAVIGATION_TIMEOUT_MS, polling: 50 });
    return (await handle.jsonValue()) as FirstPaint;
  } catch (error) {
    const rows = await page.locator('[data-task-id]').count().catch(() => 0);
    const alerts = await page.getByRole('alert').allInnerTexts().catch(() => []);
    const shown = `${rows} rows${alerts.length > 0 ? `, and ${alerts.map((a) => JSON.stringify(a.replace(/\s+/g, ' ').slice(0, 200))).join(', ')}` : ''}`;
    const why = (error as Error).message.split('\n')[0]!.replaceAll(url, path).replace(/#token=[^\s"')]*/g, '#token=…');
    throw new Error(`${path}: no ${PAGE_ROWS} rows painted (${why}); the page showed ${shown}`);
  }
}

/** How many of a page's rows the API has for the UI address `path` (the list's filters have the API's names). */
async function rowsFor(base: string, token: string, path: string): Promise<number> {
  const url = new URL(`/api/v1${path}`, base);
  url.searchParams.set('limit', String(PAGE_ROWS));
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: the API answered ${response.status} to ${url.pathname}${url.search}`);
  return ((await response.json()) as { items: unknown[] }).items.length;
}

async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.addInitScript(firstPaintProbe, PAGE_ROWS);
  return context;
}

function reduce(page: string, mode: 'cold' | 'warm', paints: readonly FirstPaint[], failures: readonly string[]): PageTimes {
  return {
    page,
    mode,
    paintedMs: spread95(paints.map((p) => p.paintedMs)),
    rowsMs: spread95(paints.map((p) => p.rowsMs)),
    domContentLoadedMs: spread95(paints.flatMap((p) => (p.domContentLoadedMs === undefined ? [] : [p.domContentLoadedMs]))),
    listAnsweredMs: spread95(paints.flatMap((p) => (p.listRequest ? [p.listRequest.endMs] : []))),
    failures,
  };
}

export async function timeFirstPages(browser: Browser, base: string, token: string, samples: number, rnd: () => number, progress: (line: string) => void, stopping: () => boolean): Promise<PageTimes[]> {
  const link = (path: string) => `${base}${path}#token=${encodeURIComponent(token)}`;
  const results: PageTimes[] = [];
  // The warm tab: signed in once, its cache filled by a first load not counted.
  const warm = await newContext(browser);
  try {
    const tab = await warm.newPage();
    await navigate(tab, link('/tasks'), '/tasks');
    for (const kind of LIST_PAGES) {
      for (const mode of ['cold', 'warm'] as const) {
        const paints: FirstPaint[] = [];
        const failures: string[] = [];
        for (let k = 0; k < samples && !stopping(); k++) {
          const path = kind.path(rnd);
          try {
            const rows = await rowsFor(base, token, path);
            if (rows < PAGE_ROWS) throw new Error(`${path}: the read model has ${rows} such Tasks, fewer than a page (a bigger --tasks)`);
            if (mode === 'warm') {
              await tab.goto('about:blank');
              paints.push(await navigate(tab, `${base}${path}`, path));
            } else {
              const cold = await newContext(browser);
              try {
                paints.push(await navigate(await cold.newPage(), link(path), path));
              } finally {
                await cold.close();
              }
            }
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
        const times = reduce(kind.name, mode, paints, failures);
        results.push(times);
        progress(`ui: ${kind.name}, ${mode}: painted p50 ${times.paintedMs.p50 ?? '-'} ms, p95 ${times.paintedMs.p95 ?? '-'} ms${failures.length ? `, ${failures.length} failed` : ''}`);
      }
    }
  } finally {
    await warm.close();
  }
  return results;
}
