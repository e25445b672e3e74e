// RSS of each process of a peer: idle before the phase (after boot, or the lowest over an idle wait:
// V8 gives back the heap it grew while booting only after some idle seconds, through its memory
// reducer), peak during it.

import { memoryOf, resetPeak } from './memory.js';

export interface MemoryFigures {
  readonly idleMiB?: number;
  readonly peakMiB?: number;
  /** 'phase' when the peak was reset at the start of the phase; 'process' when it is the process' lifetime peak. */
  readonly peakOver: 'phase' | 'process';
}

export class MemoryWatch {
  private readonly idle = new Map<string, { rss?: number; reset: boolean }>();
  /** The lowest RSS seen while settling, by label. */
  private readonly lowest = new Map<string, number>();

  constructor(private readonly pids: ReadonlyMap<string, number | undefined>) {}

  /**
   * Samples the RSS of the idle processes for `ms` (every 500 ms) and keeps each one's lowest as its
   * idle RSS: call it before start(), while nothing runs.
   */
  async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      for (const [label, pid] of this.pids) {
        const rss = pid === undefined ? undefined : memoryOf(pid)?.rssMiB;
        if (rss !== undefined) this.lowest.set(label, Math.min(rss, this.lowest.get(label) ?? rss));
      }
      const left = deadline - Date.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, left)));
    }
  }

  /** Reads the idle RSS (the lowest settle() saw, if it ran) and resets the peaks: call it when the phase starts. */
  start(): void {
    for (const [label, pid] of this.pids) {
      if (pid === undefined) continue;
      const now = memoryOf(pid)?.rssMiB;
      const low = this.lowest.get(label);
      this.idle.set(label, { rss: low === undefined || now === undefined ? now : Math.min(low, now), reset: resetPeak(pid) });
    }
  }

  /** Call before the processes stop. */
  figures(): Record<string, MemoryFigures> {
    const out: Record<string, MemoryFigures> = {};
    for (const [label, pid] of this.pids) {
      const idle = this.idle.get(label);
      const now = pid === undefined ? undefined : memoryOf(pid);
      out[label] = { idleMiB: idle?.rss, peakMiB: now?.peakMiB, peakOver: idle?.reset ? 'phase' : 'process' };
    }
    return out;
  }
}
