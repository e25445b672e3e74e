// A command that the Task's rules refuse. The code is stable: it crosses process boundaries (HTTP
// 4xx/409 bodies, NATS error replies, the job runtime's decisions), where instanceof does not.

export type RuleCode =
  | 'TASK_NOT_FOUND'
  | 'TASK_EXISTS'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'EMPTY_DAG'
  | 'DUPLICATE_KEY'
  | 'UNKNOWN_DEPENDENCY'
  | 'DAG_CYCLE'
  | 'UNKNOWN_QUEUE'
  | 'INVALID_SCHEDULE'
  | 'NOT_SCHEDULED'
  | 'SUBTASK_NOT_FOUND'
  | 'SUBTASK_NOT_QUEUED'
  | 'SUBTASK_FINISHED'
  | 'STALE_ATTEMPT'
  | 'DUPLICATE_JOB'
  | 'ATTEMPT_IN_PROGRESS'
  | 'START_DEADLINE_MISSED'
  | 'WRONG_QUEUE'
  | 'ALREADY_RESERVED'
  | 'NOT_RETRYABLE'
  | 'NOT_SKIPPABLE'
  | 'RETRY_WINDOW_EXPIRED'
  | 'TASK_CANCELLED'
  | 'TASK_FINISHED'
  | 'TASK_PLANNING'
  | 'DEADLINE_NOT_DUE'
  | 'UNKNOWN_TASK_TYPE'
  | 'INVALID_PARAMS';

export class RuleViolation extends Error {
  override readonly name = 'RuleViolation';

  constructor(
    readonly code: RuleCode,
    message: string,
    /** The JSON path of the offending field of the command, where there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Codes that mean "this job delivery is out of date": the runtime drops it without running it. */
export const STALE_DELIVERY_CODES: readonly RuleCode[] = ['STALE_ATTEMPT', 'DUPLICATE_JOB', 'START_DEADLINE_MISSED', 'SUBTASK_FINISHED', 'SUBTASK_NOT_QUEUED', 'TASK_NOT_FOUND', 'SUBTASK_NOT_FOUND'];

export function isRuleViolation(error: unknown): error is RuleViolation {
  return error instanceof RuleViolation;
}
