// `vle-tasks skip <taskId> <subTaskId>`: lets the Task go on without a failed, timed-out or blocked
// SubTask, as if it had succeeded; the Task ends `warning` at best. Asks first on a terminal.

import type { Command } from 'commander';
import type { Cli } from '../context.js';
import { addTaskCommandOptions, describeSubTask, describeTask, runTaskCommand, waitingOn, type TaskCommandOptions } from './task-command.js';

interface SkipOptions extends TaskCommandOptions {
  readonly reason?: string;
}

export function registerSkip(program: Command, cli: Cli): void {
  addTaskCommandOptions(
    program
      .command('skip')
      .description('go on without a failed, timed-out or blocked SubTask (the Task ends warning at best)')
      .argument('<taskId>', 'the Task')
      .argument('<subTaskId>', 'the SubTask to skip')
      .option('--reason <text>', "why (kept in the Task's history)"),
  ).action(
    cli.action(async (context, taskId: string, subTaskId: string, options: SkipOptions) =>
      runTaskCommand(
        context,
        {
          taskId,
          action: 'skip',
          question: (task) => {
            const released = waitingOn(task.subtasks ?? [], subTaskId);
            const then = released.length > 0 ? ` The ${released.length} SubTask${released.length === 1 ? '' : 's'} waiting on it then run.` : '';
            return `Skip SubTask ${describeSubTask(task, subTaskId)} of Task ${describeTask(task)}?${then}`;
          },
          send: () => context.client.skipSubTask(taskId, subTaskId, options.reason === undefined ? {} : { reason: options.reason }, context.call),
          done: `Skipped SubTask ${subTaskId}`,
        },
        options,
      ),
    ),
  );
}
