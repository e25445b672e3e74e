// A burst of live changes on the open list (issue 12: "a burst of 100 Task changes per second keeps
// the page responsive (no long task over 200 ms in the browser's performance timeline) and its memory
// flat over 10 minutes"). The list of every Task is open and Live; Tasks of 5 SubTasks are created so
// that about `changes` changes per second reach its stream (counted on a stream of the same filter,
// change-counter.ts; the rate set again every 5 s of the warm-up and at every sample); every `sampleEvery` seconds the bench takes the
// page's long tasks and long animation frames (PerformanceObserver), forces a garbage collection and
// reads the heap and the DOM over CDP. At the end the page must show what the API's first page says.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { PipelineSystem } from '../pipeline/system.js';
import { standardTask } from '../pipeline/task-shapes.js';
import { describeRefusal, natsSubmitter } from '../pipeline/task-submitter.js';
import { round } from '../stats/summary.js';
import { ChangeCounter } from './change-counter.js';
import { PAGE_ROWS } from './first-page.js';
import { elementCount, longEntriesProbe, pageNow, shownRows, takeLongEntries, type Row } from './page-probes.js';
import { longTaskFigures, rateFor, trend, type LongEntry, type LongTaskFigures, type PageSample, type Span, type Trend } from './ui-figures.js';

export interface BurstOptions {
  readonly changes: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly sampleEvery: number;
  /** Where to write the page's CPU profile of the measured part, if anywhere. */
  readonly cpuProfile?: string;
}

export interface BurstFigures {
  /** Tasks per second created in the measured part (its mean: the rate is set again at every sample). */
  readonly rate: number;
  /** Changes that reached the list per Task created, in the measured part. */
  readonly changesPerTask: number;
  readonly tasks: number;
  readonly refused: number;
  readonly firstRefusal?: string;
  readonly measuredS: number;
  /** Changes per second that reached the list's stream: over the measured part, and the lowest and highest sample interval. */
  readonly changesPerS: { readonly mean: number; readonly min?: number; readonly max?: number };
  readonly longTasks: LongTaskFigures;
  readonly longFrames: LongTaskFigures;
  readonly supported: { readonly longtask: boolean; readonly frames: boolean };
  /** The share of the measured wall time the renderer's main thread was busy (CDP's TaskDuration). */
  readonly mainThreadBusy?: number;
  readonly heap: Trend;
  readonly samples: readonly (PageSample & { readonly indicator: string; readonly changesPerS: number; readonly firstRow?: string })[];
  /** Samples at which the first row was another Task than at the one before (the list moves). */
  readonly firstRowMoves: number;
  /** Indicator texts other than "Live" seen at a sample. */
  readonly notLive: readonly string[];
  /** After the load: whether the page's rows came to equal the API's first page, and how long that took. */
  readonly converged: { readonly ok: boolean; readonly afterS: number; readonly detail?: string };
  readonly streamBroken?: string;
}

const MiB = 1024 * 1024;
const CONVERGE_TIMEOUT_MS = 30_000;
const WARMUP_ADJUST_MS = 5000;

/**
 * The rate of creates, set again from the last interval's changes per Task (the pipeline folds more
 * events into one change when it is busier), so that about `target` changes per second reach the list.
 */
class Pace {
  rate: number;
  private tasksMark = 0;
  private changesMark: number;

  constructor(
    private readonly target: number,
    private readonly counter: ChangeCounter,
    private readonly created: () => number,
  ) {
    // A first guess: 4 changes per Task.
    this.rate = rateFor(target, 4, 1);
    this.changesMark = counter.count;
  }

  adjust(): void {
    const tasks = this.created() - this.tasksMark;
    const changes = this.counter.count - this.changesMark;
    if (tasks > 0) this.rate = rateFor(this.target, changes, tasks);
    this.tasksMark += tasks;
    this.changesMark += changes;
  }
}

