// One hierarchy of errors for everything the client can meet, each with the API's stable `code`
// (instanceof does not survive a process boundary, and not even two copies of this package in one
// program: the guards below test a brand and the family, not the class).

import type { Violation } from './types.js';

/** The families of errors; each has a class and a guard. */
export type TasksErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unavailable'
  | 'timeout'
  | 'connection'
  | 'unexpected';

const BRAND = Symbol.for('@openvle/tasks-client/error');

export interface TasksErrorDetails {
  /** The HTTP status of the answer; absent over NATS and for errors of the client's own. */
  readonly status?: number;
  readonly violations?: readonly Violation[];
  /** How long the server asked to wait before asking again (Retry-After), in ms. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** Any error of the client: a refusal of the API (with its `code`), a timeout, a lost connection. */
export class TasksError extends Error {
  override readonly name: string = 'TasksError';
  readonly kind: TasksErrorKind = 'unexpected';
  readonly status?: number;
  /** The fields the API named, each with what is wrong and, in a search query, where. */
  readonly violations: readonly Violation[];
  readonly retryAfterMs?: number;

  constructor(
    /** The API's code (`VALIDATION_FAILED`, `TASK_NOT_FOUND`, ...) or the client's (`REQUEST_TIMEOUT`, ...). */
    readonly code: string,
    message: string,
    details: TasksErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.violations = details.violations ?? [];
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }

  /** The first field the API named (`subtasks[2].dependsOn[0]`, `q`, ...), if any. */
  get field(): string | undefined {
    return this.violations[0]?.field;
  }
}

/** 400 (and 415): the request is wrong; `violations` name each field. */
export class ValidationError extends TasksError {
  override readonly name: string = 'ValidationError';
  override readonly kind = 'validation';
}

/** A 400 for the search language (`q`): `position` is the 0-based offset in the query. */
export class SearchQueryError extends ValidationError {
  override readonly name = 'SearchQueryError';

  /** Where in the query the problem is (0-based), as the API says (`column 10: ...` counts from 1). */
  get position(): number | undefined {
    return this.violations.find((v) => v.field === 'q')?.position;
  }
}

/** 401 `UNAUTHENTICATED`: no token, or one that is malformed, expired, or for another audience. */
export class AuthenticationError extends TasksError {
  override readonly name = 'AuthenticationError';
  override readonly kind = 'unauthenticated';
}

/** 403 `FORBIDDEN`: a valid token without the permission, or naming someone it may not act for. */
export class PermissionError extends TasksError {
  override readonly name = 'PermissionError';
  override readonly kind = 'forbidden';

  /** The permission the token lacks, when the API names one (`tasks_cancel`). */
  get permission(): string | undefined {
    return /\bthe token lacks the permission ([a-z_]+)/.exec(this.message)?.[1];
  }
}

/** 404: `TASK_NOT_FOUND` (also for a Task outside the token's scope), `SUBTASK_NOT_FOUND`, ... */
export class NotFoundError extends TasksError {
  override readonly name = 'NotFoundError';
  override readonly kind = 'not_found';
}

/** 409: a rule of the Task refuses the command (`NOT_RETRYABLE`, `RETRY_WINDOW_EXPIRED`, ...). */
export class ConflictError extends TasksError {
  override readonly name = 'ConflictError';
  override readonly kind = 'conflict';
}

/** 413: `PAYLOAD_TOO_LARGE` (over 512 KiB) or `COMMIT_TOO_LARGE`. */
export class PayloadTooLargeError extends TasksError {
  override readonly name = 'PayloadTooLargeError';
  override readonly kind = 'too_large';
}

/**
 * 502, 503, 504: the service cannot answer now (`BUSY`, `UPSTREAM_TIMEOUT`, `QUERY_TIMEOUT`,
 * `AUTH_KEYS_UNAVAILABLE`, no responder on NATS, ...); asking again later may work. A command
 * answered so may have been applied: send it again with its `idempotencyKey`.
 */
export class UnavailableError extends TasksError {
  override readonly name = 'UnavailableError';
  override readonly kind = 'unavailable';
}

/** The client gave up waiting: a request (`REQUEST_TIMEOUT`) or a Task to finish (`WAIT_TIMEOUT`). */
export class TimeoutError extends TasksError {
  override readonly name: string = 'TimeoutError';
  override readonly kind = 'timeout';
}

/** waitForTask's deadline passed before the Task finished; `lastSeen` is the Task as last seen. */
export class TaskWaitTimeoutError<T = unknown> extends TimeoutError {
  override readonly name = 'TaskWaitTimeoutError';

  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
    /** The Task as last seen; undefined when it was never seen (not found, or not projected yet). */
    readonly lastSeen: T | undefined,
  ) {
    const state = lastSeen === undefined ? 'it was never seen' : `it was ${(lastSeen as { status?: string }).status ?? 'unfinished'}`;
    super('WAIT_TIMEOUT', `Task ${taskId} did not finish within ${timeoutMs} ms (${state})`);
  }
}

/** The server could not be reached, or the connection broke (the cause says how). */
export class ConnectionError extends TasksError {
  override readonly name = 'ConnectionError';
  override readonly kind = 'connection';
}

/** An answer the client cannot read as the API describes it, or a 500. */
export class UnexpectedResponseError extends TasksError {
  override readonly name = 'UnexpectedResponseError';
  override readonly kind = 'unexpected';
}

// ---- guards -------------------------------------------------------------------------------------

export function isTasksError(error: unknown): error is TasksError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

const isKind =
  <E extends TasksError>(kind: TasksErrorKind) =>
  (error: unknown): error is E =>
    isTasksError(error) && error.kind === kind;

export const isValidationError = isKind<ValidationError>('validation');
export const isAuthenticationError = isKind<AuthenticationError>('unauthenticated');
export const isPermissionError = isKind<PermissionError>('forbidden');
export const isNotFoundError = isKind<NotFoundError>('not_found');
export const isConflictError = isKind<ConflictError>('conflict');
export const isPayloadTooLargeError = isKind<PayloadTooLargeError>('too_large');
export const isUnavailableError = isKind<UnavailableError>('unavailable');
export const isTimeoutError = isKind<TimeoutError>('timeout');
export const isConnectionError = isKind<ConnectionError>('connection');
export const isUnexpectedResponseError = isKind<UnexpectedResponseError>('unexpected');

/** A 400 of the search language: `position` says where in `q`. */
export function isSearchQueryError(error: unknown): error is SearchQueryError {
  return isValidationError(error) && error.violations.some((v) => v.field === 'q');
}

export function isTaskWaitTimeoutError(error: unknown): error is TaskWaitTimeoutError {
  return isTimeoutError(error) && error.code === 'WAIT_TIMEOUT';
}
