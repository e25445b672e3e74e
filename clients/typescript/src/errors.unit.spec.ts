import { AuthError } from '@vle/auth';
import { ContractError, type ContractErrorCode } from '@vle/contracts';
import { RuleViolation, type RuleCode } from '@vle/domain';
import { CommitTooLarge } from '@vle/event-store';
import { describe, expect, it } from 'vitest';
import { Busy } from '../../../services/task-api/src/tasks/command-budget.js';
import { refusalOf } from '../../../services/task-api/src/tasks/error-reply.js';
import { errorOfReply, statusOfCode } from './error-reply.js';
import {
  isAuthenticationError,
  isConflictError,
  isConnectionError,
  isNotFoundError,
  isPayloadTooLargeError,
  isPermissionError,
  isSearchQueryError,
  isTasksError,
  isTimeoutError,
  isUnavailableError,
  isValidationError,
  PermissionError,
  SearchQueryError,
  TaskWaitTimeoutError,
  TimeoutError,
  ValidationError,
} from './errors.js';

// Every code of the domain's rules and of the contract: a code added there must be placed here (the
// object literals fail the typecheck until it is), and its status must be task-api's.
const RULE_CODES: Record<RuleCode, true> = {
  TASK_NOT_FOUND: true, TASK_EXISTS: true, IDEMPOTENCY_KEY_REUSED: true, EMPTY_DAG: true, DUPLICATE_KEY: true, UNKNOWN_DEPENDENCY: true, DAG_CYCLE: true,
  UNKNOWN_QUEUE: true, INVALID_SCHEDULE: true, NOT_SCHEDULED: true, SUBTASK_NOT_FOUND: true, SUBTASK_NOT_QUEUED: true, SUBTASK_FINISHED: true,
  STALE_ATTEMPT: true, DUPLICATE_JOB: true, ATTEMPT_IN_PROGRESS: true, START_DEADLINE_MISSED: true, WRONG_QUEUE: true, ALREADY_RESERVED: true,
  NOT_RETRYABLE: true, NOT_SKIPPABLE: true, RETRY_WINDOW_EXPIRED: true, TASK_CANCELLED: true, TASK_FINISHED: true, TASK_PLANNING: true,
  DEADLINE_NOT_DUE: true, UNKNOWN_TASK_TYPE: true, INVALID_PARAMS: true,
};
const CONTRACT_CODES: Record<ContractErrorCode, true> = { MALFORMED_JSON: true, VALIDATION_FAILED: true, PAYLOAD_TOO_LARGE: true, UNSUPPORTED_MEDIA_TYPE: true };

describe('the status of a NATS error reply', () => {
  it("is task-api's for every refusal it can give", () => {
    const refusals: unknown[] = [
      ...Object.keys(RULE_CODES).map((code) => new RuleViolation(code as RuleCode, 'refused')),
      ...Object.keys(CONTRACT_CODES).map((code) => new ContractError(code as ContractErrorCode, 'refused')),
      AuthError.unauthenticated('expired'),
      AuthError.missing('tasks_cancel'),
      new Busy('busy'),
      new CommitTooLarge('0193c0de-0000-7000-8000-000000000000', 2_000_000, 1_048_576),
    ];
    for (const refusal of refusals) {
      const { status, body } = refusalOf(refusal)!;
      expect({ code: body.code, status: statusOfCode(body.code) }).toEqual({ code: body.code, status });
    }
  });

  it('is 503 (ask again) for a code task-api gives when it could not handle the command now', () => {
    expect(statusOfCode('TIMEOUT')).toBe(503);
    expect(isUnavailableError(errorOfReply({ code: 'INTERNAL', message: 'the command could not be handled now' }))).toBe(true);
  });
});

