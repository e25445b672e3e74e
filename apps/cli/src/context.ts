// What every command gets: the global options (--url, --token, --token-file, --json, --no-color), the
// output, the client (made when a command first needs it, so that `--help` and usage errors need no
// token), the interrupt, and one way of ending: an exit status, or an error reported on stderr with
// the status of its kind (exit-codes.ts).

import { createTasksClient, type TasksClient } from '@openvle/tasks-client';
import type { Command } from 'commander';
import { baseUrlOf, connectionOf, type ConnectionOptions } from './config.js';
import { ExitCode, exitCodeOfError, type ExitStatus } from './exit-codes.js';
import type { CliIo } from './io.js';
import { describeError } from './output/error-report.js';
import { Output } from './output/output.js';

export interface GlobalOptions extends ConnectionOptions {
  readonly json?: boolean;
  /** false with --no-color. */
  readonly color?: boolean;
}

/** How long one request may take (a live stream: until its headers). */
const REQUEST_TIMEOUT_MS = 30_000;

export class CommandContext {
  readonly out: Output;
  /** The search query of this command (`-q`), so that its error can be marked under it. */
  query?: string;
  private tasksClient?: TasksClient;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.out = new Output(io, { json: options.json === true, color: options.color !== false });
  }

  /** The client of the one origin with the token; a UsageError when there is no token. */
  get client(): TasksClient {
    if (!this.tasksClient) {
      const { baseUrl, token } = connectionOf(this.options, this.io.env);
      this.tasksClient = createTasksClient({ baseUrl, token, timeoutMs: REQUEST_TIMEOUT_MS, ...(this.io.fetch ? { fetch: this.io.fetch } : {}) });
    }
    return this.tasksClient;
  }

  get interrupt(): AbortSignal | undefined {
    return this.io.interrupt;
  }

  /** Call options of a request: abandoned on Ctrl-C. */
  get call(): { signal?: AbortSignal } {
    return this.io.interrupt ? { signal: this.io.interrupt } : {};
  }

  /** Ends with `error` on stderr; the exit status of its kind (130 when it is the interrupt's). */
  fail(error: unknown): ExitStatus {
    if (this.io.interrupt?.aborted && (error === this.io.interrupt.reason || (error as Error)?.name === 'AbortError')) return ExitCode.interrupted;
    let baseUrl: string | undefined;
    try {
      baseUrl = baseUrlOf(this.options, this.io.env);
    } catch {
      // A bad URL is itself the error reported.
    }
    this.out.message(describeError(error, this.out.errorColors, { ...(this.query === undefined ? {} : { query: this.query }), ...(baseUrl === undefined ? {} : { baseUrl }) }));
    return exitCodeOfError(error);
  }
}

/** Runs the commands of one invocation and keeps the exit status of the one that ran. */
export class Cli {
  exitCode: ExitStatus = ExitCode.ok;

  constructor(readonly io: CliIo) {}

  /**
   * A commander action: `fn` gets the context and the command's arguments and options (commander's
   * own last argument, the Command, is taken off), and answers the exit status.
   */
  action<Args extends unknown[]>(fn: (context: CommandContext, ...args: Args) => Promise<ExitStatus>): (...args: unknown[]) => Promise<void> {
    return async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const context = new CommandContext(this.io, command.optsWithGlobals<GlobalOptions>());
      try {
        this.exitCode = await fn(context, ...(args.slice(0, -1) as Args));
      } catch (error) {
        this.exitCode = context.fail(error);
      }
    };
  }
}
