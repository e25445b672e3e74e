import { AuthenticationError, ConflictError, ConnectionError, NotFoundError, PayloadTooLargeError, PermissionError, SearchQueryError, TaskWaitTimeoutError, TimeoutError, UnavailableError, UnexpectedResponseError, ValidationError } from '@openvle/tasks-client';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeOfError, exitCodeOfStatus } from './exit-codes.js';
import { UsageError } from './usage-error.js';

describe('exit statuses', () => {
  it('of a Task\'s end: success 0, warning 5, failed, cancelled and timed_out 1', () => {
    expect(['success', 'warning', 'failed', 'cancelled', 'timed_out'].map(exitCodeOfStatus)).toEqual([0, 5, 1, 1, 1]);
  });

  it('of a refusal of the API (4xx): 3', () => {
    const refusals = [
      new ValidationError('VALIDATION_FAILED', 'bad', { status: 400 }),
      new SearchQueryError('VALIDATION_FAILED', 'bad query', { status: 400, violations: [{ field: 'q', message: 'bad', position: 3 }] }),
      new AuthenticationError('UNAUTHENTICATED', 'expired', { status: 401 }),
      new PermissionError('FORBIDDEN', 'the token lacks the permission tasks_cancel', { status: 403 }),
      new NotFoundError('TASK_NOT_FOUND', 'no such Task', { status: 404 }),
      new ConflictError('NOT_RETRYABLE', 'not failed', { status: 409 }),
      new PayloadTooLargeError('PAYLOAD_TOO_LARGE', 'too big', { status: 413 }),
    ];
    expect(refusals.map(exitCodeOfError)).toEqual(refusals.map(() => ExitCode.refused));
  });

  it('of an API that could not answer (unreachable, 5xx, no answer in time): 4', () => {
    const failures = [
      new ConnectionError('CONNECTION_FAILED', 'ECONNREFUSED'),
      new UnavailableError('BUSY', 'busy', { status: 503 }),
      new UnexpectedResponseError('HTTP_500', 'oops', { status: 500 }),
      new TimeoutError('REQUEST_TIMEOUT', 'no answer'),
    ];
    expect(failures.map(exitCodeOfError)).toEqual(failures.map(() => ExitCode.unavailable));
  });

  it('of a usage error 2, of watching past --timeout 6, of a fault of the CLI 70', () => {
    expect(exitCodeOfError(new UsageError('no token'))).toBe(2);
    expect(exitCodeOfError(new TaskWaitTimeoutError('t', 1000, undefined))).toBe(6);
    expect(exitCodeOfError(new TypeError('x is undefined'))).toBe(70);
  });
});
