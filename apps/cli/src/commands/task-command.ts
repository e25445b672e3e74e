// What retry, skip and cancel share: ask first (the question names what the command would do, from
// the Task as it is), send the command, say what it did, and with --wait watch the Task to its end
// (only states after the command count: a retried Task's old `failed` is not its outcome).

import type { SubTaskView, TaskCommandResult, TaskDetailView } from '@openvle/tasks-client';
import type { Command } from 'commander';
import { confirm } from '../confirm.js';
import type { CommandContext } from '../context.js';
import { ExitCode, type ExitStatus } from '../exit-codes.js';
import { timeoutOption, watchTask } from './watch.js';

export interface TaskCommandOptions {
  readonly yes?: boolean;
  readonly wait?: boolean;
  readonly timeout?: number;
}

export interface TaskCommandSpec {
  readonly taskId: string;
  /** `retry`, `skip`, `cancel`: for the refusal without a terminal. */
  readonly action: string;
  /** The question, from the Task as it is now. */
  readonly question: (task: TaskDetailView) => string;
  readonly send: () => Promise<TaskCommandResult>;
  /** What was done, for the line that says so: `Retried SubTask …`. */
  readonly done: string;
}

/** --yes, --wait and --timeout of a command that changes a Task. */
export function addTaskCommandOptions(command: Command): Command {
  return command
    .option('-y, --yes', 'do not ask first (needed without a terminal: scripts, CI)')
    .option('--wait', 'then watch the Task until it ends (exit status as watch)')
    .addOption(timeoutOption());
}

export async function runTaskCommand(context: CommandContext, spec: TaskCommandSpec, options: TaskCommandOptions): Promise<ExitStatus> {
  let before: TaskDetailView | undefined;
  const read = async () => (before ??= await context.client.getTask(spec.taskId, context.call));
  await confirm(context.io, async () => spec.question(await read()), { yes: options.yes === true, action: spec.action });
  // The version before the command: waiting counts only what came after it.
  if (options.wait) await read();
  const result = await spec.send();
  const { out } = context;
  if (out.json && options.wait) out.jsonLine(result);
  else if (out.json) out.document(result);
  else if (result.events.length === 0) out.line(`Nothing to do: Task ${result.taskId} is ${result.status} and the command was already applied.`);
  else out.line(`${spec.done}: Task ${result.taskId} is now ${out.status(result.status)} (${result.events.join(', ')}).`);
  if (!options.wait) return ExitCode.ok;
  return watchTask(context, spec.taskId, { ...(options.timeout === undefined ? {} : { timeout: options.timeout }), ...(before ? { newerThan: before.version } : {}) });
}

/** `"Send mail" (mails/send, failed)` of the SubTask, or its id when the Task does not list it. */
export function describeSubTask(task: TaskDetailView, subTaskId: string): string {
  const subTask = task.subtasks?.find((s) => s.id === subTaskId);
  return subTask ? `"${subTask.name}" (${subTask.queue}/${subTask.action}, ${subTask.status})` : subTaskId;
}

export function describeTask(task: TaskDetailView): string {
  return `"${task.name}" (${task.id}, ${task.status}, ${task.subtaskCounts.finished}/${task.subtaskCounts.total} SubTasks)`;
}

/** The SubTasks that wait on this one, directly or through others, and have not run. */
export function waitingOn(subtasks: readonly SubTaskView[], subTaskId: string): SubTaskView[] {
  const waiting = new Set<string>([subTaskId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of subtasks) {
      if (!waiting.has(s.id) && s.dependsOn.some((d) => waiting.has(d))) {
        waiting.add(s.id);
        grew = true;
      }
    }
  }
  return subtasks.filter((s) => s.id !== subTaskId && waiting.has(s.id) && s.status === 'blocked');
}
