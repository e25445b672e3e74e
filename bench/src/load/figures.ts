// The figures both peers report for the same phases, computed the same way from their books, so
// that a ratio of the two compares like with like.

import type { CpuPerUnit, CpuUsage } from '../proc/cpu.js';
import type { MemoryFigures } from '../proc/memory-watch.js';
import { round, summarize, type Summary } from '../stats/summary.js';
import type { LoopTimes } from './loops.js';
import type { WorkItem } from './work-book.js';

/** BullMQ FlowProducer, this checkout's pipeline, and the pipeline of a baseline checkout (compare --baseline). */
export type PeerName = 'bullmq' | 'pipeline' | 'baseline';

export interface LightFigures {
  readonly tasks: number;
  readonly completed: number;
  /** From sending the create / flow add to seeing the last SubTask's success. */
  readonly latencyMs: Summary;
  /** The create command's / flow add's round trip. */
  readonly replyMs: Summary;
  readonly cpu: CpuUsage;
}

export interface SaturationFigures extends LightFigures {
  readonly concurrency: number;
  /** From the first submit to the last success. */
  readonly wallS: number;
  readonly tasksPerS: number;
  readonly subtasksPerS: number;
  /** Creates (flow adds) answered per second. */
  readonly commandsPerS: number;
  readonly cpuPerTask: CpuPerUnit;
}

/** What every peer's phase returns; each peer adds its own details. */
export interface PeerResult {
  readonly peer: PeerName;
  readonly light?: LightFigures;
  readonly saturation: SaturationFigures;
  /** Per process: RSS idle before the phase, peak during it. */
  readonly memory: Readonly<Record<string, MemoryFigures>>;
  /** Every Task (flow) completed, nothing was refused, the peer's own check agrees. */
  readonly ok: boolean;
  readonly problems: readonly string[];
}

const finished = (items: readonly WorkItem[]) => items.filter((t) => t.ok === true && t.finishedAt !== undefined);

export function lightFigures(items: readonly WorkItem[], cpu: CpuUsage): LightFigures {
  const done = finished(items);
  return {
    tasks: items.length,
    completed: done.length,
    latencyMs: summarize(done.map((t) => t.finishedAt! - t.submittedAt)),
    replyMs: summarize(done.flatMap((t) => (t.repliedAt === undefined ? [] : [t.repliedAt - t.submittedAt]))),
    cpu,
  };
}

export function saturationFigures(items: readonly WorkItem[], loop: LoopTimes, concurrency: number, cpu: CpuUsage, cpuPerTask: CpuPerUnit): SaturationFigures {
  const done = finished(items);
  const lastDone = Math.max(loop.first, lastFinish(done));
  const wallS = (lastDone - loop.first) / 1000;
  const subtasks = done.reduce((n, t) => n + t.units, 0);
  return {
    ...lightFigures(items, cpu),
    concurrency,
    wallS: round(wallS, 3),
    tasksPerS: wallS > 0 ? round(done.length / wallS, 0) : 0,
    subtasksPerS: wallS > 0 ? round(subtasks / wallS, 0) : 0,
    commandsPerS: round(items.length / Math.max(0.001, (loop.lastAnswer - loop.first) / 1000), 0),
    cpuPerTask,
  };
}

/** The end of the last finished item (performance.now()), for what is measured after it. */
export function lastFinish(items: readonly WorkItem[]): number {
  return items.reduce((last, t) => Math.max(last, t.finishedAt ?? 0), 0);
}
