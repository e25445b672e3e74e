// What names the machine in the JSON lines: a figure means little without it.

import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSnapshot, cpuUsage } from '../proc/cpu.js';

export interface Machine {
  readonly cores: number;
  readonly cpu?: string;
  readonly memoryGiB: number;
  readonly node: string;
}

export function machine(): Machine {
  return { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Share of the machine busy over `ms` before a run: other jobs on the host make the figures low. */
export async function busyShare(ms = 1_000): Promise<number | undefined> {
  const before = cpuSnapshot([]);
  await sleep(ms);
  return cpuUsage(before, cpuSnapshot([])).machineBusy;
}
