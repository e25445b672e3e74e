// An error as the person reads it on stderr: the API's code and message (and HTTP status), each field
// the API named, the place in a search query marked under it, and what to check for the usual causes
// (the URL, the token). Never the token itself.

import { isTasksError, type TasksError } from '@openvle/tasks-client';
import stringWidth from 'string-width';
import { UsageError } from '../usage-error.js';
import type { Colors } from './style.js';

export interface ErrorContext {
  /** The search query sent (`-q`), to mark the position of its error under it. */
  readonly query?: string;
  /** The base URL used, named when it cannot be reached. */
  readonly baseUrl?: string;
}

export function describeError(error: unknown, colors: Colors, context: ErrorContext = {}): string {
  const label = colors.red(colors.bold('error:'));
  if (error instanceof UsageError) return `${label} ${error.message}`;
  if (!isTasksError(error)) return `${label} ${(error as Error)?.stack ?? String(error)}\n(this is a fault of vle-tasks' command line: please report it)`;
  const lines = [`${label} ${error.message} ${colors.dim(`[${[error.code, error.status === undefined ? undefined : `HTTP ${error.status}`].filter(Boolean).join(', ')}]`)}`];
  for (const violation of error.violations) {
    if (violation.field !== '' || violation.message !== error.message) lines.push(`  ${violation.field || '(the body)'}: ${violation.message}`);
    if (violation.field === 'q' && violation.position !== undefined && context.query !== undefined) lines.push(...markPosition(context.query, violation.position, colors));
  }
  const hint = hintOf(error, context);
  if (hint) lines.push(colors.dim(hint));
  return lines.join('\n');
}

/** The query's line holding `position` (0-based), and a caret under it. */
export function markPosition(query: string, position: number, colors: Colors): string[] {
  const at = Math.max(0, Math.min(position, query.length));
  const start = query.lastIndexOf('\n', at - 1) + 1;
  const end = query.indexOf('\n', at);
  const line = query.slice(start, end < 0 ? undefined : end).replace(/\t/g, ' ');
  const before = query.slice(start, at).replace(/\t/g, ' ');
  return [`  ${line}`, `  ${' '.repeat(stringWidth(before))}${colors.red('^')}`];
}

function hintOf(error: TasksError, context: ErrorContext): string | undefined {
  switch (error.kind) {
    case 'connection':
    case 'timeout':
      if (error.code === 'WAIT_TIMEOUT') return undefined;
      return context.baseUrl ? `is vle-tasks running at ${context.baseUrl}? (--url or VLE_TASKS_URL)` : undefined;
    case 'unauthenticated':
      return 'the token was refused: check --token-file, VLE_TASKS_TOKEN or --token';
    default:
      return undefined;
  }
}
