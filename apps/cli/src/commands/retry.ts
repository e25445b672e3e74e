// `vle-tasks retry <taskId> <subTaskId>`: runs a failed (or timed-out) SubTask again, at most 24 h
// after it failed; once it succeeds, the SubTasks waiting on it run, and the Task ends `warning` at
// best (a person stepped in). Asks first on a terminal; --yes does not.

import type { Command } from 'commander';
import type { Cli } from '../context.js';
import { addTaskCommandOptions, describeSubTask, describeTask, runTaskCommand, waitingOn, type TaskCommandOptions } from './task-command.js';

export function registerRetry(program: Command, cli: Cli): void {
  addTaskCommandOptions(
    program
      .command('retry')
      .description('run a failed SubTask again (the SubTasks waiting on it run once it succeeds)')
      .argument('<taskId>', 'the Task')
      .argument('<subTaskId>', 'the failed SubTask (its ID in vle-tasks show)'),
  ).action(
    cli.action(async (context, taskId: string, subTaskId: string, options: TaskCommandOptions) =>
      runTaskCommand(
        context,
        {
          taskId,
          action: 'retry',
          question: (task) => {
            const released = waitingOn(task.subtasks ?? [], subTaskId);
            const then = released.length > 0 ? ` Then ${released.length} SubTask${released.length === 1 ? '' : 's'} waiting on it run: ${released.map((s) => s.name).join(', ')}.` : '';
            return `Retry SubTask ${describeSubTask(task, subTaskId)} of Task ${describeTask(task)}?${then}`;
          },
          send: () => context.client.retrySubTask(taskId, subTaskId, {}, context.call),
          done: `Retried SubTask ${subTaskId}`,
        },
        options,
      ),
    ),
  );
}
