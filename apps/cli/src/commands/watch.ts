// `vle-tasks watch <taskId>`: the Task followed live (the client's waitForTask: the live stream
// narrowed to it, read again at each (re)connection) with a progress bar until it ends; the exit
// status says how it ended. Also what `create --wait` and `retry/skip/cancel --wait` do.

import { isTaskWaitTimeoutError, type TaskView } from '@openvle/tasks-client';
import { Option, type Command } from 'commander';
import type { Cli, CommandContext } from '../context.js';
import { ExitCode, exitCodeOfStatus, type ExitStatus } from '../exit-codes.js';
import { formatDuration } from '../output/format.js';
import { taskProgressView } from '../output/task-progress.js';
import { parseDuration } from '../parse.js';

/** Reconnections of the live stream in a row without getting ready before watching gives up (about 4 minutes: 3 s doubling to 30 s). */
const MAX_RECONNECTS = 10;

export interface WatchOptions {
  /** ms; none: until the Task ends. */
  readonly timeout?: number;
  /** Only states later than this version count (after a command on a finished Task). */
  readonly newerThan?: number;
}

export function timeoutOption(): Option {
  return new Option('--timeout <duration>', 'give up waiting after 30s, 10m, 2h, ... (exit status 6)').argParser(parseDuration);
}

export function registerWatch(program: Command, cli: Cli): void {
  program
    .command('watch')
    .description('follow a Task with a progress bar until it ends; the exit status says how it ended')
    .argument('<taskId>', 'the Task')
    .addOption(timeoutOption())
    .action(
      cli.action(async (context, taskId: string, options: WatchOptions) => {
        // Read first: an unknown Task or an unreachable API ends at once, not after the reconnections.
        await context.client.getTask(taskId, context.call);
        return watchTask(context, taskId, options);
      }),
    );
}

/** Follows the Task until it ends: 0 success, 5 warning, 1 failed/cancelled/timed_out, 6 still running after the timeout. */
export async function watchTask(context: CommandContext, taskId: string, options: WatchOptions = {}): Promise<ExitStatus> {
  const view = taskProgressView(context.out);
  let last: TaskView | undefined;
  try {
    const task = await context.client.waitForTask(taskId, {
      timeoutMs: options.timeout ?? Number.POSITIVE_INFINITY,
      maxReconnects: MAX_RECONNECTS,
      ...(options.newerThan === undefined ? {} : { newerThan: options.newerThan }),
      ...context.call,
      onUpdate: (state) => {
        last = state;
        view.update(state);
      },
    });
    view.finish(task);
    return exitCodeOfStatus(task.status);
  } catch (error) {
    view.stop();
    if (isTaskWaitTimeoutError(error)) {
      const status = last?.status ?? 'not seen yet';
      context.out.message(`Task ${taskId} is still ${status} after ${formatDuration(error.timeoutMs)}; watch it again with: vle-tasks watch ${taskId}`);
      return ExitCode.stillRunning;
    }
    throw error;
  }
}