/** Tasks at a rate read before each create, open loop (a slow answer does not thin out the load), until `until`. */
async function createUntil(until: number, rate: () => number, create: () => Promise<void>, stopping: () => boolean): Promise<number> {
  const pending = new Set<Promise<void>>();
  let next = performance.now();
  let created = 0;
  while (!stopping() && next < until) {
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    const p = create().finally(() => pending.delete(p));
    pending.add(p);
    created++;
    next += 1000 / rate();
  }
  await Promise.all(pending);
  return created;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** The live indicator's text (TaskList.vue, data-testid=live-indicator), spaces folded. */
async function indicator(page: Page): Promise<string> {
  return ((await page.getByTestId('live-indicator').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function apiRows(base: string, token: string): Promise<Row[]> {
  const response = await fetch(`${base}/api/v1/tasks?limit=${PAGE_ROWS}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET /api/v1/tasks answered ${response.status}`);
  const { items } = (await response.json()) as { items: Row[] };
  return items.map(({ id, status }) => ({ id, status }));
}

/** Waits until the page shows the API's first page (ids in order, statuses), up to CONVERGE_TIMEOUT_MS. */
async function converge(page: Page, base: string, token: string): Promise<BurstFigures['converged']> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < CONVERGE_TIMEOUT_MS) {
    const [shown, truth] = [await page.evaluate(shownRows), await apiRows(base, token)];
    const differ = truth.findIndex((row, i) => shown[i]?.id !== row.id || shown[i]?.status !== row.status);
    if (differ < 0 && shown.length === truth.length) return { ok: true, afterS: round((performance.now() - started) / 1000, 2) };
    last = differ < 0 ? `${shown.length} rows shown, ${truth.length} in the API` : `row ${differ + 1}: the page shows ${JSON.stringify(shown[differ])}, the API ${JSON.stringify(truth[differ])}`;
    await sleep(250);
  }
  return { ok: false, afterS: round(CONVERGE_TIMEOUT_MS / 1000), detail: last };
}

export async function runBurst(system: PipelineSystem, browser: Browser, o: BurstOptions, progress: (line: string) => void, stopping: () => boolean): Promise<BurstFigures> {
  const base = system.url('projection');
  const counter = await ChangeCounter.open(`${base}/api/v1/tasks/stream`, system.token);
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  try {
    await context.addInitScript(longEntriesProbe);
    const page = await context.newPage();
    await page.goto(`${base}/tasks#token=${encodeURIComponent(system.token)}`);
    await page.getByTestId('live-indicator').filter({ hasText: /^\W*Live$/ }).waitFor({ timeout: 30_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    const submitter = natsSubmitter(system.nc, system.topology, system.token);
    let refused = 0;
    let firstRefusal: string | undefined;
    let tasks = 0;
    const create = async () => {
      const outcome = await submitter.create(standardTask(`ui-burst-${tasks++}`, 'bench'));
      if ('error' in outcome) {
        refused++;
        firstRefusal ??= describeRefusal(outcome.error);
      }
    };

    const longTasks: LongEntry[] = [];
    const longFrames: LongEntry[] = [];
    let supported = { longtask: false, frames: false };
    const takeLong = async () => {
      const taken = await page.evaluate(takeLongEntries);
      if (!taken) throw new Error('the page has no long-task probe (its init script did not run)');
      longTasks.push(...taken.tasks);
      longFrames.push(...taken.frames);
      supported = taken.supported;
    };

    // The warm-up: the rate set again every WARMUP_ADJUST_MS from a first guess.
    const pace = new Pace(o.changes, counter, () => tasks);
    const adjusting = setInterval(() => pace.adjust(), WARMUP_ADJUST_MS);
    const warmupChanges = counter.count;
    const warmupCreated = await createUntil(performance.now() + o.warmupSeconds * 1000, () => pace.rate, create, stopping).finally(() => clearInterval(adjusting));
    pace.adjust();
    progress(`ui: burst warm-up: ${warmupCreated} Tasks brought ${counter.count - warmupChanges} changes: ${pace.rate} Tasks/s for ${o.changes} changes/s, ${o.seconds} s measured…`);
    // What the warm-up's long entries were is not counted.
    await takeLong();
    longTasks.length = 0;
    longFrames.length = 0;

    // The measured part: the load runs on while the sampler takes a sample every `sampleEvery` s.
    const startedAt = performance.now();
    const endAt = startedAt + o.seconds * 1000;
    const busyBefore = (await metrics(cdp)).TaskDuration;
    const countAtStart = counter.count;
    if (o.cpuProfile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const load = createUntil(endAt, () => pace.rate, create, stopping);
    const excluded: Span[] = [];
    const samples: BurstFigures['samples'][number][] = [];
    let lastCount = counter.count;
    let lastAt = startedAt;
    for (let k = 1; !stopping(); k++) {
      // A sample that took long (a busy page answers late) skips the points it passed, not bunch up.
      while (startedAt + k * o.sampleEvery * 1000 < performance.now()) k++;
      const at = startedAt + k * o.sampleEvery * 1000;
      if (at > endAt + 1) break;
      await sleep(Math.max(0, at - performance.now()));
      pace.adjust();
      const changesPerS = round((counter.count - lastCount) / ((performance.now() - lastAt) / 1000), 1);
      lastCount = counter.count;
      lastAt = performance.now();
      const from = await page.evaluate(pageNow);
      await cdp.send('HeapProfiler.collectGarbage');
      const m = await metrics(cdp);
      const elements = await page.evaluate(elementCount);
      excluded.push({ from, to: await page.evaluate(pageNow) });
      await takeLong();
      const first = (await page.evaluate(shownRows))[0]?.id;
      samples.push({ atS: round((lastAt - startedAt) / 1000, 1), heapUsedMiB: round(m.JSHeapUsedSize! / MiB, 2), elements, nodes: m.Nodes!, listeners: m.JSEventListeners!, indicator: await indicator(page), changesPerS, firstRow: first });
      progress(`ui: burst ${samples.at(-1)!.atS} s: ${changesPerS} changes/s, heap ${samples.at(-1)!.heapUsedMiB} MiB, ${elements} elements, ${longTasks.length} long tasks so far (max ${longTasks.length ? round(Math.max(...longTasks.map((e) => e.duration))) : '-'} ms)`);
    }
    const created = await load;
    const measuredS = round((performance.now() - startedAt) / 1000, 1);
    const busyAfter = (await metrics(cdp)).TaskDuration;
    if (o.cpuProfile) {
      const { profile } = await cdp.send('Profiler.stop');
      mkdirSync(dirname(o.cpuProfile), { recursive: true });
      writeFileSync(o.cpuProfile, JSON.stringify(profile));
      progress(`ui: the page's CPU profile in ${o.cpuProfile} (node bench/dist/main.js profile-summary ${o.cpuProfile})`);
    }
    const countInWindow = counter.count - countAtStart;
    await takeLong();
    progress(`ui: burst done (${created} Tasks measured); waiting for the page to show the API's first page…`);
    const converged = await converge(page, base, system.token);
    const rates = samples.map((s) => s.changesPerS);
    return {
      rate: round(created / measuredS, 2),
      changesPerTask: round(countInWindow / Math.max(1, created), 2),
      tasks: created,
      refused,
      firstRefusal,
      measuredS,
      changesPerS: { mean: round(countInWindow / measuredS, 1), min: rates.length ? Math.min(...rates) : undefined, max: rates.length ? Math.max(...rates) : undefined },
      longTasks: longTaskFigures(longTasks, excluded),
      longFrames: longTaskFigures(longFrames, excluded),
      supported,
      mainThreadBusy: busyBefore === undefined || busyAfter === undefined ? undefined : round((busyAfter - busyBefore) / measuredS, 3),
      heap: trend(samples, measuredS),
      samples,
      firstRowMoves: samples.filter((s, i) => i > 0 && s.firstRow !== samples[i - 1]!.firstRow).length,
      notLive: [...new Set(samples.map((s) => s.indicator).filter((text) => !/^\W*Live$/.test(text)))],
      converged,
      streamBroken: counter.broken,
    };
  } finally {
    await context.close();
    await counter.stop();
  }
}
