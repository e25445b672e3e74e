// How late a thread's event loop runs (perf_hooks' histogram of a timer's lateness): the bench's own
// lag, printed next to the latencies so that a reader can tell it from the projection's.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { round } from '../stats/summary.js';

export interface LoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const RESOLUTION_MS = 10;

/** Watches from now on; `reset` starts over, `finish` stops watching and gives the figures. */
export function watchLoopDelay(): { reset(): void; finish(): LoopDelay } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // A sample is the timer's whole interval: its lateness is what exceeds the resolution.
  const late = (ns: number) => round(Math.max(0, ns / 1e6 - RESOLUTION_MS));
  return {
    reset: () => histogram.reset(),
    finish: () => {
      histogram.disable();
      return { p50Ms: late(histogram.percentile(50)), p99Ms: late(histogram.percentile(99)), maxMs: late(histogram.max) };
    },
  };
}
