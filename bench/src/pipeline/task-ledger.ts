// Joins the three views of one Task: the submit (when it was sent and answered), the log (its
// commits, folded) and the book the phases wait on. A Task finishes in the book when both are known:
// its id from the reply and, from the log, as many successes as it has SubTasks.

import type { CreateTaskJson } from '@vle/contracts';
import { performance } from 'node:perf_hooks';
import { WorkBook } from '../load/work-book.js';
import type { Progress } from '../run/progress.js';
import { CommitFold, type ObservedCommit } from './commit-fold.js';
import { subtaskCount } from './task-shapes.js';
import { describeRefusal, type TaskSubmitter } from './task-submitter.js';

/** Refusals printed as they happen; the rest are counted. */
const PRINTED_REFUSALS = 5;

export class TaskLedger {
  readonly fold = new CommitFold();
  readonly book = new WorkBook();

  constructor(
    private readonly submitter: TaskSubmitter,
    /** Every phase creates its Tasks as `<createdBy>-<phase>`, so that the query API lists one phase. */
    private readonly createdByPrefix: string,
    private readonly progress: Progress,
  ) {}

  createdBy(phase: string): string {
    return `${this.createdByPrefix}-${phase}`;
  }

  /** The follower's callback. */
  observe(commit: ObservedCommit): void {
    const fold = this.fold.apply(commit);
    if (fold?.finished) this.book.finish(commit.taskId, fold.finished.at, fold.finished.ok);
  }

  async submit(phase: string, index: number, task: CreateTaskJson): Promise<void> {
    const submittedAt = performance.now();
    const submittedWall = Date.now();
    const outcome = await this.submitter.create(task);
    const repliedAt = performance.now();
    if ('error' in outcome) {
      if (this.book.refusals().length < PRINTED_REFUSALS) this.progress(`${phase}: create ${index} refused: ${describeRefusal(outcome.error)}`);
      this.book.refuse({ phase, index, code: outcome.error.code, message: describeRefusal(outcome.error) });
      return;
    }
    const units = subtaskCount(task);
    this.book.add({ id: outcome.taskId, phase, submittedAt, submittedWall, units, repliedAt });
    const fold = this.fold.expect(outcome.taskId, units);
    if (fold?.finished) this.book.finish(outcome.taskId, fold.finished.at, fold.finished.ok);
  }
}
