// `vle-tasks tail`: the live changes of the list (GET /api/v1/tasks/stream, the same filters as
// `list`), one line per change, until Ctrl-C or `--count` changes. A dropped connection is resumed
// by the client (Last-Event-ID: what changed meanwhile comes first); one that cannot be opened at all
// ends at once. `--json`: one JSON line per change, the client's LiveEvent (`task`, `leave`, `reset`).

import { ConnectionError, type LiveEvent } from '@openvle/tasks-client';
import type { Command } from 'commander';
import type { Cli } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { formatCounts, formatDuration, formatTime } from '../output/format.js';
import type { Output } from '../output/output.js';
import { wholeNumber } from '../parse.js';
import { addFilterOptions, filtersOf, type FilterOptions } from '../task-filters.js';

interface TailOptions extends FilterOptions {
  readonly count?: number;
}

export function registerTail(program: Command, cli: Cli): void {
  addFilterOptions(program.command('tail').description('follow the changes of the list live, one line per change, until Ctrl-C'))
    .option('--count <n>', 'stop after this many changes', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .action(
      cli.action(async (context, options: TailOptions) => {
        if (options.query !== undefined) context.query = options.query;
        const { out } = context;
        let ready = false;
        let changes = 0;
        try {
          for await (const event of context.client.streamTasks(filtersOf(options), context.call)) {
            if (event.type === 'reconnecting') {
              // Never connected: the URL is wrong or vle-tasks is down; say so instead of trying forever.
              if (!ready) throw event.error ?? new ConnectionError('CONNECTION_FAILED', 'the live stream could not be opened');
              out.message(`Connection lost${event.error ? ` (${event.error.message})` : ''}; connecting again in ${formatDuration(event.delayMs)}.`);
              continue;
            }
            if (event.type === 'ready') {
              out.message(ready ? 'Live again: the changes made meanwhile are above.' : 'Following the changes live (Ctrl-C to stop).');
              ready = true;
              continue;
            }
            if (event.type === 'closed' || event.type === 'expired') {
              out.message(event.type === 'closed' ? `The server ended the stream (${event.reason}).` : `The token expired (${event.message}).`);
              continue;
            }
            printChange(out, event);
            if (event.type !== 'reset' && options.count !== undefined && ++changes >= options.count) break;
          }
        } catch (error) {
          // Ctrl-C is how tail ends.
          if (context.interrupt?.aborted) return ExitCode.ok;
          throw error;
        }
        return ExitCode.ok;
      }),
    );
}

function printChange(out: Output, event: Extract<LiveEvent, { type: 'task' | 'leave' | 'reset' }>): void {
  if (out.json) {
    out.jsonLine(event);
    return;
  }
  switch (event.type) {
    case 'task': {
      const task = event.task;
      out.line(`${formatTime(task.updatedAt)}  ${task.id}  ${out.status(task.status, 12)}  ${formatCounts(task.subtaskCounts).padEnd(8)}  ${task.name}`);
      return;
    }
    case 'leave':
      out.line(`${formatTime(new Date().toISOString())}  ${event.taskId}  ${out.colors.dim('no longer matches')}`);
      return;
    case 'reset':
      out.message(`Too much changed while the connection was away (${event.reason}): read the list again with vle-tasks list.`);
  }
}
