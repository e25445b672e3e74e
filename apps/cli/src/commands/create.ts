// `vle-tasks create --file <command.json>` (or `-` for stdin): a typed command or an explicit DAG as
// POST /api/v1/tasks takes it; prints the new Task's id (so that `ID=$(vle-tasks create -f x.json)`
// works), and with --wait watches it to its end like `watch`. `--json`: the API's answer
// `{taskId, existing, status, subTaskIds}`; with --wait as the first of the JSON lines.

import { readFile } from 'node:fs/promises';
import type { CreateTaskCommand } from '@openvle/tasks-client';
import type { Command } from 'commander';
import type { Cli } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../usage-error.js';
import { timeoutOption, watchTask, type WatchOptions } from './watch.js';

interface CreateOptions extends WatchOptions {
  readonly file: string;
  readonly wait?: boolean;
}

export function registerCreate(program: Command, cli: Cli): void {
  program
    .command('create')
    .description('create a Task from a JSON file: a typed command ({"type", "params"}) or an explicit DAG ({"name", "subtasks"})')
    .requiredOption('-f, --file <path>', 'the command as JSON; - reads it from stdin')
    .option('--wait', 'watch the Task until it ends (exit status as watch)')
    .addOption(timeoutOption())
    .action(
      cli.action(async (context, options: CreateOptions) => {
        const command = await readCommand(context.io, options.file);
        const created = await context.client.createTask(command, context.call);
        const { out } = context;
        if (out.json && options.wait) out.jsonLine(created);
        else if (out.json) out.document(created);
        else out.line(created.taskId);
        if (created.existing) out.message(`The idempotency key named an existing Task: ${created.taskId} (${created.status}); nothing new was created.`);
        // The Task may not be projected yet: waiting rides over that.
        return options.wait ? watchTask(context, created.taskId, options) : ExitCode.ok;
      }),
    );
}

/** The command of the file (or stdin), parsed; a UsageError naming the file when it is not a JSON object. */
export async function readCommand(io: CliIo, file: string): Promise<CreateTaskCommand> {
  const from = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = file === '-' ? await readAll(io.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${from}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let command: unknown;
  try {
    command = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${from} is not JSON: ${(error as Error).message}`);
  }
  if (typeof command !== 'object' || command === null || Array.isArray(command)) throw new UsageError(`${from} must hold one JSON object: a typed command {"type", "params"} or a DAG {"name", "subtasks"}`);
  return command as CreateTaskCommand;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
