// `ui`: the speed of the admin UI (issue 12, "Speed") in Chromium, on the pipeline whose projection
// serves it. PostgreSQL first writes `--tasks` Tasks into the read model (read-side/load-rows.ts, as
// the `read-side` bench does); then the list's first page is timed on it (ui/first-page.ts) and a
// burst of live changes is run on the open list (ui/burst.ts), the parts `--parts` names.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UiOptions } from '../cli/command-line.js';
import { PIPELINE_SERVICES } from '../pipeline/checkout.js';
import { PipelineSystem } from '../pipeline/system.js';
import { loadRows } from '../read-side/load-rows.js';
import { num } from '../report/format.js';
import { table } from '../report/table.js';
import { machine } from '../run/machine.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import { EXIT, type RunGuard } from '../run/run-guard.js';
import { round } from '../stats/summary.js';
import { runBurst, type BurstFigures } from '../ui/burst.js';
import { LIST_PAGES, PAGE_ROWS, timeFirstPages, type PageTimes } from '../ui/first-page.js';
import { launchBrowser } from '@vle/testing/browser';
import { random } from '@vle/testing';

const TARGET_FIRST_PAGE_MS = 1000;
/** bench/profiles/, where --cpu-prof writes the services' profiles too. */
const PROFILES = fileURLToPath(new URL('../../profiles/', import.meta.url));
const TARGET_LONG_TASK_MS = 200;

/** The projection must serve the built UI (apps/web/dist): a 503 page says it is not built. */
async function checkUiServed(base: string): Promise<void> {
  const response = await fetch(`${base}/`);
  const body = await response.text();
  if (response.status !== 200 || !body.includes('<div id="app"')) {
    throw new Error(`the projection does not serve the admin UI (GET / answered ${response.status}): build it first (npm run build builds apps/web into apps/web/dist)`);
  }
}

export async function ui(guard: RunGuard, o: UiOptions, out: Output, progress: Progress): Promise<number> {
  const burst = o.parts.includes('burst');
  const firstPage = o.parts.includes('first-page');
  if (firstPage && o.tasks < PAGE_ROWS) throw new Error(`--parts first-page times the paint of ${PAGE_ROWS} rows: --tasks must be at least ${PAGE_ROWS}`);
  // The burst needs the pipeline that runs the Tasks; the first page alone, only the projection.
  const system = await PipelineSystem.start(guard, { services: burst ? PIPELINE_SERVICES : ['projection'] });
  const forget = guard.explainWith(() => system.lastOutput());
  const problems: string[] = [];
  try {
    const base = system.url('projection');
    await checkUiServed(base);
    let loadS = 0;
    if (o.tasks > 0) {
      const started = performance.now();
      await loadRows({ databaseUrl: system.databaseUrl, schema: 'projection', tasks: o.tasks, subtasksPerTask: o.subtasks, now: Date.now() }, (done) => progress(`ui: ${done} of ${o.tasks} Tasks written`));
      loadS = round((performance.now() - started) / 1000);
      progress(`ui: ${o.tasks} Tasks and ${o.tasks * o.subtasks} SubTasks in ${loadS} s`);
    }
    const browser = await launchBrowser();
    let pages: PageTimes[] | undefined;
    let figures: BurstFigures | undefined;
    try {
      progress(`ui: ${browser.version()}`);
      if (firstPage) pages = await timeFirstPages(browser, base, system.token, o.samples, random(20261203), progress, () => guard.stopping);
      if (burst && !guard.stopping) figures = await runBurst(system, browser, { ...o, cpuProfile: o.pageCpuProf ? join(PROFILES, String(process.pid), 'page.cpuprofile') : undefined }, progress, () => guard.stopping);
      const chromium = browser.version();
      problems.push(...problemsOf(pages, figures));
      const summary = { bench: 'ui-summary', at: new Date().toISOString(), machine: machine(), chromium, options: o, loadSeconds: loadS, firstPage: pages, burst: figures && { ...figures, samples: undefined }, samples: figures?.samples, problems };
      out.report(describe(o, chromium, loadS, pages, figures, problems));
      out.json(summary);
    } finally {
      await browser.close();
    }
    return problems.length === 0 ? 0 : EXIT.failed;
  } finally {
    forget();
    await system.stop();
  }
}

function problemsOf(pages: readonly PageTimes[] | undefined, burst: BurstFigures | undefined): string[] {
  const problems: string[] = [];
  for (const p of pages ?? []) for (const failure of new Set(p.failures)) problems.push(`${p.page} (${p.mode}): ${failure}`);
  if (!burst) return problems;
  if (burst.refused > 0) problems.push(`${burst.refused} of ${burst.tasks} creates refused, the first: ${burst.firstRefusal}`);
  if (!burst.supported.longtask) problems.push('this Chromium reports no longtask entries: the long-task figure is empty, not zero');
  if (burst.notLive.length > 0) problems.push(`the live indicator said ${burst.notLive.map((t) => JSON.stringify(t)).join(', ')} at a sample (expected Live throughout)`);
  if (burst.samples.length > 1 && burst.firstRowMoves === 0) problems.push('the first row never changed between two samples: the page did not follow the new Tasks');
  if (!burst.converged.ok) problems.push(`after the load the page did not come to show the API's first page within ${burst.converged.afterS} s: ${burst.converged.detail}`);
  if (burst.streamBroken) problems.push(`the counting stream broke: ${burst.streamBroken}`);
  return problems;
}

