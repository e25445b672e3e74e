// What the `ui` bench runs inside the page (Playwright sends a function's source to the browser: each
// one below must use nothing but its argument and the page's globals). The bench is compiled without
// the DOM's types, so each names the few globals it uses through `globalThis`.

import type { LongEntry } from './ui-figures.js';

/** What the first-page probe leaves in the page, in ms of the page's clock (0 = its navigation's start). */
export interface FirstPaint {
  /** The `want`-th row in the document. */
  readonly rowsMs: number;
  /** The frame after the one that painted it. */
  readonly paintedMs: number;
  readonly domContentLoadedMs?: number;
  /** The list's request (GET /api/v1/tasks?…), from its start to its last byte. */
  readonly listRequest?: { readonly startMs: number; readonly endMs: number };
}

interface Timing {
  readonly name: string;
  readonly startTime: number;
  readonly duration: number;
  readonly responseEnd?: number;
  readonly domContentLoadedEventEnd?: number;
}

interface Element {
  getAttribute(name: string): string | null;
  querySelector(selector: string): Element | null;
}

interface PageGlobals {
  readonly document: { querySelectorAll(selector: string): ArrayLike<Element>; getElementsByTagName(name: string): { readonly length: number } };
  readonly MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void; disconnect(): void };
  readonly PerformanceObserver: (new (callback: (list: { getEntries(): Timing[] }) => void) => { observe(options: object): void }) & { readonly supportedEntryTypes: readonly string[] };
  readonly performance: { now(): number; getEntriesByType(type: string): Timing[] };
  requestAnimationFrame(callback: () => void): number;
  __vleFirstPaint?: FirstPaint;
  __vleLong?: { tasks: LongEntry[]; frames: LongEntry[] };
}

/**
 * An init script (it runs before the page's own): once `want` rows `[data-task-id]` are in the
 * document, it waits two animation frames (the second begins after the first has been painted) and
 * leaves the time in `__vleFirstPaint`.
 */
export function firstPaintProbe(want: number): void {
  const page = globalThis as unknown as PageGlobals;
  const check = () => {
    if (page.document.querySelectorAll('[data-task-id]').length < want) return;
    observer.disconnect();
    const rowsMs = page.performance.now();
    page.requestAnimationFrame(() =>
      page.requestAnimationFrame(() => {
        const paintedMs = page.performance.now();
        const navigation = page.performance.getEntriesByType('navigation')[0];
        const list = page.performance.getEntriesByType('resource').find((e) => /\/api\/v1\/tasks\?/.test(e.name) && !/\/stream\?/.test(e.name));
        page.__vleFirstPaint = {
          rowsMs,
          paintedMs,
          domContentLoadedMs: navigation?.domContentLoadedEventEnd,
          listRequest: list && list.responseEnd !== undefined ? { startMs: list.startTime, endMs: list.responseEnd } : undefined,
        };
      }),
    );
  };
  const observer = new page.MutationObserver(check);
  observer.observe(page.document, { childList: true, subtree: true });
}

/** The probe's result, once there. */
export function firstPaintOf(): FirstPaint | undefined {
  return (globalThis as unknown as PageGlobals).__vleFirstPaint;
}

/**
 * An init script: every long task (main-thread work over 50 ms) and long animation frame (a frame
 * over 50 ms, rendering included) of the page, collected in `__vleLong` until taken.
 */
export function longEntriesProbe(): void {
  const page = globalThis as unknown as PageGlobals;
  const long = (page.__vleLong = { tasks: [] as LongEntry[], frames: [] as LongEntry[] });
  const watch = (type: string, into: LongEntry[]) => {
    if (!page.PerformanceObserver.supportedEntryTypes.includes(type)) return;
    new page.PerformanceObserver((list) => {
      for (const e of list.getEntries()) into.push({ startTime: e.startTime, duration: e.duration });
    }).observe({ type, buffered: true });
  };
  watch('longtask', long.tasks);
  watch('long-animation-frame', long.frames);
}

/** The long entries collected since the last call (the page keeps none once taken), and whether the probe runs. */
export function takeLongEntries(): { tasks: LongEntry[]; frames: LongEntry[]; supported: { longtask: boolean; frames: boolean } } | undefined {
  const page = globalThis as unknown as PageGlobals;
  const long = page.__vleLong;
  if (!long) return undefined;
  const taken = { tasks: long.tasks.splice(0), frames: long.frames.splice(0) };
  const types = page.PerformanceObserver.supportedEntryTypes;
  return { ...taken, supported: { longtask: types.includes('longtask'), frames: types.includes('long-animation-frame') } };
}

/** The page's clock now (ms since its navigation). */
export function pageNow(): number {
  return (globalThis as unknown as PageGlobals).performance.now();
}

/** Elements in the document. */
export function elementCount(): number {
  return (globalThis as unknown as PageGlobals).document.getElementsByTagName('*').length;
}

/** A row of the list as shown: the Task and its status badge's status. */
export interface Row {
  readonly id: string;
  readonly status: string;
}

/** The list's rows in the page, in order. */
export function shownRows(): Row[] {
  const rows = Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('[data-task-id]'));
  return rows.map((r) => ({ id: r.getAttribute('data-task-id') ?? '', status: r.querySelector('[data-status]')?.getAttribute('data-status') ?? '' }));
}
