// How `watch` shows a Task as it runs: on a terminal a progress bar (cli-progress) of finished/total
// SubTasks with the Task's status and time, redrawn in place; in a pipe one line per change; with
// --json one JSON line per state. Each ends with the outcome.

import cliProgress from 'cli-progress';
import { isFinished, type TaskView } from '@openvle/tasks-client';
import { elapsedMs, formatCounts, formatDuration, formatTime } from './format.js';
import type { Output } from './output.js';

export interface TaskProgressView {
  /** The Task as it is now (each state seen, the last one finished or not). */
  update(task: TaskView): void;
  /** The Task ended: the outcome. */
  finish(task: TaskView): void;
  /** Watching stopped before the Task ended (a timeout, Ctrl-C, an error): leave the terminal clean. */
  stop(): void;
}

export function taskProgressView(out: Output): TaskProgressView {
  if (out.json) return new JsonLinesView(out);
  return out.tty ? new ProgressBarView(out) : new LinesView(out);
}

class JsonLinesView implements TaskProgressView {
  constructor(private readonly out: Output) {}

  update(task: TaskView): void {
    this.out.jsonLine(task);
  }

  finish(): void {}

  stop(): void {}
}

class LinesView implements TaskProgressView {
  private last = '';

  constructor(private readonly out: Output) {}

  update(task: TaskView): void {
    // The end is said by finish().
    if (isFinished(task)) return;
    const line = `${task.status} ${formatCounts(task.subtaskCounts)} SubTasks`;
    // The same status and counts again (a field the line does not show changed): nothing to say.
    if (line === this.last) return;
    this.last = line;
    this.out.line(`${formatTime(task.updatedAt)}  ${line}`);
  }

  finish(task: TaskView): void {
    this.out.line(outcomeLine(task, this.out));
  }

  stop(): void {}
}

/** The longest status with its glyph (`⏱ timed_out`, `⊘ cancelling`). */
const STATUS_WIDTH = 12;

/** Redrawn in place at 10 frames a second at most; the elapsed time ticks every second. */
class ProgressBarView implements TaskProgressView {
  private bar?: cliProgress.SingleBar;
  private ticker?: NodeJS.Timeout;
  private task?: TaskView;

  constructor(private readonly out: Output) {}

  update(task: TaskView): void {
    this.task = task;
    if (!this.bar) {
      this.out.line(`${this.out.colors.bold(`Task ${task.id}`)}  ${task.name}`);
      this.bar = new cliProgress.SingleBar({
        stream: this.out.stdout,
        format: '{status}  {bar}  {counts} SubTasks  {elapsed}',
        barCompleteChar: '█',
        barIncompleteChar: '░',
        barsize: Math.max(10, Math.min(40, (this.out.width ?? 80) - 60)),
        hideCursor: true,
        fps: 10,
      });
      this.bar.start(task.subtaskCounts.total, task.subtaskCounts.finished, this.payload(task));
      this.ticker = setInterval(() => this.task && this.bar?.update(this.payload(this.task)), 1000);
      return;
    }
    this.bar.setTotal(task.subtaskCounts.total);
    this.bar.update(task.subtaskCounts.finished, this.payload(task));
  }

  finish(task: TaskView): void {
    this.update(task);
    this.stop();
    this.out.line(outcomeLine(task, this.out));
  }

  stop(): void {
    clearInterval(this.ticker);
    this.bar?.stop();
    this.bar = undefined;
  }

  private payload(task: TaskView): Record<string, string> {
    return { status: this.out.status(task.status, STATUS_WIDTH), counts: formatCounts(task.subtaskCounts), elapsed: formatDuration(elapsedMs(task)) };
  }
}

/** `✔ success: 8 of 8 SubTasks finished in 3.4 s` */
export function outcomeLine(task: TaskView, out: Output): string {
  const { finished, total, failed } = task.subtaskCounts;
  const took = formatDuration(elapsedMs(task));
  const reason = task.statusReason ? ` (${task.statusReason})` : '';
  const failures = failed > 0 ? `, ${failed} failed` : '';
  return `${out.status(task.status)}${reason}: ${finished} of ${total} SubTasks finished${failures}, in ${took}`;
}