const met = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? 'met' : 'NOT met');

function describe(o: UiOptions, chromium: string, loadS: number, pages: readonly PageTimes[] | undefined, burst: BurstFigures | undefined, problems: readonly string[]): string {
  const lines: string[] = [`\nui: the admin UI in headless Chromium ${chromium}; the read model holds ${o.tasks} Tasks of ${o.subtasks} SubTasks${o.tasks > 0 ? ` (written in ${loadS} s)` : ''}`];
  if (pages) {
    const worstP95 = Math.max(...pages.map((p) => p.paintedMs.p95 ?? Infinity));
    lines.push(
      `first page: a navigation until ${PAGE_ROWS} rows are painted, ${o.samples} cold (a new context: empty cache, signed in by the #token= link) and ${o.samples} warm (the same tab through about:blank) per page; ms since the navigation's start`,
      table(
        ['page', 'mode', 'painted p50', 'p95', 'max', 'DOMContentLoaded p50', 'list answered p50', 'rows in the DOM p50', 'failed'],
        pages.map((p) => [p.page, p.mode, num(p.paintedMs.p50), num(p.paintedMs.p95), num(p.paintedMs.max), num(p.domContentLoadedMs.p50), num(p.listAnsweredMs.p50), num(p.rowsMs.p50), p.failures.length]),
      ),
      `(pages: ${LIST_PAGES.map((p) => p.name).join('; ')}.) target: rendered in ≤ ${TARGET_FIRST_PAGE_MS} ms: p95 ≤ ${TARGET_FIRST_PAGE_MS} ms on every page ${met(Number.isFinite(worstP95) ? worstP95 <= TARGET_FIRST_PAGE_MS : undefined)} (worst p95 ${num(Number.isFinite(worstP95) ? worstP95 : undefined)} ms)`,
    );
  }
  if (burst) {
    const { heap, longTasks, longFrames } = burst;
    lines.push(
      `burst: the list of every Task open and Live; ${burst.rate} Tasks/s of 5 SubTasks (${burst.changesPerTask} changes each) for ${burst.measuredS} s after ${o.warmupSeconds} s of warm-up: ${burst.tasks} Tasks; changes reaching the list's stream ${burst.changesPerS.mean}/s (per ${o.sampleEvery} s: ${num(burst.changesPerS.min)}–${num(burst.changesPerS.max)}); the first row moved at ${burst.firstRowMoves} of ${Math.max(0, burst.samples.length - 1)} samples; the page matched the API's first page ${burst.converged.ok ? `${burst.converged.afterS} s after the load` : 'NOT'}`,
      `long tasks: ${longTasks.count} (max ${num(longTasks.maxMs)} ms, ${longTasks.over200} over ${TARGET_LONG_TASK_MS} ms, blocking ${longTasks.blockingMs} ms in all); long animation frames: ${burst.supported.frames ? `${longFrames.count} (max ${num(longFrames.maxMs)} ms, ${longFrames.over200} over ${TARGET_LONG_TASK_MS} ms)` : 'not reported by this Chromium'}; left out, during the bench's own GC and reads: ${longTasks.duringSamples} long tasks (max ${num(longTasks.duringSamplesMaxMs)} ms); renderer main thread busy ${burst.mainThreadBusy === undefined ? '-' : `${round(burst.mainThreadBusy * 100)}%`}`,
      `heap after a GC, every ${o.sampleEvery} s: ${num(heap.firstMiB)} MiB at first, ${num(heap.lastMiB)} at the end, at most ${num(heap.maxMiB)}; slope ${num(heap.secondHalfMiBPerMin)} MiB/min over the second half (${num(heap.wholeMiBPerMin)} over all); elements in the document ${num(heap.elements.first)} → ${num(heap.elements.last)} (max ${num(heap.elements.max)}); renderer DOM nodes ${num(heap.nodes.first)} → ${num(heap.nodes.last)} (max ${num(heap.nodes.max)}, ${num(heap.nodesPerMin)}/min over the second half)`,
      `targets (printed, not asserted): no long task over ${TARGET_LONG_TASK_MS} ms ${met(burst.supported.longtask ? longTasks.over200 === 0 : undefined)}; memory flat (the second half's slope under 0.1 MiB/min) ${met(heap.secondHalfMiBPerMin === undefined ? undefined : heap.secondHalfMiBPerMin < 0.1)}`,
    );
  }
  lines.push(...problems.map((p) => `PROBLEM: ${p}`));
  return lines.join('\n');
}
