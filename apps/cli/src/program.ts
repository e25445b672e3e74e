// The program: global options, one command per file of commands/, and `run(argv, io)`, which runs one
// invocation against the streams and environment it is given and answers the exit status (so that
// tests run every command without spawning; main.ts passes the process's).

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCancel } from './commands/cancel.js';
import { registerCreate } from './commands/create.js';
import { registerDeadLetters } from './commands/dead-letters.js';
import { registerList } from './commands/list.js';
import { registerRetention } from './commands/retention.js';
import { registerRetry } from './commands/retry.js';
import { registerShow } from './commands/show.js';
import { registerSkip } from './commands/skip.js';
import { registerTail } from './commands/tail.js';
import { registerWatch } from './commands/watch.js';
import { DEFAULT_URL } from './config.js';
import { Cli } from './context.js';
import { ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';
import { describeError } from './output/error-report.js';
import { colorsOf, colorsWanted } from './output/style.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const MORE_HELP = `
Configuration:
  VLE_TASKS_URL         the base URL (the one origin of vle-tasks; default ${DEFAULT_URL})
  VLE_TASKS_TOKEN       the bearer token; VLE_TASKS_TOKEN_FILE a file holding it
  NO_COLOR              no colours (also --no-color); colours are only ever shown on a terminal

Exit status:
  0    done; watch (and --wait): the Task succeeded
  1    watch (and --wait): the Task ended failed, cancelled or timed_out
  2    a usage error: bad options, no token, a confirmation refused (or impossible without --yes)
  3    the API refused the request (4xx): the query, the body, the token, a permission, not found, a rule
  4    the API could not be reached or answer (connection, timeout, 5xx)
  5    watch (and --wait): the Task ended warning (finished, but a best-effort step failed or a person stepped in)
  6    watch --timeout (and --wait --timeout): the time ran out while the Task was still running
  130  interrupted (Ctrl-C); tail ends with 0 instead
`;

export function buildProgram(cli: Cli): Command {
  const { io } = cli;
  const program = new Command('vle-tasks')
    .description("the command line of vle-tasks, OpenVLE's task system: list, show, watch, create, retry, skip and cancel Tasks, tail the live changes, the retention and the dead letters")
    .version(VERSION, '-V, --version')
    .option('--url <url>', `the base URL of vle-tasks (or VLE_TASKS_URL; default ${DEFAULT_URL})`)
    .option('--token <jwt>', 'the bearer token (or VLE_TASKS_TOKEN); prefer --token-file, as a command line is visible to others')
    .option('--token-file <path>', 'a file holding the bearer token (or VLE_TASKS_TOKEN_FILE)')
    .option('--json', 'JSON on stdout: one document, or JSON lines for watch and tail')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(colorsOf(colorsWanted({ tty: io.isTTY.stderr, json: false, color: true, env: io.env })).red(text)),
    })
    .exitOverride()
    .showHelpAfterError('(vle-tasks --help, or vle-tasks <command> --help, for usage)')
    .addHelpText('after', MORE_HELP);
  // Settings above are copied into each command made with program.command(): register after them.
  registerList(program, cli);
  registerShow(program, cli);
  registerWatch(program, cli);
  registerCreate(program, cli);
  registerRetry(program, cli);
  registerSkip(program, cli);
  registerCancel(program, cli);
  registerTail(program, cli);
  registerRetention(program, cli);
  registerDeadLetters(program, cli);
  return program;
}

/** Runs one invocation (`argv` without node and the script) and answers its exit status. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const cli = new Cli(io);
  try {
    await buildProgram(cli).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // Commander has written its message (or the help, or the version) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    io.stderr.write(`${describeError(error, colorsOf(false))}\n`);
    return ExitCode.internal;
  }
  return cli.exitCode;
}
