// The exit statuses of vle-tasks (README.md, "Exit status"): a script tells a Task that did not
// succeed from a refusal of the API and from an API that could not be reached, without reading the
// output.

import { isTasksError, isTaskWaitTimeoutError, type TasksError } from '@openvle/tasks-client';
import { UsageError } from './usage-error.js';

export const ExitCode = {
  /** Done; `watch`: the Task ended `success`. */
  ok: 0,
  /** `watch`, `create --wait`: the Task ended `failed`, `cancelled` or `timed_out`. */
  taskUnsuccessful: 1,
  /** A bad command line, no token, an unreadable file, a confirmation refused or not possible. */
  usage: 2,
  /** The API refused the request (4xx): a bad query or body, the token, a permission, not found, a rule of the Task. */
  refused: 3,
  /** The API could not answer: unreachable, a 5xx, no answer in time. */
  unavailable: 4,
  /** `watch`, `create --wait`: the Task ended `warning` (finished, but a best-effort step failed or a person retried or skipped). */
  taskWarning: 5,
  /** `watch --timeout`: the time ran out while the Task was still running. */
  stillRunning: 6,
  /** A fault of the CLI itself (its stack is printed): report it. sysexits' EX_SOFTWARE. */
  internal: 70,
  /** Stopped by Ctrl-C before it was done (`tail` ends with 0 instead: that is how it ends). */
  interrupted: 130,
} as const;

export type ExitStatus = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit status of a Task's final status (`watch`). */
export function exitCodeOfStatus(status: string): ExitStatus {
  switch (status) {
    case 'success':
      return ExitCode.ok;
    case 'warning':
      return ExitCode.taskWarning;
    default:
      return ExitCode.taskUnsuccessful;
  }
}

const REFUSED_KINDS: ReadonlySet<TasksError['kind']> = new Set(['validation', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'too_large']);

/** The exit status of an error a command ended with. */
export function exitCodeOfError(error: unknown): ExitStatus {
  if (error instanceof UsageError) return ExitCode.usage;
  if (isTaskWaitTimeoutError(error)) return ExitCode.stillRunning;
  if (isTasksError(error)) return REFUSED_KINDS.has(error.kind) ? ExitCode.refused : ExitCode.unavailable;
  return ExitCode.internal;
}