describe('errorOfReply', () => {
  it('makes one family per status, each with its guard, and no guard says yes to another family', () => {
    const cases = [
      [400, 'VALIDATION_FAILED', isValidationError],
      [415, 'UNSUPPORTED_MEDIA_TYPE', isValidationError],
      [401, 'UNAUTHENTICATED', isAuthenticationError],
      [403, 'FORBIDDEN', isPermissionError],
      [404, 'TASK_NOT_FOUND', isNotFoundError],
      [409, 'NOT_RETRYABLE', isConflictError],
      [413, 'PAYLOAD_TOO_LARGE', isPayloadTooLargeError],
      [502, 'UPSTREAM_UNAVAILABLE', isUnavailableError],
      [503, 'BUSY', isUnavailableError],
      [504, 'UPSTREAM_TIMEOUT', isUnavailableError],
    ] as const;
    const guards = [isValidationError, isAuthenticationError, isPermissionError, isNotFoundError, isConflictError, isPayloadTooLargeError, isUnavailableError, isTimeoutError, isConnectionError];
    for (const [status, code, guard] of cases) {
      const error = errorOfReply({ code, message: 'm', violations: [] }, status);
      expect(isTasksError(error)).toBe(true);
      expect(error).toMatchObject({ code, status, message: 'm' });
      expect(guards.filter((g) => g(error))).toEqual([guard]);
      // Over NATS (no status) the code gives the same family.
      expect(guards.filter((g) => g(errorOfReply({ code, message: 'm' })))).toEqual([guard]);
    }
  });

  it('tells a 401 from a 403 and names the missing permission', () => {
    const unauthenticated = errorOfReply({ code: 'UNAUTHENTICATED', message: 'the token expired' }, 401);
    const forbidden = errorOfReply(AuthError.missing('sub_tasks_retry').toReply(), 403);
    expect([isAuthenticationError(unauthenticated), isPermissionError(unauthenticated)]).toEqual([true, false]);
    expect([isAuthenticationError(forbidden), isPermissionError(forbidden)]).toEqual([false, true]);
    expect((forbidden as PermissionError).permission).toBe('sub_tasks_retry');
    // Naming another user is forbidden without a missing permission to name.
    expect((errorOfReply({ code: 'FORBIDDEN', message: 'createdBy: may not name another user' }, 403) as PermissionError).permission).toBeUndefined();
  });

  it('keeps the field of a 400 and the position of a search error', () => {
    const dag = errorOfReply({ code: 'UNKNOWN_DEPENDENCY', message: 'x', violations: [{ field: 'subtasks[1].dependsOn[0]', message: 'no such key' }] }, 400);
    expect(dag).toBeInstanceOf(ValidationError);
    expect(dag.field).toBe('subtasks[1].dependsOn[0]');
    expect(isSearchQueryError(dag)).toBe(false);
    const search = errorOfReply({ code: 'VALIDATION_FAILED', message: 'invalid query: q: column 10: "done" is not a status', violations: [{ field: 'q', message: 'column 10: ...', position: 9 }] }, 400);
    expect(search).toBeInstanceOf(SearchQueryError);
    expect(isSearchQueryError(search) && search.position).toBe(9);
    expect(isValidationError(search)).toBe(true);
  });

  it('keeps only well-formed violations', () => {
    const error = errorOfReply({ code: 'VALIDATION_FAILED', message: 'x', violations: [{ field: 'a', message: 'b' }, { nope: true } as never] }, 400);
    expect(error.violations).toEqual([{ field: 'a', message: 'b' }]);
  });
});

describe('the guards', () => {
  it('recognise an error of another copy of the package (a brand, not instanceof) and nothing else', () => {
    const foreign = Object.assign(new Error('m'), { [Symbol.for('@openvle/tasks-client/error')]: true, kind: 'not_found', code: 'TASK_NOT_FOUND', violations: [] });
    expect(isNotFoundError(foreign)).toBe(true);
    expect(isNotFoundError(Object.assign(new Error('m'), { kind: 'not_found', code: 'TASK_NOT_FOUND' }))).toBe(false);
    expect(isTasksError(undefined)).toBe(false);
    expect(isTasksError('TASK_NOT_FOUND')).toBe(false);
  });

  it('count both timeouts as timeouts, and the wait carries what it saw last', () => {
    const wait = new TaskWaitTimeoutError('t1', 500, { status: 'running' });
    expect([isTimeoutError(wait), isTimeoutError(new TimeoutError('REQUEST_TIMEOUT', 'x'))]).toEqual([true, true]);
    expect(wait).toMatchObject({ code: 'WAIT_TIMEOUT', taskId: 't1', timeoutMs: 500, lastSeen: { status: 'running' } });
    expect(wait.message).toBe('Task t1 did not finish within 500 ms (it was running)');
    expect(new TaskWaitTimeoutError('t2', 500, undefined).message).toContain('it was never seen');
  });
});
