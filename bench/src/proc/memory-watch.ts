// RSS of each process of a peer: idle before the phase (after boot), peak during it.

import { memoryOf, resetPeak } from './memory.js';

export interface MemoryFigures {
  readonly idleMiB?: number;
  readonly peakMiB?: number;
  /** 'phase' when the peak was reset at the start of the phase; 'process' when it is the process' lifetime peak. */
  readonly peakOver: 'phase' | 'process';
}

export class MemoryWatch {
  private readonly idle = new Map<string, { rss?: number; reset: boolean }>();

  constructor(private readonly pids: ReadonlyMap<string, number | undefined>) {}

  /** Reads the idle RSS and resets the peaks: call it when the phase starts. */
  start(): void {
    for (const [label, pid] of this.pids) {
      if (pid === undefined) continue;
      this.idle.set(label, { rss: memoryOf(pid)?.rssMiB, reset: resetPeak(pid) });
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
