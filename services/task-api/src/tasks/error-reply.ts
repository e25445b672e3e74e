// Every refusal becomes the same body on HTTP and NATS (proto ErrorReply): a stable code, a message
// naming what is wrong, and the offending fields.

import { ContractError, MAX_COMMIT_BYTES, type ErrorReplyBody } from '@vle/contracts';
import { isRuleViolation, type RuleCode } from '@vle/domain';
import { hasErrorCode } from '@vle/event-store';
import { isAuthError } from '@vle/auth';
import { Busy } from './command-budget.js';

export interface Refusal {
  readonly status: number;
  readonly body: ErrorReplyBody;
}

const STATUS_BY_RULE: Partial<Record<RuleCode, number>> = {
  TASK_NOT_FOUND: 404,
  SUBTASK_NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 409,
  TASK_EXISTS: 409,
  NOT_RETRYABLE: 409,
  NOT_SKIPPABLE: 409,
  RETRY_WINDOW_EXPIRED: 409,
  TASK_CANCELLED: 409,
  TASK_FINISHED: 409,
  DEADLINE_NOT_DUE: 409,
  TASK_PLANNING: 409,
};

/** The refusal for a known kind of error, or undefined for an unexpected one (a 500/503). */
export function refusalOf(error: unknown): Refusal | undefined {
  if (error instanceof ContractError) {
    return { status: error.code === 'PAYLOAD_TOO_LARGE' ? 413 : error.code === 'UNSUPPORTED_MEDIA_TYPE' ? 415 : 400, body: error.toReply() };
  }
  // Too large is a property of the command, not of the moment: retrying it would loop forever.
  if (hasErrorCode(error, 'COMMIT_TOO_LARGE')) {
    const { bytes, limit } = error as { bytes?: number; limit?: number };
    const hint = 'fewer SubTasks, dependencies or params';
    return {
      status: 413,
      body: {
        code: 'COMMIT_TOO_LARGE',
        message: `the command's events would be one commit of ${bytes ?? 'more than'} bytes, over the limit of ${limit ?? MAX_COMMIT_BYTES} bytes; ${hint}`,
        violations: [{ field: 'subtasks', message: `make a commit over ${limit ?? MAX_COMMIT_BYTES} bytes: ${hint}` }],
      },
    };
  }
  if (isAuthError(error)) return { status: error.status, body: error.toReply() };
  // Busy is the moment, not the command: the client retries; never a dead letter (requests only).
  if (error instanceof Busy) return { status: 503, body: { code: 'BUSY', message: error.message, violations: [] } };
  if (isRuleViolation(error)) {
    const violations = error.field ? [{ field: error.field, message: error.message }] : [];
    return { status: STATUS_BY_RULE[error.code] ?? 400, body: { code: error.code, message: error.message, violations } };
  }
  return undefined;
}

export function internalError(error: unknown): Refusal {
  const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'INTERNAL';
  // Unavailable dependencies (NATS down, conflicts under load) are worth retrying by the client.
  return { status: 503, body: { code, message: 'the command could not be handled now; retry it (it is idempotent with an idempotencyKey)' } };
}
