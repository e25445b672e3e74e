// `vle-tasks cancel <taskId>`: cancels a Task; the SubTasks not yet running stop at once, the running
// ones when they finish (`cancelling` meanwhile). Asks first on a terminal; --yes does not.

import type { Command } from 'commander';
import type { Cli } from '../context.js';
import { addTaskCommandOptions, describeTask, runTaskCommand, type TaskCommandOptions } from './task-command.js';

interface CancelOptions extends TaskCommandOptions {
  readonly reason?: string;
}

const NOT_STARTED: ReadonlySet<string> = new Set(['blocked', 'queued', 'retrying']);

export function registerCancel(program: Command, cli: Cli): void {
  addTaskCommandOptions(
    program
      .command('cancel')
      .description('cancel a Task: what has not started stops, what runs finishes first')
      .argument('<taskId>', 'the Task')
      .option('--reason <text>', "why (kept in the Task's history)"),
  ).action(
    cli.action(async (context, taskId: string, options: CancelOptions) =>
      runTaskCommand(
        context,
        {
          taskId,
          action: 'cancel',
          question: (task) => {
            const subtasks = task.subtasks ?? [];
            const stopping = subtasks.filter((s) => NOT_STARTED.has(s.status)).length;
            const running = subtasks.filter((s) => s.status === 'running').length;
            const what = task.subtasks === undefined ? '' : ` ${stopping} SubTask${stopping === 1 ? '' : 's'} not started stop${running > 0 ? `; ${running} running finish first` : ''}.`;
            return `Cancel Task ${describeTask(task)}?${what}`;
          },
          send: () => context.client.cancelTask(taskId, options.reason === undefined ? {} : { reason: options.reason }, context.call),
          done: 'Cancelled',
        },
        options,
      ),
    ),
  );
}
