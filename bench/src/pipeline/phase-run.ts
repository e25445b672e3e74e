// The context every step of a pipeline phase runs in, and the helpers the steps share.

import type { WorkItem } from '../load/work-book.js';
import type { ProcessGroup } from '../proc/cpu.js';
import type { Progress } from '../run/progress.js';
import type { PipelineHarness } from './harness.js';
import type { PipelinePhaseOptions } from './pipeline-result.js';
import type { StagedTask } from './stages.js';
import { standardTask } from './task-shapes.js';

/** What every step of a phase needs. */
export interface PhaseRun {
  readonly harness: PipelineHarness;
  readonly options: PipelinePhaseOptions;
  readonly progress: Progress;
  readonly groups: readonly ProcessGroup[];
  /** ms left before the deadline (at least 1 s, so that a late wait still says what it waited for). */
  readonly remaining: () => number;
  readonly stopping: () => boolean;
}

/** Submits the i-th standard Task of `phase`. */
export const submitStandard = (harness: PipelineHarness, phase: string) => (i: number) =>
  harness.submit(phase, i, standardTask(`bench ${phase} ${i}`, harness.ledger.createdBy(phase)));

/** The Tasks of `items` that finished, with their commits, for the stage figures. */
export function staged(harness: PipelineHarness, items: readonly WorkItem[]): StagedTask[] {
  return items.flatMap((item) => {
    const fold = harness.ledger.fold.get(item.id);
    return fold?.finished ? [{ submittedWall: item.submittedWall, finishedWall: fold.finished.wallAt, timeline: fold.timeline }] : [];
  });
}
