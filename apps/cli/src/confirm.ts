// Asking before a command that changes a Task (retry, skip, cancel) or deletes (a retention run):
// "…? [y/N]" on stderr, answered on a terminal; `--yes` skips the question. Without a terminal to ask
// on (a script, a pipe, CI) and without --yes it refuses at once rather than waiting for an answer
// that cannot come.

import { createInterface } from 'node:readline';
import type { CliIo } from './io.js';
import { UsageError } from './usage-error.js';

export interface Confirmation {
  /** --yes: do not ask. */
  readonly yes: boolean;
  /** What would be done, for the refusal: `cancel`, `retry`, ... */
  readonly action: string;
}

/**
 * Resolves once the person said yes (or `yes` was given); a UsageError otherwise. `question` is
 * only made when it is asked (it may read the Task to say what the command would do).
 */
export async function confirm(io: CliIo, question: () => Promise<string> | string, what: Confirmation): Promise<void> {
  if (what.yes) return;
  if (!io.isTTY.stdin) throw new UsageError(`not confirmed: there is no terminal to ask on (stdin is not a TTY); pass --yes to ${what.action} without asking`);
  if (!(await ask(io, `${await question()} [y/N] `))) throw new UsageError('not confirmed: nothing was done');
}

/** true for y or yes; false for anything else, an empty line, end of input or Ctrl-C. */
function ask(io: CliIo, prompt: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: io.isTTY.stdin && io.isTTY.stderr });
    let answered = false;
    const finish = (yes: boolean) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(yes);
    };
    rl.on('SIGINT', () => {
      io.stderr.write('\n');
      finish(false);
    });
    rl.on('close', () => finish(false));
    io.interrupt?.addEventListener('abort', () => finish(false), { once: true });
    rl.question(prompt, (answer) => finish(/^\s*y(es)?\s*$/i.test(answer)));
  });
}
