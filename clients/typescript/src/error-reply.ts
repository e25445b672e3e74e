// The API's refusal (`{code, message, violations}`, the body of an HTTP 4xx/5xx and the `error` of a
// NATS reply) as a typed error. Over HTTP the status decides the family; a NATS reply has no status,
// so the code does, as task-api maps codes to statuses (its error-reply.ts; a unit test holds the two
// tables together).

import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionError,
  SearchQueryError,
  UnavailableError,
  UnexpectedResponseError,
  ValidationError,
  type TasksError,
  type TasksErrorDetails,
} from './errors.js';
import type { ErrorReplyBody, Violation } from './types.js';

/** The status task-api (or the one origin) answers each of these codes with. */
export const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TASK_NOT_FOUND: 404,
  SUBTASK_NOT_FOUND: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  VM_NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 409,
  TASK_EXISTS: 409,
  NOT_RETRYABLE: 409,
  NOT_SKIPPABLE: 409,
  RETRY_WINDOW_EXPIRED: 409,
  TASK_CANCELLED: 409,
  TASK_FINISHED: 409,
  DEADLINE_NOT_DUE: 409,
  TASK_PLANNING: 409,
  PAYLOAD_TOO_LARGE: 413,
  COMMIT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UPSTREAM_UNAVAILABLE: 502,
  BUSY: 503,
  UPSTREAM_BUSY: 503,
  AUTH_KEYS_UNAVAILABLE: 503,
  QUERY_TIMEOUT: 503,
  LIVE_STREAMS_FULL: 503,
  UPSTREAM_TIMEOUT: 504,
};

/**
 * The other refusals, all 400: the contract's and the domain's rules. Any code in neither list is
 * task-api's "could not be handled now" (503), which carries the code of whatever failed (a NATS or
 * JetStream error), so it cannot be listed.
 */
export const REFUSAL_CODES_400: readonly string[] = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'EMPTY_DAG',
  'DUPLICATE_KEY',
  'UNKNOWN_DEPENDENCY',
  'DAG_CYCLE',
  'UNKNOWN_QUEUE',
  'INVALID_SCHEDULE',
  'NOT_SCHEDULED',
  'SUBTASK_NOT_QUEUED',
  'SUBTASK_FINISHED',
  'STALE_ATTEMPT',
  'DUPLICATE_JOB',
  'ATTEMPT_IN_PROGRESS',
  'START_DEADLINE_MISSED',
  'WRONG_QUEUE',
  'ALREADY_RESERVED',
  'UNKNOWN_TASK_TYPE',
  'INVALID_PARAMS',
  'UNKNOWN_COMMAND',
];

/** The status of a NATS error reply's code (HTTP answers carry their own). */
export function statusOfCode(code: string): number {
  return STATUS_OF_CODE[code] ?? (REFUSAL_CODES_400.includes(code) ? 400 : 503);
}

function isViolation(value: unknown): value is Violation {
  return typeof value === 'object' && value !== null && typeof (value as Violation).field === 'string' && typeof (value as Violation).message === 'string';
}

export function isErrorReply(value: unknown): value is ErrorReplyBody {
  return typeof value === 'object' && value !== null && typeof (value as ErrorReplyBody).code === 'string' && typeof (value as ErrorReplyBody).message === 'string';
}

/** The typed error of a refusal; `status` is the HTTP status, or undefined over NATS. */
export function errorOfReply(reply: ErrorReplyBody, status?: number, extra: Omit<TasksErrorDetails, 'status' | 'violations'> = {}): TasksError {
  const violations = Array.isArray(reply.violations) ? reply.violations.filter(isViolation) : [];
  const effective = status ?? statusOfCode(reply.code);
  const details: TasksErrorDetails = { ...extra, violations, ...(status === undefined ? {} : { status }) };
  switch (effective) {
    case 400:
    case 415:
      return violations.some((v) => v.field === 'q') ? new SearchQueryError(reply.code, reply.message, details) : new ValidationError(reply.code, reply.message, details);
    case 401:
      return new AuthenticationError(reply.code, reply.message, details);
    case 403:
      return new PermissionError(reply.code, reply.message, details);
    case 404:
      return new NotFoundError(reply.code, reply.message, details);
    case 409:
      return new ConflictError(reply.code, reply.message, details);
    case 413:
      return new PayloadTooLargeError(reply.code, reply.message, details);
    case 502:
    case 503:
    case 504:
      return new UnavailableError(reply.code, reply.message, details);
    default:
      return effective >= 400 && effective < 500 ? new ValidationError(reply.code, reply.message, details) : new UnexpectedResponseError(reply.code, reply.message, details);
  }
}
