// Resident memory of a process from /proc/<pid>/status: VmRSS now, VmHWM its peak. The peak is reset
// (clear_refs 5) when a phase starts, so that it is the peak of that phase, not of the boot.

import { readFileSync, writeFileSync } from 'node:fs';
import { round } from '../stats/summary.js';

export interface Memory {
  readonly rssMiB: number;
  readonly peakMiB: number;
}

/** VmRSS and VmHWM of a /proc/<pid>/status text, in MiB. */
export function memoryOfStatus(status: string): Memory | undefined {
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  const rss = kib('VmRSS');
  const peak = kib('VmHWM');
  if (!Number.isFinite(rss) || !Number.isFinite(peak)) return undefined;
  return { rssMiB: round(rss / 1024), peakMiB: round(peak / 1024) };
}

export function memoryOf(pid: number): Memory | undefined {
  try {
    return memoryOfStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Resets the peak (VmHWM) to the current RSS; false where the kernel does not let us. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
